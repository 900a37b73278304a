import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { acquireEngineLock } from '../../src/core/engine/engine-lock.js';
import { startStack } from '../support/stack.js';
import type { Stack } from '../support/stack.js';
import { cliHarness } from './cli-harness.js';
import { startDaemon } from '../support/daemon-process.js';
import type { DaemonProcess } from '../support/daemon-process.js';

/** Credentials this short let a test see several refreshes in a few seconds of real time. */
const SHORT_SECONDS = 6;
const LOG_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (info |warn |error) \S/;

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ shortCredsSeconds: SHORT_SECONDS });
});
afterAll(async () => {
  await stack.stop();
});

/** Daemons a failed test left running are killed, not left behind. */
const started: DaemonProcess[] = [];
afterEach(() => {
  for (const daemon of started.splice(0)) daemon.child.kill('SIGKILL');
});

/** A user with a token and a profile fed by the short role; nothing written yet. */
async function user(env: Record<string, string> = {}) {
  const cli = cliHarness({ clock: systemClock, env });
  const token = stack.vault.createToken({ policies: ['aws-dev-readonly'], ttlSeconds: 3600 });
  const login = await cli.run(['login', '--method', 'token', '--addr', stack.vault.url], {
    env: { VAULT_TOKEN: token },
  });
  expect(login.code).toBe(0);
  // Saved only: the daemon is the one that writes it.
  expect(
    (await cli.run(['profile', 'add', 'dev', '--role', 'dev-short', '--no-refresh'])).code,
  ).toBe(0);
  const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');
  return {
    cli,
    token,
    credentials: () => read(cli.credentialsFile),
    lockFile: join(cli.configDir, 'engine.lock'),
    daemon: () => {
      const daemon = startDaemon(cli.env);
      started.push(daemon);
      return daemon;
    },
  };
}

const accessKey = (file: string) => /aws_access_key_id = (\S+)/.exec(file)?.[1];

