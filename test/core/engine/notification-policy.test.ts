import { afterEach, describe, expect, it } from 'vitest';
import type { AppStatus } from '../../../src/core/engine/app-status.js';
import { NOTICE_THROTTLE_MS, noticesFor } from '../../../src/core/engine/notification-policy.js';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const MINUTE = 60_000;
const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

type Profile = AppStatus['profiles'][number];

function status(
  profiles: Array<Partial<Profile> & Pick<Profile, 'name' | 'state'>>,
  session: Partial<AppStatus['session']> = {},
): AppStatus {
  return {
    version: 1,
    generatedAt: new Date(NOW).toISOString(),
    engine: 'daemon',
    session: {
      state: 'active',
      address: 'https://vault.example.com',
      namespace: null,
      displayName: 'oidc-alice',
      user: 'alice',
      policies: ['default'],
      expiresAt: new Date(NOW + 8 * 60 * MINUTE).toISOString(),
      ...session,
    },
    profiles: profiles.map((p) => ({
      mount: 'aws',
      role: `role-${p.name}`,
      endpoint: 'creds',
      delivery: 'file',
      region: null,
      expiresAt: new Date(NOW + 10 * MINUTE).toISOString(),
      grantedTtlSeconds: 3600,
      leadSeconds: 1200,
      lastRefreshAt: null,
      nextRefreshAt: null,
      lastError: null,
      ...p,
    })),
  };
}

const failing = { at: new Date(NOW).toISOString(), kind: 'server', message: 'Vault is sealed' };

