import { describe, expect, it } from 'vitest';
import type { AppStatus } from '../../../src/core/engine/app-status.js';
import type { TrayMenuItem, TrayView } from '../../../src/main/tray/tray-menu.js';
import {
  buildTrayMenu,
  nextTrayUpdateAt,
  trayIconState,
} from '../../../src/main/tray/tray-menu.js';

const MINUTE = 60_000;
// 47 min 40 s before 14:32: the menu stays up until 13:45, when 47 whole minutes are left.
const NOW = Date.parse('2026-11-28T13:44:20Z');
const at = (hhmm: string) => new Date(`2026-11-28T${hhmm}Z`).toISOString();
const utc = (ms: number) => new Date(ms).toISOString().slice(11, 16);

type Profile = AppStatus['profiles'][number];
type ProfileInput = Partial<Profile> & Pick<Profile, 'name' | 'state'>;

function status(profiles: ProfileInput[], session: Partial<AppStatus['session']> = {}): AppStatus {
  return {
    version: 1,
    generatedAt: new Date(NOW).toISOString(),
    engine: 'app',
    session: {
      state: 'active',
      address: 'https://vault.example.com',
      namespace: null,
      displayName: 'oidc-alice',
      user: 'alice@example.com',
      policies: ['default'],
      expiresAt: at('21:00:00'),
      ...session,
    },
    profiles: profiles.map((p) => ({
      mount: 'aws',
      role: `role-${p.name}`,
      endpoint: 'creds',
      delivery: 'file',
      region: null,
      expiresAt: at('14:32:00'),
      grantedTtlSeconds: 3600,
      leadSeconds: 1200,
      lastRefreshAt: null,
      nextRefreshAt: null,
      lastError: null,
      ...p,
    })),
  };
}

const signedOut = (profiles: ProfileInput[] = []) =>
  status(profiles, {
    state: 'signed_out',
    address: null,
    displayName: null,
    user: null,
    policies: [],
    expiresAt: null,
  });

const failing = { at: at('13:40:00'), kind: 'server', message: 'Vault is sealed' };

const menu = (s: AppStatus, startAtLogin = false): TrayView =>
  buildTrayMenu(s, NOW, { startAtLogin, timeFormat: utc });

const item = (view: TrayView, id: string): TrayMenuItem => {
  const found = view.items.find((i) => i.id === id);
  if (!found) throw new Error(`no menu item ${id}`);
  return found;
};

const labels = (view: TrayView) =>
  view.items.map((i) => (i.type === 'separator' ? '---' : i.label));

