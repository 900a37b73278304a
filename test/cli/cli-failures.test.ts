import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CLI_BIN } from '../support/daemon-process.js';
import { FakeClock } from '../support/fake-clock.js';
import { cliHarness } from './cli-harness.js';

const execFileAsync = promisify(execFile);

/** The built CLI as a user runs it, with a home of its own. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const home = mkdtempSync(join(tmpdir(), 'cli-fail-home-'));
  return execFileAsync(process.execPath, [CLI_BIN, ...args], {
    env: { HOME: home, PATH: process.env.PATH },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );
}

/**
 * A settings folder nobody can create: under a folder without write permission, or for root (who
 * ignores permissions) under /sys, which refuses every new entry.
 */
function unwritablePlace(base: string): string {
  if (process.getuid?.() === 0) return '/sys/vault-aws-tray-test/settings';
  const locked = join(base, 'locked');
  mkdirSync(locked);
  chmodSync(locked, 0o500);
  return join(locked, 'settings');
}

const STACK_LINE = /^ {4}at /m;

describe('a failure nothing else explains is one line and exit 1; --debug shows the stack', () => {
  const base = mkdtempSync(join(tmpdir(), 'cli-fail-'));
  const aFile = join(base, 'a-file');
  writeFileSync(aFile, 'not a folder\n');
  const dangling = join(base, 'dangling');
  symlinkSync(join(base, 'gone'), dangling);
  const places: Array<[string, string, RegExp]> = [
    ['a file (ENOTDIR)', aFile, /ENOTDIR: not a directory/],
    ['a dangling symlink', dangling, /ENOENT: no such file or directory/],
    ['an unwritable place', unwritablePlace(base), /EACCES|EPERM/],
    // Node's recursive mkdir never returned for this one: each folder is now made in turn.
    ['a place no folder can be made (/proc)', '/proc/vault-aws-tray-test/settings', /ENOENT/],
  ];

  it.each(places)('--config-dir at %s', async (_name, dir, reason) => {
    for (const command of [['status'], ['profile', 'add', 'dev', '--role', 'r', '--no-refresh']]) {
      const result = await cli(['--config-dir', dir, ...command]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^vault-aws-tray: [^\n]+ \(--debug shows where\)\n$/);
      expect(result.stderr).toMatch(reason);
      expect(result.stderr).not.toMatch(STACK_LINE);
    }
    for (const args of [
      ['--debug', '--config-dir', dir, 'status'],
      ['--config-dir', dir, 'status', '--debug'],
    ]) {
      const debug = await cli(args);
      expect(debug.code).toBe(1);
      const [first, ...stack] = debug.stderr.split('\n');
      expect(first).toMatch(/^vault-aws-tray: /);
      expect(first).toMatch(reason);
      expect(stack.join('\n')).toMatch(STACK_LINE);
    }
  });

  it('--debug before `--` is ours; after it, the command’s', async () => {
    const result = await cli(['--config-dir', aFile, 'exec', 'dev', '--', 'echo', '--debug']);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('the usage says --debug', async () => {
    expect((await cli(['--help'])).stdout).toMatch(/^ {2}--debug {11}\S/m);
  });
});

describe('login --port', () => {
  it('an empty --port is a usage error (exit 2), not port 0', async () => {
    const harness = cliHarness({ clock: new FakeClock() });
    for (const method of ['oidc', 'jwt']) {
      const result = await harness.run([
        'login',
        '--method',
        method,
        '--addr',
        'http://127.0.0.1:9',
        '--issuer',
        'http://127.0.0.1:9',
        '--client-id',
        'app',
        '--port',
        '',
      ]);
      expect([result.code, result.stderr]).toEqual([
        2,
        'vault-aws-tray: --port "" is not a port number\n',
      ]);
    }
  });
});