describe('vault-aws-tray daemon', () => {
  it('keeps a profile fresh, logs one timestamped line per event, and exits 0 on SIGTERM', async () => {
    const u = await user();
    const daemon = u.daemon();
    await daemon.waitFor(/dev: refreshed/);
    const first = accessKey(u.credentials());
    expect(first).toMatch(/^ASIA/);
    await daemon.waitFor(/dev: refreshed/, { nth: 2 });
    expect(accessKey(u.credentials())).not.toBe(first);
    expect(existsSync(u.lockFile)).toBe(true);

    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    expect(existsSync(u.lockFile)).toBe(false);
    const lines = daemon.stderr().trimEnd().split('\n');
    for (const line of lines) expect(line).toMatch(LOG_LINE);
    expect(lines.at(-1)).toMatch(/stopping; the credentials file keeps what was last written$/);
    expect(daemon.stdout()).toBe('');
  });

  it('refuses to start while the tray app or another daemon holds the settings folder', async () => {
    const u = await user();
    const app = await acquireEngineLock(u.cli.configDir, 'app');
    const refused = u.daemon();
    expect(await refused.exited).toBe(1);
    const since = (JSON.parse(readFileSync(u.lockFile, 'utf8')) as { since: string }).since;
    expect(refused.stderr()).toBe(
      `vault-aws-tray: another engine (app, pid ${process.pid}) already keeps the profiles of this settings folder fresh: it holds ${u.lockFile} since ${since}; not starting\n`,
    );
    await app.release();

    const first = u.daemon();
    await first.waitFor(/Vault session: active/);
    const second = u.daemon();
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toContain(`another engine (daemon, pid ${first.child.pid})`);
    // The first one carries on.
    await first.waitFor(/dev: refreshed/);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
  });

  it('a settings folder too deep for a Unix socket: one line, exit 1, the lock given back', async () => {
    const deep = join(mkdtempSync(join(tmpdir(), 'deep-')), 'x'.repeat(100));
    const daemon = startDaemon({
      PATH: process.env.PATH,
      HOME: tmpdir(),
      VAULT_AWS_TRAY_CONFIG_DIR: deep,
    });
    started.push(daemon);
    expect(await daemon.exited).toBe(1);
    const lines = daemon.stderr().trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(
      /^vault-aws-tray: cannot serve the engine's socket: the settings folder's path is too long .*use a shorter --config-dir$/,
    );
    expect(existsSync(join(deep, 'engine.lock'))).toBe(false);
  });

  it('SIGKILL while a refresh waits on Vault leaves the file intact; the next daemon takes over', async () => {
    const u = await user();
    expect((await u.cli.run(['refresh'])).code).toBe(0);
    // The user's own profile, which no crash may touch.
    writeFileSync(u.cli.credentialsFile, '\n[personal]\naws_access_key_id = AKIAUSERKEY\n', {
      flag: 'a',
    });
    for (let round = 0; round < 3; round++) {
      const before = u.credentials();
      stack.vault.injectFault({ path: 'aws/creds/dev-short', kind: 'delay', ms: 3000 });
      const seen = stack.vault.requests.length;
      const daemon = u.daemon();
      await waitUntil(() =>
        stack.vault.requests.slice(seen).some((r) => r.path === '/v1/aws/creds/dev-short'),
      );
      daemon.child.kill('SIGKILL');
      expect(await daemon.exited).toBe('SIGKILL');
      expect(u.credentials()).toBe(before);
      expect(existsSync(u.lockFile)).toBe(true);
    }
    stack.vault.clearFaults();

    const next = u.daemon();
    const before = accessKey(u.credentials());
    await next.waitFor(/dev: refreshed/);
    expect(next.stderr()).not.toContain('another engine');
    expect(accessKey(u.credentials())).not.toBe(before);
    expect(u.credentials()).toContain('[personal]\naws_access_key_id = AKIAUSERKEY\n');
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
  });

  it('a `login` made while it runs signs the daemon in, and writes what is due before it returns', async () => {
    const u = await user();
    expect((await u.cli.run(['logout'])).code).toBe(0);
    const daemon = u.daemon();
    await daemon.waitFor(/warn {2}not signed in to Vault: run `vault-aws-tray login`/);
    expect(u.credentials()).toBe('');

    const token = stack.vault.createToken({ policies: ['aws-dev-readonly'], ttlSeconds: 3600 });
    const login = await u.cli.run(['login', '--method', 'token', '--addr', stack.vault.url], {
      env: { VAULT_TOKEN: token },
    });
    expect(login.code).toBe(0);
    expect(login.stdout).toMatch(/^Signed in to .*\ndev: fresh until /);
    expect(accessKey(u.credentials())).toMatch(/^ASIA/);
    await daemon.waitFor(/Vault session: active/);
    await daemon.waitFor(/dev: refreshed/);
    // The daemon keeps the token where the CLI keeps it: one session for the folder.
    expect(readFileSync(join(u.cli.configDir, 'tokens.json'), 'utf8')).toContain(token);
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
  });

  it('never lets the token or the AWS secrets into its log, notices, status or settings', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'notify-'));
    const notifyLog = join(bin, 'notices.log');
    // The log's path is written into the script: notify-send gets only a desktop's variables.
    writeFileSync(join(bin, 'notify-send'), `#!/bin/sh\nprintf "%s\\n" "$@" >> '${notifyLog}'\n`);
    chmodSync(join(bin, 'notify-send'), 0o755);
    const u = await user({ PATH: `${bin}:${process.env.PATH}` });
    const secrets = new Set<string>([u.token]);
    const keep = () => {
      for (const [, value] of u
        .credentials()
        .matchAll(/aws_(?:secret_access_key|session_token) = (\S+)/g))
        secrets.add(value!);
    };

    const daemon = u.daemon();
    await daemon.waitFor(/dev: refreshed/);
    keep();
    // A failing Vault whose error text quotes the token and a secret key: both must be redacted.
    const secretKey = /aws_secret_access_key = (\S+)/.exec(u.credentials())![1]!;
    stack.vault.injectFault({
      path: 'aws/creds/dev-short',
      kind: 'status',
      status: 500,
      errors: [`backend failed for token ${u.token} and key ${secretKey}`],
    });
    await daemon.waitFor(/dev: refresh failed \(.*\[redacted\]/);
    await daemon.waitFor(/AWS profile dev is fresh again/, { timeoutMs: 25_000 });
    keep();
    const status = await u.cli.run(['status', '--json']);
    expect(status.code).toBe(0);
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    await waitUntil(() => existsSync(notifyLog));

    const notices = readFileSync(notifyLog, 'utf8');
    // The refresh failed with less than the 6 s credentials' lead left, or they ran out first.
    expect(notices).toMatch(/AWS profile dev (expires|has expired)/);
    const places = {
      log: daemon.stderr(),
      notices,
      status: status.stdout + status.stderr,
      settings: readFileSync(join(u.cli.configDir, 'config.json'), 'utf8'),
      state: readFileSync(join(u.cli.configDir, 'state.json'), 'utf8'),
    };
    expect(secrets.size).toBeGreaterThanOrEqual(5);
    for (const [place, text] of Object.entries(places)) {
      for (const secret of secrets)
        expect({ place, leaked: text.includes(secret) }).toEqual({
          place,
          leaked: false,
        });
    }
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