describe('buildTrayMenu', () => {
  it('lays out the menu of a signed-in user with several fresh profiles', () => {
    const view = menu(
      status([
        { name: 'dev', state: 'fresh' },
        { name: 'prod', state: 'fresh' },
      ]),
    );
    expect(labels(view)).toEqual([
      'All 2 profiles fresh',
      'alice@example.com at vault.example.com',
      '---',
      'dev — valid until 14:32 (47 min)',
      'prod — valid until 14:32 (47 min)',
      'Refresh dev creds',
      'Open dev console',
      'Refresh prod creds',
      'Open prod console',
      'Refresh all',
      '---',
      'Sign out',
      'Open vault-aws-tray…',
      'Copy export commands',
      'Start at login',
      'Open logs',
      '---',
      'Quit',
    ]);
    expect(view.icon).toBe('fresh');
    expect(view.statusLine).toBe('All 2 profiles fresh');
    expect(view.tooltip).toBe('vault-aws-tray: All 2 profiles fresh');
  });

  it('gives every item a stable id and the action it stands for', () => {
    const view = menu(
      status([
        { name: 'dev', state: 'fresh' },
        { name: 'prod', state: 'fresh' },
      ]),
    );
    expect(view.items.map((i) => i.id)).toEqual([
      'status',
      'identity',
      'separator:profiles',
      'profile:dev',
      'profile:prod',
      'refresh:dev',
      'console:dev',
      'refresh:prod',
      'console:prod',
      'refresh-all',
      'separator:actions',
      'sign-out',
      'open-window',
      'copy-exports',
      'start-at-login',
      'open-logs',
      'separator:quit',
      'quit',
    ]);
    expect(item(view, 'status').enabled).toBe(false);
    expect(item(view, 'identity').enabled).toBe(false);
    expect(item(view, 'profile:dev').enabled).toBe(false);
    expect(item(view, 'refresh:dev').action).toEqual({ kind: 'refresh', profile: 'dev' });
    expect(item(view, 'console:prod')).toMatchObject({
      label: 'Open prod console',
      enabled: true,
      action: { kind: 'open-console', profile: 'prod' },
    });
    expect(item(view, 'refresh-all').action).toEqual({ kind: 'refresh-all' });
    expect(item(view, 'sign-out').action).toEqual({ kind: 'sign-out' });
    expect(item(view, 'open-window').action).toEqual({ kind: 'open-window' });
    expect(item(view, 'open-logs').action).toEqual({ kind: 'open-logs' });
    expect(item(view, 'quit').action).toEqual({ kind: 'quit' });
    expect(item(view, 'copy-exports')).toMatchObject({ type: 'submenu', enabled: true });
    expect(item(view, 'copy-exports').submenu).toEqual([
      {
        id: 'copy-exports:dev',
        label: 'dev',
        enabled: true,
        type: 'normal',
        action: { kind: 'copy-exports', profile: 'dev' },
      },
      {
        id: 'copy-exports:prod',
        label: 'prod',
        enabled: true,
        type: 'normal',
        action: { kind: 'copy-exports', profile: 'prod' },
      },
    ]);
  });

  it('shows "Start at login" as a checkbox checked from the options', () => {
    const s = status([{ name: 'dev', state: 'fresh' }]);
    expect(item(menu(s, true), 'start-at-login')).toEqual({
      id: 'start-at-login',
      label: 'Start at login',
      enabled: true,
      type: 'checkbox',
      checked: true,
      action: { kind: 'toggle-start-at-login' },
    });
    expect(item(menu(s, false), 'start-at-login').checked).toBe(false);
  });

  it('names the single profile and offers no "Refresh all" for it', () => {
    const view = menu(status([{ name: 'dev', state: 'fresh' }]));
    expect(view.statusLine).toBe('dev is fresh');
    expect(item(view, 'refresh:dev')).toMatchObject({ label: 'Refresh dev creds', enabled: true });
    expect(view.items.some((i) => i.id === 'refresh-all')).toBe(false);
  });

  it('keeps names with dots, dashes and underscores in the refresh label', () => {
    const view = menu(status([{ name: 'team-a.prod_ro', state: 'fresh' }]));
    expect(item(view, 'refresh:team-a.prod_ro').label).toBe('Refresh team-a.prod_ro creds');
  });

  it('when signed out: says so, disables refreshes, offers sign-in and no identity', () => {
    const view = menu(
      signedOut([
        { name: 'dev', state: 'needs_sign_in' },
        { name: 'prod', state: 'needs_sign_in', expiresAt: at('13:00:00') },
      ]),
    );
    expect(view.icon).toBe('signed_out');
    expect(view.statusLine).toBe('Signed out of Vault');
    expect(view.tooltip).toBe('vault-aws-tray: Signed out of Vault');
    expect(view.items.some((i) => i.id === 'identity')).toBe(false);
    expect(item(view, 'profile:dev').label).toBe('dev — needs sign-in');
    expect(item(view, 'refresh:dev').enabled).toBe(false);
    expect(item(view, 'refresh-all').enabled).toBe(false);
    expect(item(view, 'sign-in')).toMatchObject({
      label: 'Sign in…',
      enabled: true,
      action: { kind: 'sign-in' },
    });
    expect(view.items.some((i) => i.id === 'sign-out')).toBe(false);
    // Credentials still valid can be copied and open the console; expired ones cannot.
    expect(item(view, 'copy-exports').submenu!.map((i) => i.enabled)).toEqual([true, false]);
    expect(item(view, 'console:dev').enabled).toBe(true);
    expect(item(view, 'console:prod').enabled).toBe(false);
  });

  it('when signed out with no profiles: no profile section and an empty, disabled submenu', () => {
    const view = menu(signedOut());
    expect(labels(view)).toEqual([
      'Signed out of Vault',
      '---',
      'Sign in…',
      'Open vault-aws-tray…',
      'Copy export commands',
      'Start at login',
      'Open logs',
      '---',
      'Quit',
    ]);
    expect(item(view, 'copy-exports')).toMatchObject({ enabled: false, submenu: [] });
  });

  it('when signed in with no profiles: says there are none yet', () => {
    const view = menu(status([]));
    expect(view.statusLine).toBe('No AWS profiles yet');
    expect(view.icon).toBe('fresh');
    expect(labels(view).slice(0, 3)).toEqual([
      'No AWS profiles yet',
      'alice@example.com at vault.example.com',
      '---',
    ]);
    expect(labels(view)[3]).toBe('Sign out');
  });

  it('when the session needs a new sign-in: says so, shows red and offers sign-in', () => {
    const view = menu(
      status([{ name: 'dev', state: 'needs_sign_in' }], { state: 'needs_sign_in' }),
    );
    expect(view.icon).toBe('error');
    expect(view.statusLine).toBe('Vault needs a new sign-in');
    expect(view.items.some((i) => i.id === 'identity')).toBe(false);
    expect(item(view, 'profile:dev').label).toBe('dev — needs sign-in');
    expect(item(view, 'refresh:dev').enabled).toBe(false);
    expect(item(view, 'sign-in').label).toBe('Sign in…');
    expect(view.items.some((i) => i.id === 'sign-out')).toBe(false);
  });

  it('while one profile refreshes: disables only its refresh and says so', () => {
    const view = menu(
      status([
        { name: 'dev', state: 'refreshing' },
        { name: 'prod', state: 'fresh' },
      ]),
    );
    expect(view.icon).toBe('refreshing');
    expect(view.statusLine).toBe('Refreshing dev…');
    expect(item(view, 'profile:dev').label).toBe('dev — refreshing…');
    expect(item(view, 'refresh:dev').enabled).toBe(false);
    expect(item(view, 'refresh:prod').enabled).toBe(true);
    expect(item(view, 'refresh-all').enabled).toBe(true);
  });

  it('while every profile refreshes: counts them and disables "Refresh all"', () => {
    const view = menu(
      status([
        { name: 'dev', state: 'refreshing' },
        { name: 'prod', state: 'refreshing' },
      ]),
    );
    expect(view.statusLine).toBe('Refreshing 2 profiles…');
    expect(item(view, 'refresh-all').enabled).toBe(false);
  });

  it('an expiring profile with a failing refresh: time left and the failure', () => {
    const view = menu(
      status([
        { name: 'dev', state: 'expiring', expiresAt: at('13:50:00'), lastError: failing },
        { name: 'prod', state: 'fresh' },
      ]),
    );
    expect(view.icon).toBe('warning');
    expect(view.statusLine).toBe('dev expires in 5 min — refresh failing');
    expect(item(view, 'profile:dev').label).toBe(
      'dev — valid until 13:50 (5 min), refresh failing',
    );
    expect(item(view, 'refresh:dev').enabled).toBe(true);
  });

  it('says "less than a minute" rather than overstate the time left', () => {
    const view = menu(
      status([{ name: 'dev', state: 'expiring', expiresAt: at('13:45:50'), lastError: failing }]),
    );
    expect(view.statusLine).toBe('dev expires in less than a minute — refresh failing');
    expect(item(view, 'profile:dev').label).toBe(
      'dev — valid until 13:45 (less than a minute), refresh failing',
    );
  });

  it('shows hours and minutes for long-lived credentials', () => {
    const view = menu(
      status([
        { name: 'dev', state: 'fresh', expiresAt: at('15:45:00') },
        { name: 'prod', state: 'fresh', expiresAt: at('16:12:00') },
      ]),
    );
    expect(item(view, 'profile:dev').label).toBe('dev — valid until 15:45 (2 h)');
    expect(item(view, 'profile:prod').label).toBe('prod — valid until 16:12 (2 h 27 min)');
  });

  it('an expired profile: red, with the time it expired', () => {
    const view = menu(
      status([
        { name: 'dev', state: 'expired', expiresAt: at('13:30:00'), lastError: failing },
        { name: 'prod', state: 'fresh' },
      ]),
    );
    expect(view.icon).toBe('error');
    expect(view.statusLine).toBe('dev expired at 13:30 — refresh failing');
    expect(item(view, 'profile:dev').label).toBe('dev — expired at 13:30');
    expect(item(view, 'refresh:dev').enabled).toBe(true);
    expect(item(view, 'copy-exports').submenu!.map((i) => i.enabled)).toEqual([false, true]);
  });

  it('a profile that never got credentials', () => {
    const view = menu(status([{ name: 'dev', state: 'expired', expiresAt: null }]));
    expect(view.statusLine).toBe('dev has no valid credentials');
    expect(item(view, 'profile:dev').label).toBe('dev — no valid credentials');
  });

  it('a status older than the clock: a row past its expiry says expired', () => {
    const view = menu(status([{ name: 'dev', state: 'fresh', expiresAt: at('13:40:00') }]));
    expect(item(view, 'profile:dev').label).toBe('dev — expired at 13:40');
  });

  it('a profile in error: red, with the first line of the error, cut short', () => {
    const long = `permission denied on aws/creds/role-dev ${'x'.repeat(80)}\nsecond line`;
    const view = menu(
      status([
        {
          name: 'dev',
          state: 'error',
          lastError: { at: at('13:40:00'), kind: 'permission_denied', message: long },
        },
        { name: 'prod', state: 'fresh' },
      ]),
    );
    expect(view.icon).toBe('error');
    const row = item(view, 'profile:dev').label;
    expect(row.startsWith('dev — error: permission denied on aws/creds/role-dev x')).toBe(true);
    expect(row.endsWith('…')).toBe(true);
    expect(row).not.toContain('second line');
    expect(row.length).toBeLessThanOrEqual('dev — error: '.length + 60);
    expect(view.statusLine.startsWith('dev cannot be refreshed: permission denied')).toBe(true);
  });

  it('a short error message is shown whole', () => {
    const view = menu(
      status([
        {
          name: 'dev',
          state: 'error',
          lastError: { at: at('13:40:00'), kind: 'not_found', message: 'role dev not found' },
        },
      ]),
    );
    expect(item(view, 'profile:dev').label).toBe('dev — error: role dev not found');
    expect(view.statusLine).toBe('dev cannot be refreshed: role dev not found');
  });

  it('names the worst profile and counts the others in trouble', () => {
    const view = menu(
      status([
        { name: 'a', state: 'expiring', expiresAt: at('13:50:00'), lastError: failing },
        { name: 'b', state: 'expired', expiresAt: at('13:30:00') },
        { name: 'c', state: 'fresh' },
        { name: 'd', state: 'expiring', expiresAt: at('14:00:00'), lastError: failing },
      ]),
    );
    expect(view.statusLine).toBe('b expired at 13:30 (+2 more)');
  });

  it('when the session ends soon: yellow, says when, and offers to sign in again', () => {
    const view = menu(
      status([{ name: 'dev', state: 'fresh' }], {
        state: 'ending_soon',
        expiresAt: at('13:57:00'),
      }),
    );
    expect(view.icon).toBe('warning');
    expect(view.statusLine).toBe('Vault session ends in 12 min — sign in again');
    expect(item(view, 'sign-in')).toMatchObject({
      label: 'Sign in again…',
      action: { kind: 'sign-in' },
    });
    expect(item(view, 'sign-out').enabled).toBe(true);
    expect(item(view, 'identity').label).toBe('alice@example.com at vault.example.com');
    expect(item(view, 'refresh:dev').enabled).toBe(true);
  });

  it('a profile in trouble outranks a session that ends soon in the status line', () => {
    const view = menu(
      status([{ name: 'dev', state: 'expired', expiresAt: at('13:30:00') }], {
        state: 'ending_soon',
        expiresAt: at('13:57:00'),
      }),
    );
    expect(view.statusLine).toBe('dev expired at 13:30');
  });

  it('the identity line: display name without a user, port and namespace', () => {
    const view = menu(
      status([], {
        user: null,
        displayName: 'oidc-alice',
        address: 'https://vault.example.com:8200',
        namespace: 'team-a',
      }),
    );
    expect(item(view, 'identity').label).toBe(
      'oidc-alice at vault.example.com:8200 (namespace team-a)',
    );
    const anonymous = menu(status([], { user: null, displayName: null }));
    expect(item(anonymous, 'identity').label).toBe('Signed in at vault.example.com');
  });

  it('cuts a long tooltip to what Windows shows', () => {
    const name = 'p'.repeat(120);
    const view = menu(status([{ name, state: 'refreshing' }]));
    expect(view.tooltip.length).toBe(127);
    expect(view.tooltip.endsWith('…')).toBe(true);
  });

  it('formats clock times in the local zone by default: HH:MM today, the date before it otherwise', () => {
    const machineZone = process.env.TZ;
    // Node re-reads TZ when it is assigned; 14:32 UTC is 15:32 in Berlin in November.
    process.env.TZ = 'Europe/Berlin';
    try {
      const view = buildTrayMenu(
        status([
          { name: 'dev', state: 'fresh' },
          { name: 'ops', state: 'fresh', expiresAt: '2026-11-29T09:15:00Z' },
        ]),
        NOW,
        { startAtLogin: false },
      );
      expect(item(view, 'profile:dev').label).toBe('dev — valid until 15:32 (47 min)');
      expect(item(view, 'profile:ops').label).toBe(
        'ops — valid until 2026-11-29 10:15 (19 h 30 min)',
      );
    } finally {
      if (machineZone === undefined) delete process.env.TZ;
      else process.env.TZ = machineZone;
    }
  });
});

