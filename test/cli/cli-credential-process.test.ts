import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { callerArn } from '../support/aws-sdk.js';
import { CLI_BIN, startDaemon } from '../support/daemon-process.js';
import type { DaemonProcess } from '../support/daemon-process.js';
import { STACK_REGION, startStack } from '../support/stack.js';
import type { Stack } from '../support/stack.js';
import { cliHarness } from './cli-harness.js';

const run = promisify(execFile);
const AWS_CLI = '/usr/bin/aws';
const MINUTE = 60_000;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

const started: DaemonProcess[] = [];
afterEach(() => {
  for (const daemon of started.splice(0)) daemon.child.kill('SIGKILL');
});

const reads = () =>
  stack.vault.requests.filter((r) => r.path === '/v1/aws/creds/dev-readonly').length;

/** A signed-in user with profile `dev` delivered by credential_process. */
async function user() {
  const cli = cliHarness({ clock: systemClock });
  const token = stack.vault.createToken({ policies: ['aws-dev-readonly'], ttlSeconds: 3600 });
  expect(
    (
      await cli.run(['login', '--method', 'token', '--addr', stack.vault.url], {
        env: { VAULT_TOKEN: token },
      })
    ).code,
  ).toBe(0);
  const add = await cli.run([
    'profile',
    'add',
    'dev',
    '--role',
    'dev-readonly',
    '--region',
    STACK_REGION,
    '--delivery',
    'process',
  ]);
  expect(add).toMatchObject({ code: 0, stderr: '' });
  /** The built command, as an SDK or a shell runs it. */
  const bin = async (args: string[], env: Record<string, string> = {}) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI_BIN, ...args], {
        env: { ...cli.env, ...env },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  const daemon = async () => {
    const d = startDaemon(cli.env);
    started.push(d);
    await d.waitFor(/answering the CLI on /);
    return d;
  };
  const file = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');
  return {
    cli,
    token,
    bin,
    daemon,
    credentials: () => file(cli.credentialsFile),
    config: () => file(cli.configFile),
  };
}

async function sdkArn(u: Awaited<ReturnType<typeof user>>): Promise<string | undefined> {
  // The SDK runs credential_process with this process's environment: point it at the user's folder.
  const saved = process.env.VAULT_AWS_TRAY_CONFIG_DIR;
  process.env.VAULT_AWS_TRAY_CONFIG_DIR = u.cli.configDir;
  try {
    return await callerArn({
      endpoint: stack.aws.url,
      profile: 'dev',
      credentialsFile: u.cli.credentialsFile,
      configFile: u.cli.configFile,
    });
  } finally {
    if (saved === undefined) delete process.env.VAULT_AWS_TRAY_CONFIG_DIR;
    else process.env.VAULT_AWS_TRAY_CONFIG_DIR = saved;
  }
}

