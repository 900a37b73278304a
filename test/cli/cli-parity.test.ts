/**
 * Every command says and does the same whether a running engine (the daemon) or the command's
 * own one-shot engine answers: output byte for byte after masking only keys, times, pids and
 * the line that names the engine; the same exit code; the same AWS files, section by section
 * and key by key, with the same modes.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { run } from '../../src/cli/run.js';
import { CLI_BIN, startDaemon } from '../support/daemon-process.js';
import { STACK_REGION, startStack } from '../support/stack.js';
import type { Stack } from '../support/stack.js';

type Mode = 'none' | 'daemon';
interface Step {
  args: string[];
  code: number;
  stdout: string;
  stderr: string;
  /** credentials and config file: null when absent, else mode and sections of masked keys. */
  files: Array<{ mode: number; sections: Array<[string, Array<[string, string]>]> } | null>;
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

// The same folder for both modes, so that paths in the output and the files are the same.
const home = join(tmpdir(), `parity-${process.pid}`);
const configDir = join(home, 'settings');
const credentialsFile = join(home, '.aws', 'credentials');
const configFile = join(home, '.aws', 'config');
const env = { HOME: home, VAULT_AWS_TRAY_CONFIG_DIR: configDir, PATH: process.env.PATH };

/** One command in this process, as a user types it (credential-process: the built bin). */
async function command(args: string[], extra: Record<string, string> = {}) {
  if (args[0] === 'credential-process') {
    return new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
      execFile(process.execPath, [CLI_BIN, ...args], { env: { ...env, ...extra } }, (e, o, s) =>
        done({ code: e ? Number(e.code) : 0, stdout: o, stderr: s }),
      ),
    );
  }
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { ...env, ...extra },
    platform: 'linux',
    homedir: home,
    cwd: home,
    version: '0.0.0-test',
    clock: systemClock,
    stdinIsTty: false,
    readStdin: async () => '',
    promptLine: async () => undefined,
    browser: { open: () => Promise.reject(new Error('no browser in this test')) },
    interruptSignal: () => new AbortController().signal,
    selfPath: resolve(CLI_BIN),
  });
  return { code, stdout, stderr };
}

const SECRET_KEYS = new Set([
  'aws_access_key_id',
  'aws_secret_access_key',
  'aws_session_token',
  'aws_security_token',
  'x_security_token_expires',
]);

function awsFile(path: string): Step['files'][number] {
  if (!existsSync(path)) return null;
  const sections: Array<[string, Array<[string, string]>]> = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const header = /^\[(.+)\]$/.exec(line);
    if (header) sections.push([header[1]!, []]);
    const pair = /^([^=\s]+)\s*=\s*(.*)$/.exec(line);
    if (pair && sections.length > 0)
      sections.at(-1)![1].push([pair[1]!, SECRET_KEYS.has(pair[1]!) ? '<masked>' : pair[2]!]);
  }
  return { mode: statSync(path).mode & 0o777, sections };
}

/** Keys, times and pids masked; the line naming the engine left out. */
export function masked(text: string): string {
  return text
    .replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z\b/g, '<time>')
    .replace(/\b\d+h(\d+m)?(\d+s)?\b|\b\d+m(\d+s)?\b|\b\d+s\b/g, '<span>')
    .replace(/\bASIA[A-Z0-9]{16}\b/g, '<key>')
    .replace(/("(?:SecretAccessKey|SessionToken)":)"[^"]*"/g, '$1"<secret>"')
    .replace(/\b(AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)='[^']*'/g, "$1='<secret>'")
    .replace(/\bpid \d+\b/g, 'pid <pid>')
    .split('\n')
    .filter((line) => !/^Engine: /.test(line) && !/^\w+\s+engine: /.test(line))
    .join('\n');
}

/** Where two transcripts of the same steps differ, one line per difference. */
export function differences(none: Step[], daemon: Step[]): string[] {
  const found: string[] = [];
  none.forEach((a, i) => {
    const b = daemon[i]!;
    const what = a.args.join(' ');
    if (a.code !== b.code) found.push(`${what}: exit ${a.code} without an engine, ${b.code} with`);
    for (const stream of ['stdout', 'stderr'] as const)
      if (masked(a[stream]) !== masked(b[stream]))
        found.push(
          `${what}: ${stream} differs:\n  none:   ${JSON.stringify(masked(a[stream]))}\n  daemon: ${JSON.stringify(masked(b[stream]))}`,
        );
    if (JSON.stringify(a.files) !== JSON.stringify(b.files))
      found.push(
        `${what}: the AWS files differ: ${JSON.stringify(a.files)} / ${JSON.stringify(b.files)}`,
      );
  });
  return found;
}

const token = () => stack.vault.createToken({ policies: ['aws-dev-readonly'], ttlSeconds: 3600 });
const login = ['login', '--method', 'token', '--addr', '<vault>'];
const print = 'console.log(process.env.AWS_ACCESS_KEY_ID.slice(0,4), process.env.AWS_REGION)';