describe('buildTrayMenu with more than three profiles', () => {
  const five = () =>
    status([
      { name: 'dev', state: 'fresh' },
      { name: 'prod', state: 'expiring', expiresAt: at('13:50:00'), lastError: failing },
      { name: 'ops', state: 'refreshing' },
      { name: 'audit', state: 'expired', expiresAt: at('13:30:00') },
      { name: 'ci', state: 'fresh', expiresAt: at('15:45:00') },
    ]);

  it('keeps the flat layout for three profiles', () => {
    const view = menu(
      status([
        { name: 'a', state: 'fresh' },
        { name: 'b', state: 'fresh' },
        { name: 'c', state: 'fresh' },
      ]),
    );
    expect(view.items.filter((i) => i.id.startsWith('profile:')).map((i) => i.type)).toEqual([
      'normal',
      'normal',
      'normal',
    ]);
    expect(item(view, 'refresh:c').label).toBe('Refresh c creds');
    expect(item(view, 'copy-exports').submenu!.map((i) => i.id)).toEqual([
      'copy-exports:a',
      'copy-exports:b',
      'copy-exports:c',
    ]);
  });

  it('gives each profile a submenu labelled with its row, and grows by one item a profile', () => {
    const view = menu(five());
    expect(labels(view)).toEqual([
      'audit expired at 13:30 (+1 more)',
      'alice@example.com at vault.example.com',
      '---',
      'dev — valid until 14:32 (47 min)',
      'prod — valid until 13:50 (5 min), refresh failing',
      'ops — refreshing…',
      'audit — expired at 13:30',
      'ci — valid until 15:45 (2 h)',
      'Refresh all',
      '---',
      'Sign out',
      'Open vault-aws-tray…',
      'Start at login',
      'Open logs',
      '---',
      'Quit',
    ]);
    const rows = view.items.filter((i) => i.id.startsWith('profile:'));
    expect(rows.map((i) => [i.id, i.type, i.enabled])).toEqual([
      ['profile:dev', 'submenu', true],
      ['profile:prod', 'submenu', true],
      ['profile:ops', 'submenu', true],
      ['profile:audit', 'submenu', true],
      ['profile:ci', 'submenu', true],
    ]);
    // The commands move into the submenus, so the menu has no top-level copy of them.
    expect(view.items.filter((i) => /^(refresh|console|copy-exports):/.test(i.id))).toEqual([]);
    expect(view.items.some((i) => i.id === 'copy-exports')).toBe(false);
  });

  it('inside: refresh, console and export commands for that profile, with the flat ids', () => {
    const view = menu(five());
    expect(item(view, 'profile:dev').submenu).toEqual([
      {
        id: 'refresh:dev',
        label: 'Refresh dev creds',
        enabled: true,
        type: 'normal',
        action: { kind: 'refresh', profile: 'dev' },
      },
      {
        id: 'console:dev',
        label: 'Open dev console',
        enabled: true,
        type: 'normal',
        action: { kind: 'open-console', profile: 'dev' },
      },
      {
        id: 'copy-exports:dev',
        label: 'Copy export commands',
        enabled: true,
        type: 'normal',
        action: { kind: 'copy-exports', profile: 'dev' },
      },
    ]);
    const enabled = (name: string) =>
      item(view, `profile:${name}`).submenu!.map((i) => [i.id, i.enabled]);
    // A refreshing profile cannot be refreshed again; expired credentials cannot be copied.
    expect(enabled('ops')[0]).toEqual(['refresh:ops', false]);
    expect(enabled('audit')).toEqual([
      ['refresh:audit', true],
      ['console:audit', true],
      ['copy-exports:audit', false],
    ]);
    const ids = view.items.flatMap((i) => [i.id, ...(i.submenu ?? []).map((s) => s.id)]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('when signed out: the submenus still open, refreshes are off, valid credentials still work', () => {
    const view = menu(
      signedOut([
        { name: 'a', state: 'needs_sign_in' },
        { name: 'b', state: 'needs_sign_in' },
        { name: 'c', state: 'needs_sign_in' },
        { name: 'd', state: 'needs_sign_in', expiresAt: at('13:00:00') },
      ]),
    );
    expect(item(view, 'profile:a')).toMatchObject({ type: 'submenu', enabled: true });
    expect(item(view, 'profile:a').submenu!.map((i) => i.enabled)).toEqual([false, true, true]);
    expect(item(view, 'profile:d').submenu!.map((i) => i.enabled)).toEqual([false, false, false]);
    expect(item(view, 'refresh-all').enabled).toBe(false);
  });
});

describe('trayIconState', () => {
  const cases: Array<[string, AppStatus, ReturnType<typeof trayIconState>]> = [
    ['signed out beats everything', signedOut([{ name: 'dev', state: 'error' }]), 'signed_out'],
    [
      'a session that needs sign-in is an error',
      status([{ name: 'dev', state: 'fresh' }], { state: 'needs_sign_in' }),
      'error',
    ],
    [
      'an error beats expiring and refreshing',
      status([
        { name: 'a', state: 'expiring' },
        { name: 'b', state: 'error' },
        { name: 'c', state: 'refreshing' },
      ]),
      'error',
    ],
    ['expired is an error', status([{ name: 'a', state: 'expired' }]), 'error'],
    [
      'an ending session beats refreshing',
      status([{ name: 'a', state: 'refreshing' }], { state: 'ending_soon' }),
      'warning',
    ],
    [
      'expiring beats refreshing',
      status([
        { name: 'a', state: 'refreshing' },
        { name: 'b', state: 'expiring' },
      ]),
      'warning',
    ],
    [
      'refreshing beats fresh',
      status([
        { name: 'a', state: 'fresh' },
        { name: 'b', state: 'refreshing' },
      ]),
      'refreshing',
    ],
    ['all fresh', status([{ name: 'a', state: 'fresh' }]), 'fresh'],
    ['no profiles', status([]), 'fresh'],
  ];
  it.each(cases)('%s', (_name, s, icon) => {
    expect(trayIconState(s)).toBe(icon);
  });
});

describe('nextTrayUpdateAt', () => {
  it('is the next whole minute, strictly later', () => {
    expect(nextTrayUpdateAt(NOW)).toBe(Date.parse('2026-11-28T13:45:00Z'));
    const whole = Date.parse('2026-11-28T13:45:00Z');
    expect(nextTrayUpdateAt(whole)).toBe(whole + MINUTE);
    expect(nextTrayUpdateAt(whole - 1)).toBe(whole);
  });

  it('keeps the time left true until the next rebuild', () => {
    const s = status([{ name: 'dev', state: 'fresh', expiresAt: at('14:32:00') }]);
    const until = nextTrayUpdateAt(NOW);
    const shown = item(menu(s), 'profile:dev').label;
    expect(shown).toBe('dev — valid until 14:32 (47 min)');
    // Just before the rebuild, 47 whole minutes are still left.
    expect(Date.parse(at('14:32:00')) - (until - 1)).toBeGreaterThanOrEqual(47 * MINUTE);
    const rebuilt = buildTrayMenu(s, until, { startAtLogin: false, timeFormat: utc });
    expect(item(rebuilt, 'profile:dev').label).toBe('dev — valid until 14:32 (46 min)');
  });
});
