import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialsFileWriter } from '../../../src/core/aws/credentials-file-writer.js';
import { SignInNeededError } from '../../../src/core/engine/engine.js';
import { DRIFT_CHECK_MS } from '../../../src/core/engine/scheduler.js';
import { FakeClock } from '../../support/fake-clock.js';
import { DEV_ROLE_ARN, startStack } from '../../support/stack.js';
import type { Stack } from '../../support/stack.js';
import type { VaultFault } from '../../support/vault/index.js';
import { engineHarness, FakePower, HELPER_PATH } from './engine-harness.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const PROFILES = ['p1', 'p2', 'p3', 'p4', 'p5'];

let stack: Stack;
let clock: FakeClock;

beforeAll(async () => {
  clock = new FakeClock();
  stack = await startStack({ clock });
  stack.vault.writePolicy('all-creds', 'path "aws/creds/*" { capabilities = ["read"] }');
  for (const name of PROFILES) {
    stack.awsEngine.writeRole(`role-${name}`, {
      credential_type: 'assumed_role',
      role_arns: [DEV_ROLE_ARN],
      default_sts_ttl: '1h',
    });
  }
});
afterAll(async () => {
  await stack.stop();
});

function token(ttlSeconds = 3600): string {
  return stack.vault.createToken({ policies: ['all-creds'], ttlSeconds });
}

const profiles = Object.fromEntries(PROFILES.map((p) => [p, { role: `role-${p}` }]));
const reads = (role: string, since = 0) =>
  stack.vault.requests.filter((r) => r.path === `/v1/aws/creds/${role}` && r.at >= since).length;

/** Moves the fake clock minute by minute, letting the engine finish what each minute started. */
async function walk(
  h: { engine: { settled(): Promise<void> } },
  minutes: number,
  each?: (minute: number) => void,
) {
  for (let minute = 1; minute <= minutes; minute++) {
    clock.advance(MINUTE);
    await h.engine.settled();
    each?.(minute);
  }
}

describe('the engine over a simulated day', () => {
  it('keeps five 1-hour profiles fresh for 24 hours with the reads, writes and wake-ups the formula allows', async () => {
    // A seeded generator: the jitter differs at every refresh, the run is the same every time.
    let seed = 42;
    const random = () => ((seed = (seed * 48271) % 2147483647) - 1) / 2147483646;
    const h = await engineHarness(stack, clock, { profiles, token: token(), random });
    const start = clock.now();
    await h.engine.start();
    await h.engine.settled();
    h.writes.look();
    const renewalsBefore = stack.vault.requests.filter(
      (r) => r.path === '/v1/auth/token/renew-self',
    ).length;
    let worst = Infinity;
    await walk(h, 24 * 60, () => {
      h.writes.look();
      const expiries = h.expiries();
      for (const name of PROFILES) worst = Math.min(worst, expiries[name]! - clock.now());
    });
    // Every profile in the file always had at least its lead (a third of 3599 s) left.
    expect(worst).toBeGreaterThanOrEqual((3599 * 1000) / 3 - MINUTE);

    // The formula's count: a read at start, then one each time a third of the lifetime (minus
    // the jitter, 2.5 % on average) is left, at the next minute the clock was stepped to.
    const lifetime = 3599_000;
    let t = 0;
    let formula = 1;
    for (;;) {
      const next = Math.ceil((t + lifetime - lifetime / 3 - 0.025 * lifetime) / MINUTE) * MINUTE;
      if (next > 24 * HOUR) break;
      t = next;
      formula++;
    }
    for (const name of PROFILES)
      expect(Math.abs(reads(`role-${name}`, start) - formula)).toBeLessThanOrEqual(1);
    // Written together, the five stay together (one jitter per batch): one write per batch.
    const batches = h.writes.count;
    expect(batches).toBeLessThanOrEqual(formula + 1);
    expect(h.logs.filter((l) => l.includes(': refreshed;')).length).toBe(batches * PROFILES.length);
    const renewals =
      stack.vault.requests.filter((r) => r.path === '/v1/auth/token/renew-self').length -
      renewalsBefore;
    expect(renewals).toBeGreaterThan(30);
    expect(h.clock.wakeUps).toBeLessThanOrEqual(batches + renewals);
    expect(h.notices).toEqual([]);
    await h.engine.stop();
  });
});

