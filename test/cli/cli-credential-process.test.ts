import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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

/** A signed-in user with profile `dev` delivered by credential_process (written unless told not to). */
async function user(options: { refresh?: boolean } = {}) {
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
    ...(options.refresh === false ? ['--no-refresh'] : []),
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
  // No VAULT_AWS_TRAY_CONFIG_DIR here: the credential_process line names the folder itself, as
  // it must for an SDK started from an IDE, which sees no shell variables.
  expect(process.env.VAULT_AWS_TRAY_CONFIG_DIR).toBeUndefined();
  return callerArn({
    endpoint: stack.aws.url,
    profile: 'dev',
    credentialsFile: u.cli.credentialsFile,
    configFile: u.cli.configFile,
  });
}

describe('credential_process from the engine’s memory', () => {
  it('/usr/bin/aws and the AWS SDK use a process profile with no section in the credentials file, and Vault is not read while the cache is warm', async () => {
    const u = await user();
    const daemon = await u.daemon();
    await daemon.waitFor(/dev: refreshed/);
    expect(u.config()).toBe(
      `[profile dev]\nregion = ${STACK_REGION}\ncredential_process = ${join(process.cwd(), CLI_BIN)} --config-dir ${u.cli.configDir} credential-process dev\n`,
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
        env: { HOME: u.cli.home, PATH: process.env.PATH, AWS_EC2_METADATA_DISABLED: 'true' },
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

  it('with no engine running, three calls within a lifetime read Vault once, from a private cache', async () => {
    const u = await user({ refresh: false });
    const cache = join(u.cli.configDir, 'credentials-cache.json');
    const before = reads();
    const answers = [];
    for (let call = 0; call < 3; call++) {
      const answer = await u.bin(['credential-process', 'dev']);
      expect(answer).toMatchObject({ code: 0, stderr: '' });
      answers.push(JSON.parse(answer.stdout) as { AccessKeyId: string; Expiration: string });
    }
    expect(reads()).toBe(before + 1);
    expect(new Set(answers.map((a) => a.AccessKeyId)).size).toBe(1);
    expect(answers[0]!.AccessKeyId).toMatch(/^ASIA/);
    expect(Date.parse(answers[2]!.Expiration) - Date.now()).toBeGreaterThanOrEqual(15 * MINUTE);
    expect(u.credentials()).toBe('');
    expect(statSync(cache).mode & 0o777).toBe(0o600);
    expect(statSync(u.cli.configDir).mode & 0o777).toBe(0o700);

    // `profile remove` takes the profile's credentials out of the cache; `logout` the whole file.
    expect(
      (await u.bin(['profile', 'add', 'ci', '--role', 'dev-readonly', '--delivery', 'process']))
        .code,
    ).toBe(0);
    expect(readFileSync(cache, 'utf8')).toContain('"ci"');
    expect((await u.bin(['profile', 'remove', 'ci'])).code).toBe(0);
    expect(readFileSync(cache, 'utf8')).not.toContain('"ci"');
    expect(readFileSync(cache, 'utf8')).toContain('"dev"');
    expect((await u.bin(['logout'])).code).toBe(0);
    expect(existsSync(cache)).toBe(false);
  });

  it('with the cache turned off, nothing is kept and every call reads Vault', async () => {
    const u = await user({ refresh: false });
    const settingsFile = join(u.cli.configDir, 'config.json');
    const settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as { engine: object };
    settings.engine = { ...settings.engine, credentialCache: false };
    writeFileSync(settingsFile, JSON.stringify(settings));
    const before = reads();
    const keys = new Set<string>();
    for (let call = 0; call < 2; call++) {
      const answer = await u.bin(['credential-process', 'dev']);
      expect(answer.code).toBe(0);
      keys.add((JSON.parse(answer.stdout) as { AccessKeyId: string }).AccessKeyId);
    }
    expect(reads()).toBe(before + 2);
    expect(keys.size).toBe(2);
    expect(existsSync(join(u.cli.configDir, 'credentials-cache.json'))).toBe(false);
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
    const signedOut = {
      code: 3,
      stdout: '',
      stderr: `vault-aws-tray: not signed in to ${stack.vault.url}: run \`vault-aws-tray login\`\n`,
    };
    expect(withEngine).toEqual(signedOut);

    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    // The same answer from the one-shot engine.
    expect(await u.cli.run(['credential-process', 'dev'])).toEqual(signedOut);
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

    // An inherited AWS_PROFILE is taken out; --region wins; the profile's name is for prompts.
    const report =
      "const e = process.env; console.log([e.AWS_PROFILE, e.AWS_REGION, e.VAULT_AWS_TRAY_PROFILE, e.AWS_ACCESS_KEY_ID].join(' '))";
    const other = await u.bin(
      ['exec', '--region', 'us-east-2', 'dev', '--', process.execPath, '-e', report],
      { AWS_PROFILE: 'prod', AWS_DEFAULT_PROFILE: 'prod' },
    );
    expect(other).toMatchObject({ code: 0, stdout: ` us-east-2 dev ${cached.AccessKeyId}\n` });

    // No command: the user's shell, with dev's variables.
    const shellScript = join(u.cli.home, 'fake-shell');
    writeFileSync(shellScript, '#!/bin/sh\necho "shell for $VAULT_AWS_TRAY_PROFILE"\nexit 4\n', {
      mode: 0o700,
    });
    expect(await u.bin(['exec', 'dev'], { SHELL: shellScript })).toMatchObject({
      code: 4,
      stdout: 'shell for dev\n',
    });
    // As a shell says it: 127 for no such command, 126 for one that cannot be run.
    const missing = await u.bin(['exec', 'dev', '--', 'no-such-command-here']);
    expect(missing).toMatchObject({ code: 127, stdout: '' });
    expect(missing.stderr).toBe('vault-aws-tray: no-such-command-here: command not found\n');
    const notRunnable = join(u.cli.home, 'not-runnable');
    writeFileSync(notRunnable, 'data', { mode: 0o600 });
    const denied = await u.bin(['exec', 'dev', '--', notRunnable]);
    expect(denied).toMatchObject({ code: 126, stdout: '' });
    expect(denied.stderr).toBe(`vault-aws-tray: cannot run ${notRunnable}: EACCES\n`);
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