describe('noticesFor', () => {
  it('says nothing about the first state after a start', () => {
    expect(
      noticesFor(undefined, status([{ name: 'dev', state: 'expired' }]), NOW, new Map()),
    ).toEqual([]);
  });

  it('warns once a profile is expiring while refreshes fail, with the reason and the time left', () => {
    const [notice, ...rest] = noticesFor(
      status([{ name: 'dev', state: 'fresh' }]),
      status([{ name: 'dev', state: 'expiring', lastError: failing }]),
      NOW,
      new Map(),
    );
    expect(rest).toEqual([]);
    expect(notice).toMatchObject({ key: 'dev:expiring', urgency: 'critical' });
    expect(notice!.title).toBe('AWS profile dev expires in 10 min');
    expect(notice!.body).toContain('Vault is sealed');
  });

  it('does not repeat a notice within the throttle, and does again after it', () => {
    const before = status([{ name: 'dev', state: 'refreshing', lastError: failing }]);
    const after = status([{ name: 'dev', state: 'expiring', lastError: failing }]);
    const sent = new Map([['dev:expiring', NOW - MINUTE]]);
    expect(noticesFor(before, after, NOW, sent)).toEqual([]);
    sent.set('dev:expiring', NOW - NOTICE_THROTTLE_MS);
    expect(noticesFor(before, after, NOW, sent).map((n) => n.key)).toEqual(['dev:expiring']);
  });

  it('tells about a recovery only after trouble it told, also when a retry passed through refreshing', () => {
    const fresh = status([{ name: 'dev', state: 'fresh' }]);
    const routine = noticesFor(
      status([{ name: 'dev', state: 'refreshing' }]),
      fresh,
      NOW,
      new Map(),
    );
    expect(routine).toEqual([]);
    const retrying = status([{ name: 'dev', state: 'refreshing', lastError: failing }]);
    // An early failure nobody was told about needs no news of its end.
    expect(noticesFor(retrying, fresh, NOW, new Map())).toEqual([]);
    const told = new Map([['dev:expiring', NOW - MINUTE]]);
    expect(noticesFor(retrying, fresh, NOW, told, hhmm)).toEqual([
      {
        key: 'dev:fresh',
        title: 'AWS profile dev is fresh again',
        body: 'Valid until 12:10.',
        urgency: 'normal',
      },
    ]);
    // Told, but already told it is fresh again since: not twice.
    told.set('dev:fresh', NOW - NOTICE_THROTTLE_MS + MINUTE - MINUTE / 2);
    expect(noticesFor(retrying, fresh, NOW, new Map([...told, ['dev:fresh', NOW]]))).toEqual([]);
    expect(
      noticesFor(
        status([{ name: 'dev', state: 'expired' }]),
        fresh,
        NOW,
        new Map([['dev:expired', NOW - MINUTE]]),
      ).map((n) => n.key),
    ).toEqual(['dev:fresh']);
  });

  it('warns that a profile is expiring only once less than its lead is left', () => {
    const before = status([{ name: 'dev', state: 'refreshing', lastError: failing }]);
    const early = status([
      {
        name: 'dev',
        state: 'expiring',
        lastError: failing,
        expiresAt: new Date(NOW + 58 * MINUTE).toISOString(),
      },
    ]);
    expect(noticesFor(before, early, NOW, new Map())).toEqual([]);
    const late = status([
      {
        name: 'dev',
        state: 'expiring',
        lastError: failing,
        expiresAt: new Date(NOW + 19 * MINUTE).toISOString(),
      },
    ]);
    expect(noticesFor(before, late, NOW, new Map()).map((n) => n.title)).toEqual([
      'AWS profile dev expires in 19 min',
    ]);
  });

  it('names the time the profiles stop working when Vault needs a new sign-in', () => {
    const profiles = [
      { name: 'dev', state: 'fresh' as const },
      {
        name: 'prod',
        state: 'fresh' as const,
        expiresAt: new Date(NOW + 5 * MINUTE).toISOString(),
      },
    ];
    const notices = noticesFor(
      status(profiles),
      status(profiles, { state: 'needs_sign_in' }),
      NOW,
      new Map(),
      hhmm,
    );
    expect(notices).toEqual([
      {
        key: 'session:needs_sign_in',
        title: 'Sign in to Vault',
        body: 'Your AWS profiles can no longer be refreshed; they stop working at 12:05.',
        urgency: 'critical',
      },
    ]);
  });

  it('warns before the session’s hard end with its time', () => {
    const end = new Date(NOW + 14 * MINUTE).toISOString();
    const notices = noticesFor(
      status([], { expiresAt: end }),
      status([], { state: 'ending_soon', expiresAt: end }),
      NOW,
      new Map(),
      hhmm,
    );
    expect(notices.map((n) => [n.key, n.title])).toEqual([
      ['session:ending_soon', 'Vault session ends at 12:14'],
    ]);
  });

  it('reports an expired profile and a profile in error', () => {
    const notices = noticesFor(
      status([
        { name: 'dev', state: 'expiring', lastError: failing },
        { name: 'ops', state: 'fresh' },
      ]),
      status([
        { name: 'dev', state: 'expired', lastError: failing },
        {
          name: 'ops',
          state: 'error',
          lastError: { ...failing, kind: 'permission', message: 'permission denied' },
        },
      ]),
      NOW,
      new Map(),
    );
    expect(notices.map((n) => [n.key, n.body])).toEqual([
      ['dev:expired', 'The last refresh failed: Vault is sealed.'],
      ['ops:error', 'permission denied'],
    ]);
  });
});

describe('noticesFor, times as people read them', () => {
  const machineZone = process.env.TZ;
  afterEach(() => {
    if (machineZone === undefined) delete process.env.TZ;
    else process.env.TZ = machineZone;
  });

  it('says times in the local zone by default: HH:MM today, with the date on another day', () => {
    // Node re-reads TZ when it is assigned; 12:00 UTC is 13:00 in Berlin.
    process.env.TZ = 'Europe/Berlin';
    const soon = new Date(NOW + 14 * MINUTE).toISOString();
    const [ending] = noticesFor(
      status([], { expiresAt: soon }),
      status([], { state: 'ending_soon', expiresAt: soon }),
      NOW,
      new Map(),
    );
    expect(ending!.title).toBe('Vault session ends at 13:14');

    const tomorrow = new Date(NOW + 12 * 60 * MINUTE).toISOString();
    const [recovered] = noticesFor(
      status([{ name: 'dev', state: 'expired' }]),
      status([{ name: 'dev', state: 'fresh', expiresAt: tomorrow }]),
      NOW,
      new Map([['dev:expired', NOW - MINUTE]]),
    );
    expect(recovered!.body).toBe('Valid until 2026-11-29 01:00.');
  });
});