describe('faults during refreshes', () => {
  const faults: Array<[string, VaultFault]> = [
    ['a 500', { kind: 'status', status: 500, errors: ['internal error'] }],
    ['a sealed Vault', { kind: 'status', status: 503, errors: ['Vault is sealed'] }],
    ['a reset connection', { kind: 'reset' }],
    ['a malformed reply', { kind: 'malformed' }],
    ['a stall longer than the client timeout', { kind: 'delay', ms: 2500 }],
  ];

  it.each(faults)(
    '%s: the file keeps the last valid credentials byte for byte, the state says why, then it recovers',
    async (_name, fault) => {
      const h = await engineHarness(stack, clock, {
        profiles: { solo: { role: 'role-p1' } },
        token: token(24 * 3600),
        random: () => 0.5,
      });
      await h.engine.start();
      await h.engine.settled();
      const good = h.file();
      stack.vault.injectFault({ path: 'aws/creds/role-p1', ...fault, times: 3 });
      const expiresAt = h.expiries().solo!;
      // With jitter fixed at half, the first refresh is due 21.5 minutes before expiry.
      await walk(h, 38);
      for (let i = 0; i < 60 && !h.engine.snapshot().profiles[0]!.lastError; i++) {
        clock.advance(1000);
        await h.engine.settled();
      }
      expect(h.file()).toBe(good);
      const status = h.engine.snapshot().profiles[0]!;
      expect(status.state).toBe('expiring');
      expect(status.lastError?.message).toBeTruthy();
      // More than its lead (a third of 3599 s) is left: the state says it, no notice yet.
      expect(h.notices).toEqual([]);
      // Backoff: 5 s, 10 s, 20 s; the fourth try finds Vault well again.
      for (let i = 0; i < 60; i++) {
        clock.advance(1000);
        await h.engine.settled();
      }
      expect(h.file()).not.toBe(good);
      expect(h.expiries().solo!).toBeGreaterThan(expiresAt);
      expect(h.engine.snapshot().profiles[0]!.state).toBe('fresh');
      // Nobody was told of the trouble, so nobody is told of its end.
      expect(h.notices).toEqual([]);
      stack.vault.clearFaults();
      await h.engine.stop();
    },
  );

  it('a refresh failing until less than the lead is left: one notice with the reason, retries never more than lifetime / 12 apart, then news of the recovery', async () => {
    const h = await engineHarness(stack, clock, {
      profiles: { solo: { role: 'role-p1' } },
      token: token(24 * 3600),
      random: () => 0.5,
    });
    await h.engine.start();
    await h.engine.settled();
    const expiresAt = h.expiries().solo!;
    stack.vault.injectFault({
      path: 'aws/creds/role-p1',
      kind: 'status',
      status: 500,
      errors: ['internal error'],
      times: 1000,
    });
    const tries: number[] = [];
    const since = stack.vault.requests.length;
    // Until 15 minutes are left: the lead is 20 minutes, the refresh was due at 21.5.
    while (clock.now() < expiresAt - 15 * MINUTE) {
      clock.advance(1000);
      await h.engine.settled();
    }
    for (const r of stack.vault.requests.slice(since))
      if (r.path === '/v1/aws/creds/role-p1') tries.push(r.at);
    const gaps = tries.slice(1).map((at, i) => at - tries[i]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual((3599_000 / 12) * 1.1 + 1000);
    expect(h.notices.map((n) => n.key)).toEqual(['solo:expiring']);
    expect(h.notices[0]!.body).toContain('internal error');
    expect(h.notices[0]!.title).toMatch(/expires in (19|20) min$/);
    stack.vault.clearFaults();
    for (let i = 0; i < 300 && h.engine.snapshot().profiles[0]!.state !== 'fresh'; i++) {
      clock.advance(1000);
      await h.engine.settled();
    }
    expect(h.notices.map((n) => n.key)).toEqual(['solo:expiring', 'solo:fresh']);
    await h.engine.stop();
  });
});

describe('sleep and clock jumps', () => {
  it('after a suspend (PowerEvents) due refreshes run at once', async () => {
    const power = new FakePower();
    const h = await engineHarness(stack, clock, {
      profiles: { solo: { role: 'role-p2' } },
      token: token(24 * 3600),
      power,
    });
    await h.engine.start();
    await h.engine.settled();
    const before = reads('role-p2');
    power.sleep();
    clock.sleep(3 * HOUR);
    power.wake();
    await h.engine.settled();
    expect(reads('role-p2')).toBe(before + 1);
    expect(h.expiries().solo! - clock.now()).toBeGreaterThan(55 * MINUTE);
    await h.engine.stop();
  });

  it('the daemon’s drift check notices a clock jump within a minute', async () => {
    const h = await engineHarness(stack, clock, {
      profiles: { solo: { role: 'role-p3' } },
      token: token(24 * 3600),
      driftCheck: true,
    });
    await h.engine.start();
    await h.engine.settled();
    const before = reads('role-p3');
    clock.sleep(2 * HOUR);
    expect(reads('role-p3')).toBe(before);
    clock.advance(DRIFT_CHECK_MS);
    await h.engine.settled();
    expect(reads('role-p3')).toBe(before + 1);
    expect(h.logs.some((l) => l.includes('the clock moved'))).toBe(true);
    await h.engine.stop();
  });
});

describe('per-profile settings', () => {
  it('a profile’s own lead moves its refresh; the granted TTL is kept and shown', async () => {
    const h = await engineHarness(stack, clock, {
      profiles: { early: { role: 'role-p3' }, late: { role: 'role-p3', leadSeconds: 600 } },
      token: token(24 * 3600),
      random: () => 0,
    });
    await h.engine.start();
    await h.engine.settled();
    const [early, late] = h.engine.snapshot().profiles;
    const expiresAt = Date.parse(late!.expiresAt!);
    expect(late!.grantedTtlSeconds).toBe(3599);
    expect(Date.parse(late!.nextRefreshAt!)).toBe(expiresAt - 10 * MINUTE);
    expect(Date.parse(early!.nextRefreshAt!)).toBe(
      Math.round(Date.parse(early!.expiresAt!) - 3599_000 / 3),
    );
    await h.engine.stop();
  });
});

describe('a user’s refresh and the session', () => {
  it('“Refresh” writes full fresh credentials even when the current ones are fresh', async () => {
    const h = await engineHarness(stack, clock, {
      profiles: { solo: { role: 'role-p4' } },
      token: token(24 * 3600),
    });
    await h.engine.start();
    await h.engine.settled();
    const before = h.file();
    clock.advance(MINUTE);
    const result = await h.engine.refresh(['solo']);
    expect(result.outcomes[0]!.ok).toBe(true);
    expect(h.file()).not.toBe(before);
    await h.engine.stop();
  });

  it('a revoked token: profiles need a sign-in, nothing opens, one notice says when they stop working', async () => {
    const t = token(24 * 3600);
    const h = await engineHarness(stack, clock, {
      profiles: { solo: { role: 'role-p5' } },
      token: t,
    });
    await h.engine.start();
    await h.engine.settled();
    await fetch(`${stack.vault.url}/v1/auth/token/revoke-self`, {
      method: 'POST',
      headers: { 'X-Vault-Token': t },
    });
    await walk(h, 45);
    const status = h.engine.snapshot();
    expect(status.session.state).toBe('needs_sign_in');
    expect(status.profiles[0]!.state).toBe('needs_sign_in');
    expect(h.notices.map((n) => n.key)).toEqual(['session:needs_sign_in']);
    expect(h.notices[0]!.body).toMatch(/stop working at \d\d:\d\d/);
    await expect(h.engine.refresh()).rejects.toThrow('Vault needs a new sign-in');
    await h.engine.stop();
  });
});

describe('credentials from memory (credential_process, env, exec)', () => {
  const configText = (h: { configFile: string }) =>
    existsSync(h.configFile) ? readFileSync(h.configFile, 'utf8') : '';

  it('a process profile: the config file runs the helper, no keys in the credentials file, no Vault read while warm', async () => {
    const h = await engineHarness(stack, clock, {
      profiles: { proc: { role: 'role-p1', delivery: 'process', leadSeconds: 300 } },
      token: token(24 * 3600),
      random: () => 0,
    });
    await h.engine.start();
    await h.engine.settled();
    expect(configText(h)).toBe(
      `[profile proc]\ncredential_process = ${HELPER_PATH} credential-process proc\n`,
    );
    expect(h.file()).not.toContain('[proc]');
    const before = reads('role-p1');
    const first = (await h.engine.credentials('proc')).credentials;
    clock.advance(30 * MINUTE);
    expect((await h.engine.credentials('proc')).credentials).toEqual(first);
    expect(reads('role-p1')).toBe(before);

    // 14 minutes left, before its own refresh (5 minutes before expiry): read again first.
    clock.advance(first.expiresAt - clock.now() - 14 * MINUTE);
    const fresher = (await h.engine.credentials('proc')).credentials;
    expect(reads('role-p1')).toBe(before + 1);
    expect(fresher.accessKeyId).not.toBe(first.accessKeyId);
    expect(fresher.expiresAt - clock.now()).toBeGreaterThanOrEqual(55 * MINUTE);
    await h.engine.stop();
  });

  it('a file profile is read once into memory; an unknown profile is refused', async () => {
    const h = await engineHarness(stack, clock, {
      profiles: { plain: { role: 'role-p2' } },
      token: token(24 * 3600),
    });
    await h.engine.start();
    await h.engine.settled();
    const before = reads('role-p2');
    const c = (await h.engine.credentials('plain')).credentials;
    expect(h.file()).toContain(`aws_access_key_id = ${c.accessKeyId}`);
    expect(reads('role-p2')).toBe(before);
    await expect(h.engine.credentials('nope')).rejects.toThrow('no managed profile named nope');
    await h.engine.stop();
  });

  it('without a session: still-valid credentials are handed out, none once they expire; none after a sign-out', async () => {
    const t = token(24 * 3600);
    const h = await engineHarness(stack, clock, {
      profiles: { proc: { role: 'role-p3', delivery: 'process' } },
      token: t,
    });
    await h.engine.start();
    await h.engine.settled();
    const held = (await h.engine.credentials('proc')).credentials;
    // Revoked elsewhere: the read for fresher ones finds out, and the held ones still serve.
    await fetch(`${stack.vault.url}/v1/auth/token/revoke-self`, {
      method: 'POST',
      headers: { 'X-Vault-Token': t },
    });
    clock.advance(held.expiresAt - clock.now() - 5 * MINUTE);
    expect((await h.engine.credentials('proc')).credentials).toEqual(held);
    expect(h.engine.snapshot().session.state).toBe('needs_sign_in');
    clock.advance(6 * MINUTE);
    await h.engine.settled();
    await expect(h.engine.credentials('proc')).rejects.toThrow(SignInNeededError);
    await h.engine.stop();

    // Signing out is the user saying stop: nothing is handed out any more.
    const out = await engineHarness(stack, clock, {
      profiles: { proc: { role: 'role-p3', delivery: 'process' } },
      token: token(24 * 3600),
    });
    await out.engine.start();
    await out.engine.settled();
    await out.engine.credentials('proc');
    await out.engine.signOut();
    await expect(out.engine.credentials('proc')).rejects.toThrow(/not signed in to /);
    await out.engine.stop();
  });

  it('a helper path credential_process cannot call fails that profile alone, in words', async () => {
    const h = await engineHarness(stack, clock, {
      profiles: { plain: { role: 'role-p5' }, proc: { role: 'role-p5', delivery: 'process' } },
      token: token(24 * 3600),
      helperPath: '/home/Jane Doe/bin/vault-aws-tray',
    });
    await h.engine.start();
    await h.engine.settled();
    expect(h.file()).toContain('[plain]');
    const [plain, proc] = h.engine.snapshot().profiles;
    expect(plain!.state).toBe('fresh');
    expect(proc!.state).toBe('error');
    expect(proc!.lastError!.message).toMatch(/cannot go into credential_process.*symlink/);
    await h.engine.stop();
  });

  it('switching delivery moves the profile between the files in one write each way', async () => {
    const h = await engineHarness(stack, clock, {
      profiles: { move: { role: 'role-p4' } },
      token: token(24 * 3600),
    });
    await h.engine.start();
    await h.engine.settled();
    expect(h.file()).toContain('[move]');
    await h.engine.setProfile('move', { delivery: 'process' });
    expect(h.file()).not.toContain('[move]');
    expect(configText(h)).toContain(`credential_process = ${HELPER_PATH} credential-process move`);
    expect(h.settings.read().profiles.move!.delivery).toBe('process');
    await h.engine.setProfile('move', { delivery: 'file' });
    expect(h.file()).toContain('[move]');
    expect(configText(h)).not.toContain('credential_process');
    expect(h.engine.snapshot().profiles[0]).toMatchObject({ delivery: 'file', state: 'fresh' });
    await h.engine.stop();
  });
});

describe('stopping', () => {
  it('leaves no timer behind, so the daemon’s process can exit', async () => {
    const baseline = clock.pendingTimers();
    const options = {
      profiles: { solo: { role: 'role-p1' }, other: { role: 'role-p2' } },
      token: token(24 * 3600),
      driftCheck: true,
    };
    const first = await engineHarness(stack, clock, options);
    await first.engine.start();
    await first.engine.settled();
    await walk(first, 45);
    expect(clock.pendingTimers()).toBeGreaterThan(baseline);
    await first.engine.stop();
    expect(clock.pendingTimers()).toBe(baseline);
    // A start that finds saved state arms timers before it refreshes what is due.
    const again = await engineHarness(stack, clock, { ...options, dir: first.dir });
    await again.engine.start();
    await again.engine.stop();
    expect(clock.pendingTimers()).toBe(baseline);
    // Nor work in flight: a stop while the token is being renewed waits for the renewal and
    // its state write, so a folder removed after the stop stays gone.
    const renewing = await engineHarness(stack, clock, { ...options, token: token(3600) });
    await renewing.engine.start();
    await renewing.engine.settled();
    clock.advance(41 * MINUTE);
    await renewing.engine.stop();
    rmSync(renewing.dir, { recursive: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(renewing.dir)).toBe(false);
    expect(clock.pendingTimers()).toBe(baseline);
  });
});

describe('watching the files', () => {
  it('writes back a managed profile someone deleted, and does not echo its own writes', async () => {
    const h = await engineHarness(stack, clock, {
      profiles: { solo: { role: 'role-p1' } },
      token: token(24 * 3600),
      watch: true,
    });
    await h.engine.start();
    await h.engine.settled();
    const writesAfterStart = h.writes.look();
    // Our own write: the watcher sees it, finds our key there, and does nothing.
    await new Promise((r) => setTimeout(r, 700));
    await h.engine.settled();
    expect(h.writes.look()).toBe(writesAfterStart);
    expect(h.logs.some((l) => l.includes('another program'))).toBe(false);
    writeFileSync(h.credentialsFile, '# someone cleaned up\n');
    await new Promise((r) => setTimeout(r, 700));
    clock.advance(1);
    await h.engine.settled();
    expect(h.file()).toMatch(/^# someone cleaned up\n\n\[solo\]\naws_access_key_id = ASIA/);
    expect(
      h.logs.some((l) =>
        l.includes('solo: changed or removed by another program; writing it back'),
      ),
    ).toBe(true);
    // The whole file deleted: it is made again.
    rmSync(h.credentialsFile);
    await new Promise((r) => setTimeout(r, 700));
    clock.advance(1);
    await h.engine.settled();
    expect(h.file()).toMatch(/^\[solo\]\naws_access_key_id = ASIA/);
    await h.engine.stop();
  });

  it('writes back a process profile’s credential_process line someone removed or changed', async () => {
    const h = await engineHarness(stack, clock, {
      profiles: { proc: { role: 'role-p2', delivery: 'process' } },
      token: token(24 * 3600),
      watch: true,
    });
    await h.engine.start();
    await h.engine.settled();
    const line = `credential_process = ${HELPER_PATH} credential-process proc`;
    const settle = async () => {
      await new Promise((r) => setTimeout(r, 700));
      clock.advance(1);
      await h.engine.settled();
    };
    await settle();
    const reads = stack.vault.requests.length;
    expect(h.logs.some((l) => l.includes('another program'))).toBe(false);
    writeFileSync(
      h.configFile,
      '[profile proc]\ncredential_process = /tmp/evil credential-process proc\n',
    );
    await settle();
    expect(readFileSync(h.configFile, 'utf8')).toBe(`[profile proc]\n${line}\n`);
    rmSync(h.configFile);
    await settle();
    expect(readFileSync(h.configFile, 'utf8')).toBe(`[profile proc]\n${line}\n`);
    // Nothing needed Vault: the line is not a credential.
    expect(stack.vault.requests.length).toBe(reads);
    await h.engine.stop();
  });

  it('with externalEdits=detach, a profile changed elsewhere is no longer managed', async () => {
    const h = await engineHarness(stack, clock, {
      profiles: { solo: { role: 'role-p2' } },
      token: token(24 * 3600),
      watch: true,
      settings: {
        engine: {
          externalEdits: 'detach',
          removeExpired: false,
          notifications: true,
          sessionEndingSoonMinutes: 15,
          credentialCache: true,
        },
      },
    });
    await h.engine.start();
    await h.engine.settled();
    writeFileSync(
      h.credentialsFile,
      '[solo]\naws_access_key_id = AKIAMINEMINEMINEMINE\naws_secret_access_key = mine\n',
    );
    await new Promise((r) => setTimeout(r, 700));
    await h.engine.settled();
    expect(h.settings.read().profiles).toEqual({});
    expect(h.file()).toContain('AKIAMINEMINEMINEMINE');
    await h.engine.stop();
  });
});

describe('a second writer', () => {
  it('rewriting other profiles 1,000 times while the engine refreshes loses nothing', async () => {
    const h = await engineHarness(stack, clock, {
      profiles: { solo: { role: 'role-p3' } },
      token: token(24 * 3600),
    });
    await h.engine.start();
    await h.engine.settled();
    const other = new CredentialsFileWriter({
      paths: { credentialsFile: h.credentialsFile, configFile: h.configFile },
    });
    const rounds = 1000;
    const writing = (async () => {
      for (let round = 1; round <= rounds; round++) {
        await other.applyProfiles([
          {
            profile: `other${round % 3}`,
            credentials: {
              accessKeyId: `AKIAOTHER${String(round).padStart(11, '0')}`,
              secretAccessKey: 's',
              expiresAt: new Date(Date.UTC(2030, 0, 1)),
            },
          },
        ]);
      }
    })();
    let refreshes = 0;
    while (refreshes < 40) {
      await h.engine.refresh(['solo']);
      refreshes++;
    }
    await writing;
    const file = h.file();
    for (let k = 0; k < 3; k++) {
      const last = [...Array(rounds).keys()]
        .map((i) => i + 1)
        .filter((r) => r % 3 === k)
        .at(-1)!;
      expect(file).toContain(
        `[other${k}]\naws_access_key_id = AKIAOTHER${String(last).padStart(11, '0')}\n`,
      );
    }
    expect(h.engine.snapshot().profiles[0]!.state).toBe('fresh');
    expect(file.match(/\[solo\]/g)).toHaveLength(1);
    await h.engine.stop();
  });
});