/** The four cases, each a user's state and the commands run from it, in order. */
const CASES: Record<string, { signedIn: boolean; steps: string[][] }> = {
  succeeds: {
    signedIn: true,
    steps: [
      ['status'],
      ['profile', 'list'],
      ['refresh'],
      ['refresh', 'dev'],
      ['credential-process', 'dev'],
      ['env', 'dev'],
      ['exec', 'dev', '--', process.execPath, '-e', print],
      ['profile', 'add', 'ci', '--role', 'dev-readonly', '--delivery', 'process'],
      ['credential-process', 'ci'],
      ['profile', 'set', 'ci', '--delivery', 'file', '--region', 'eu-central-1'],
      ['profile', 'set', 'dev', '--lead', '10m'],
      ['profile', 'remove', 'ci'],
      ['doctor'],
      ['logout'],
      login,
    ],
  },
  'signed out': {
    signedIn: false,
    steps: [
      ['status'],
      ['profile', 'list'],
      ['refresh'],
      ['credential-process', 'dev'],
      ['env', 'dev'],
      ['exec', 'dev', '--', process.execPath, '-e', print],
      ['profile', 'add', 'ci', '--role', 'dev-readonly'],
      ['profile', 'set', 'dev', '--region', 'eu-central-1'],
      ['profile', 'remove', 'ci'],
      ['doctor'],
      ['logout'],
      login,
      ['status'],
    ],
  },
  'unknown profile': {
    signedIn: true,
    steps: [
      ['refresh', 'nope'],
      ['refresh', 'dev', 'nope'],
      ['credential-process', 'nope'],
      ['env', 'nope'],
      ['exec', 'nope', '--', 'true'],
      ['profile', 'set', 'nope', '--region', 'eu-central-1'],
      ['profile', 'remove', 'nope'],
      ['profile', 'add', 'dev', '--role', 'dev-readonly'],
      ['profile', 'add', 'x'.repeat(200), '--role', 'dev-readonly'],
      ['status', 'nope'],
      ['profile', 'list', 'nope'],
      ['doctor', 'nope'],
      ['logout', 'nope'],
      ['login', 'nope'],
      ['setup', 'nowhere.json'],
      ['reset', 'nope'],
    ],
  },
  'bad flag': {
    signedIn: true,
    steps: [
      ['status', '--bogus'],
      ['profile', 'list', '--bogus'],
      ['refresh', '--bogus'],
      ['credential-process', 'dev', '--bogus'],
      ['env', 'dev', '--format', 'cmd'],
      ['exec', 'dev', '--bogus', '--', 'true'],
      ['profile', 'add', 'ci', '--role', 'dev-readonly', '--ttl', '5m'],
      ['profile', 'add', 'ci', '--role', 'dev-readonly', '--region', 'EU WEST'],
      ['profile', 'set', 'dev', '--delivery', 'carrier-pigeon'],
      ['profile', 'remove', 'dev', '--bogus'],
      ['doctor', '--bogus'],
      ['logout', '--bogus'],
      ['login', '--method', 'magic'],
      ['login', '--method', 'oidc', '--port', ''],
      ['setup', 'team.json', '--bogus'],
      ['reset', '--bogus'],
    ],
  },
};

/** Runs a case from a fresh folder, with the daemon or without an engine. */
async function transcript(name: string, mode: Mode): Promise<Step[]> {
  const { signedIn, steps } = CASES[name]!;
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  const withVault = (args: string[]) => args.map((a) => (a === '<vault>' ? stack.vault.url : a));
  const setup = [
    await command(withVault(login), { VAULT_TOKEN: token() }),
    await command(['profile', 'add', 'dev', '--role', 'dev-readonly', '--region', STACK_REGION]),
    ...(signedIn ? [] : [await command(['logout'])]),
  ];
  for (const done of setup) expect(done.code, done.stderr).toBe(0);
  const daemon = mode === 'daemon' ? startDaemon(env) : undefined;
  try {
    await daemon?.waitFor(/answering the CLI on /);
    const recorded: Step[] = [];
    for (const args of steps) {
      const extra: Record<string, string> = args[0] === 'login' ? { VAULT_TOKEN: token() } : {};
      const result = await command(withVault(args), extra);
      recorded.push({ args, ...result, files: [awsFile(credentialsFile), awsFile(configFile)] });
    }
    return recorded;
  } finally {
    daemon?.child.kill('SIGTERM');
    await daemon?.exited;
  }
}

describe('the same command with and without a running engine', () => {
  const recorded = new Map<string, Record<Mode, Step[]>>();

  it.each(Object.keys(CASES))('%s: same output, exit codes and files', async (name) => {
    const none = await transcript(name, 'none');
    const daemon = await transcript(name, 'daemon');
    recorded.set(name, { none, daemon });
    expect(differences(none, daemon)).toEqual([]);
    // The cases do what they say: not all steps of a case can pass or fail alike by accident.
    const codes = none.map((s) => s.code);
    if (name === 'succeeds') expect(codes.every((c) => c === 0)).toBe(true);
    if (name === 'bad flag') expect(codes.every((c) => c === 2)).toBe(true);
    if (name === 'signed out') expect(codes).toContain(3);
    if (name === 'unknown profile') expect(codes.filter((c) => c !== 0).length).toBe(codes.length);
  });

  it('would fail on a one-word difference in one path', () => {
    const { none, daemon } = recorded.get('succeeds')!;
    expect(differences(none, daemon)).toEqual([]);
    // As if one path said "Removed profile ci" and the other "Deleted profile ci".
    const step = daemon.findIndex((s) => s.args.join(' ') === 'profile remove ci');
    const planted = daemon.map((s, i) =>
      i === step ? { ...s, stdout: s.stdout.replace('Removed', 'Deleted') } : s,
    );
    expect(planted[step]!.stdout).not.toBe(daemon[step]!.stdout);
    expect(differences(none, planted)).toEqual([
      expect.stringMatching(/^profile remove ci: stdout differs:/),
    ]);
  });
});