describe('credential_process from the engine’s memory', () => {
  it('/usr/bin/aws and the AWS SDK use a process profile with no section in the credentials file, and Vault is not read while the cache is warm', async () => {
    const u = await user();
    const daemon = await u.daemon();
    await daemon.waitFor(/dev: refreshed/);
    expect(u.config()).toBe(
      `[profile dev]\nregion = ${STACK_REGION}\ncredential_process = ${join(process.cwd(), CLI_BIN)} credential-process dev\n`,
    );
    expect(u.credentials()).not.toContain('[dev]');
    const before = reads();

    const aws = await run(
      AWS_CLI,
      [
        'sts',
        'get-caller-identity',
        '--profile',
        'dev',
        '--endpoint-url',
        stack.aws.url,
        '--output',
        'json',
      ],
      {
        env: {
          HOME: u.cli.home,
          PATH: process.env.PATH,
          VAULT_AWS_TRAY_CONFIG_DIR: u.cli.configDir,
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      },
    );
    expect(JSON.parse(aws.stdout).Arn).toMatch(
      /^arn:aws:sts::123456789012:assumed-role\/DevReadOnly\//,
    );
    expect(await sdkArn(u)).toMatch(/assumed-role\/DevReadOnly\//);

    const answer = await u.bin(['credential-process', 'dev']);
    expect(answer).toMatchObject({ code: 0, stderr: '' });
    const json = JSON.parse(answer.stdout) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual([
      'Version',
      'AccessKeyId',
      'SecretAccessKey',
      'SessionToken',
      'Expiration',
    ]);
    expect(json.Version).toBe(1);
    expect(json.Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(json.Expiration as string) - Date.now()).toBeGreaterThanOrEqual(15 * MINUTE);
    expect(reads()).toBe(before);
  });

  it('with no engine running, the CLI reads Vault itself and writes no keys', async () => {
    const u = await user();
    const before = reads();
    const answer = await u.bin(['credential-process', 'dev']);
    expect(answer).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(answer.stdout).AccessKeyId).toMatch(/^ASIA/);
    expect(reads()).toBe(before + 1);
    expect(u.credentials()).toBe('');
  });

  it('profile set moves a profile between the files without an engine too', async () => {
    const u = await user();
    expect((await u.bin(['refresh'])).code).toBe(0);
    expect(u.config()).toContain('credential_process = ');
    const toFile = await u.bin(['profile', 'set', 'dev', '--delivery', 'file']);
    expect(toFile.stdout).toMatch(
      /^dev: delivered by static keys in the credentials file from now on\ndev: fresh until /,
    );
    expect(u.credentials()).toMatch(/^\[dev\]\naws_access_key_id = ASIA/);
    expect(u.config()).toBe(`[profile dev]\nregion = ${STACK_REGION}\n`);
    expect((await u.bin(['profile', 'set', 'dev', '--delivery', 'process'])).code).toBe(0);
    expect(u.credentials()).not.toContain('[dev]');
    expect(u.config()).toContain('credential_process = ');
    expect((await u.bin(['profile', 'set', 'dev', '--delivery', 'nope'])).code).toBe(2);
  });

  it('sign-in needed: exit 3 at once with one line on stderr, with and without the engine', async () => {
    const u = await user();
    const daemon = await u.daemon();
    expect((await u.bin(['logout'])).code).toBe(0);
    // A profile the engine holds nothing for, now that it has no session.
    expect(
      (await u.bin(['profile', 'add', 'other', '--role', 'dev-readonly', '--delivery', 'process']))
        .code,
    ).toBe(0);
    const withEngine = await u.bin(['credential-process', 'other']);
    expect(withEngine).toEqual({
      code: 3,
      stdout: '',
      stderr: 'vault-aws-tray: Vault needs a new sign-in: run `vault-aws-tray login`\n',
    });

    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    const alone = await u.cli.run(['credential-process', 'dev']);
    expect(alone.code).toBe(3);
    expect(alone.stdout).toBe('');
    expect(alone.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(alone.stderr).toMatch(/not signed in/);
  });

  it('env and exec hand the same credentials to a shell and to a command, with its exit code', async () => {
    const u = await user();
    await u.daemon();
    const cached = JSON.parse((await u.bin(['credential-process', 'dev'])).stdout) as {
      AccessKeyId: string;
    };
    const env = await u.bin(['env', 'dev']);
    expect(env.stdout).toContain(`export AWS_ACCESS_KEY_ID='${cached.AccessKeyId}'\n`);
    const shell = await run(
      'sh',
      [
        '-c',
        `eval "$(${process.execPath} ${CLI_BIN} env dev)" && ${AWS_CLI} sts get-caller-identity --endpoint-url ${stack.aws.url} --query Arn --output text`,
      ],
      {
        env: { ...u.cli.env, AWS_EC2_METADATA_DISABLED: 'true' },
      },
    );
    expect(shell.stdout).toMatch(/assumed-role\/DevReadOnly\//);
    expect((await u.bin(['env', 'dev', '--format', 'fish'])).stdout).toContain(
      `set -gx AWS_ACCESS_KEY_ID '${cached.AccessKeyId}'`,
    );
    expect((await u.bin(['env', 'dev', '--format', 'cmd'])).code).toBe(2);

    const exec = await u.bin([
      'exec',
      'dev',
      '--',
      process.execPath,
      '-e',
      'console.log(process.env.AWS_ACCESS_KEY_ID, process.env.AWS_REGION); process.exit(7)',
    ]);
    expect(exec).toMatchObject({ code: 7, stdout: `${cached.AccessKeyId} ${STACK_REGION}\n` });
    expect((await u.bin(['exec', 'dev'])).code).toBe(2);
  });

  it('while the daemon runs, status, doctor, refresh and profile changes go through it; a second engine is refused', async () => {
    const u = await user();
    const daemon = await u.daemon();
    const pid = daemon.child.pid;
    const status = await u.bin(['status']);
    expect(status.stdout.split('\n')[0]).toBe(
      `Engine: the daemon (pid ${pid}) keeps the profiles fresh`,
    );
    expect(JSON.parse((await u.bin(['status', '--json'])).stdout)).toMatchObject({
      engine: 'daemon',
      profiles: [{ name: 'dev', delivery: 'process' }],
    });
    expect((await u.bin(['doctor'])).stdout).toContain(`engine: the daemon (pid ${pid}) answers`);

    const refreshed = await u.bin(['refresh', 'dev']);
    expect(refreshed.code).toBe(0);
    await daemon.waitFor(/dev: refreshed/, { nth: 2 });

    expect((await u.bin(['profile', 'set', 'dev', '--delivery', 'file'])).code).toBe(0);
    expect(u.credentials()).toContain('[dev]');
    expect(u.config()).not.toContain('credential_process');
    expect((await u.bin(['profile', 'remove', 'dev'])).stdout).toBe(
      'Removed profile dev and its sections from the AWS files\n',
    );
    expect(u.credentials()).not.toContain('[dev]');
    expect(await daemon.waitFor(/dev: removed/)).toBeTruthy();

    const second = startDaemon(u.cli.env);
    started.push(second);
    expect(await second.exited).toBe(1);
    expect((await u.bin(['status'])).stdout).toContain(`(pid ${pid})`);

    daemon.child.kill('SIGTERM');
    await daemon.exited;
    expect((await u.bin(['status'])).stdout.split('\n')[0]).toMatch(/^Engine: none running/);
  });

  it('the daemon’s socket is 0600 and refuses a request without its token', async () => {
    const u = await user();
    await u.daemon();
    const socket = join(u.cli.configDir, 'engine.sock');
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    expect(statSync(u.cli.configDir).mode & 0o777).toBe(0o700);
    const answer = await new Promise<string>((resolve, reject) => {
      let text = '';
      const client = connect(socket);
      client.on('data', (chunk) => (text += chunk.toString()));
      client.on('error', reject);
      client.on('close', () => resolve(text));
      client.end('{"op":"credentials","profile":"dev"}\n');
    });
    expect(JSON.parse(answer)).toMatchObject({ ok: false, code: 'unauthorized' });
    expect(answer).not.toContain('ASIA');
  });
});
