import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerArn as sdkCallerArn } from '../support/aws-sdk.js';
import { FakeClock } from '../support/fake-clock.js';
import { STACK_REGION, startStack } from '../support/stack.js';
import type { Stack } from '../support/stack.js';
import { VAULT_VERSIONS } from '../support/vault/index.js';
import { cliHarness } from './cli-harness.js';

const execFileAsync = promisify(execFile);

/** The AWS SDK for JavaScript reading the written file, on the emulators' clock. */
const callerArn = (
  stack: Stack,
  clock: FakeClock,
  profile: string,
  credentialsFile: string,
  configFile: string,
) =>
  sdkCallerArn({
    endpoint: stack.aws.url,
    profile,
    credentialsFile,
    configFile,
    clockOffsetMs: clock.now() - Date.now(),
  });

describe.each(VAULT_VERSIONS)('the CLI against Vault %s', (version) => {
  let stack: Stack;
  let clock: FakeClock;
  let cli: ReturnType<typeof cliHarness>;

  beforeAll(async () => {
    clock = new FakeClock();
    stack = await startStack({ version, clock });
    cli = cliHarness({ clock });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('login, profile add, refresh, status: the SDK and /usr/bin/aws accept what it wrote', async () => {
    const token = stack.vault.createToken({
      policies: ['aws-dev-readonly'],
      ttlSeconds: 8 * 3600,
      displayName: 'alice',
    });
    const login = await cli.run(['login', '--method', 'token', '--addr', stack.vault.url], {
      env: { VAULT_TOKEN: token },
    });
    expect(login).toMatchObject({ code: 0, stderr: '' });
    expect(login.stdout).toMatch(
      /^Signed in to http:\/\/127\.0\.0\.1:\d+ as token-alice; the token expires /,
    );

    const add = await cli.run([
      'profile',
      'add',
      'dev',
      '--role',
      'dev-readonly',
      '--region',
      STACK_REGION,
      '--ttl',
      '2h',
    ]);
    expect(add).toMatchObject({ code: 0, stderr: '' });

    const refresh = await cli.run(['refresh']);
    expect(refresh.stderr).toBe('');
    expect(refresh.code).toBe(0);
    expect(refresh.stdout).toMatch(
      /^dev: fresh until (\d{4}-\d\d-\d\d )?\d\d:\d\d \(in 1h59m, 1h59m granted\)\n$/,
    );

    const arn = await callerArn(stack, clock, 'dev', cli.credentialsFile, cli.configFile);
    expect(arn).toMatch(
      /^arn:aws:sts::123456789012:assumed-role\/DevReadOnly\/vault-token-alice-dev-readonly-/,
    );
    expect(readFileSync(cli.configFile, 'utf8')).toBe(`[profile dev]\nregion = ${STACK_REGION}\n`);

    const { stdout } = await execFileAsync(
      '/usr/bin/aws',
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
      { env: { PATH: process.env.PATH, HOME: cli.home } },
    );
    expect((JSON.parse(stdout) as { Arn: string }).Arn).toBe(arn);

    const status = await cli.run(['status', '--json']);
    const parsed = JSON.parse(status.stdout) as {
      session: { state: string };
      profiles: Array<{ name: string; state: string; grantedTtlSeconds: number }>;
    };
    expect(parsed.session.state).toBe('active');
    expect(parsed.profiles).toEqual([
      expect.objectContaining({ name: 'dev', state: 'fresh', grantedTtlSeconds: 7199 }),
    ]);
  });

  it('a changed secret fails with SignatureDoesNotMatch; the previous keys expire at STS', async () => {
    const first = readFileSync(cli.credentialsFile, 'utf8');
    clock.advance(30 * 60_000);
    expect((await cli.run(['refresh', 'dev'])).code).toBe(0);
    const second = readFileSync(cli.credentialsFile, 'utf8');
    expect(second).not.toBe(first);

    const tampered = `${cli.credentialsFile}.tampered`;
    writeFileSync(
      tampered,
      second.replace(
        /(aws_secret_access_key = )(.)/,
        (_m, key: string, c: string) => `${key}${c === 'A' ? 'B' : 'A'}`,
      ),
    );
    await expect(callerArn(stack, clock, 'dev', tampered, cli.configFile)).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
    });

    const previous = `${cli.credentialsFile}.previous`;
    writeFileSync(previous, first);
    expect(await callerArn(stack, clock, 'dev', previous, cli.configFile)).toMatch(/assumed-role/);
    clock.advance(90 * 60_000);
    await expect(callerArn(stack, clock, 'dev', previous, cli.configFile)).rejects.toMatchObject({
      name: 'ExpiredToken',
    });
    expect(await callerArn(stack, clock, 'dev', cli.credentialsFile, cli.configFile)).toMatch(
      /assumed-role/,
    );
  });

  it('login reads the token from stdin too; logout revokes it at Vault', async () => {
    const other = cliHarness({ clock });
    const token = stack.vault.createToken({ policies: [] });
    const login = await other.run(['login', '--method', 'token', '--addr', stack.vault.url], {
      stdin: `${token}\n`,
    });
    expect(login.code).toBe(0);
    const wrong = await cliHarness({ clock }).run(
      ['login', '--method', 'token', '--addr', stack.vault.url],
      {
        stdin: 'hvs.not-a-token\n',
      },
    );
    expect(wrong).toMatchObject({
      code: 1,
      stderr: `vault-aws-tray: Vault at ${stack.vault.url} does not accept this token (expired, revoked or mistyped)\n`,
    });
    expect((await other.run(['logout'])).code).toBe(0);
    const lookup = await fetch(`${stack.vault.url}/v1/auth/token/lookup-self`, {
      headers: { 'X-Vault-Token': token },
    });
    expect(lookup.status).toBe(403);
  });

  it('login --method token imports the vault CLI’s ~/.vault-token when nothing else is given', async () => {
    const other = cliHarness({ clock });
    const token = stack.vault.createToken({ policies: [] });
    writeFileSync(`${other.home}/.vault-token`, `${token}\n`, { mode: 0o600 });
    const login = await other.run(['login', '--method', 'token', '--addr', stack.vault.url]);
    expect([login.code, login.stderr]).toEqual([0, '']);
    const none = await cliHarness({ clock }).run([
      'login',
      '--method',
      'token',
      '--addr',
      stack.vault.url,
    ]);
    expect(none).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('no token: set VAULT_TOKEN'),
    });
  });

  it('profile set changes region, TTL and lead; the files follow at once', async () => {
    const before = readFileSync(cli.credentialsFile, 'utf8');
    const set = await cli.run([
      'profile',
      'set',
      'dev',
      '--region',
      'us-east-2',
      '--ttl',
      '30m',
      '--lead',
      '5m',
    ]);
    expect(set).toMatchObject({ code: 0, stderr: '' });
    expect(set.stdout).toMatch(
      /^dev: region us-east-2, 30m credentials, refreshed 5m before expiry from now on\n/,
    );
    expect(readFileSync(cli.configFile, 'utf8')).toBe('[profile dev]\nregion = us-east-2\n');
    // New credentials for the new binding, with a 30-minute TTL.
    expect(readFileSync(cli.credentialsFile, 'utf8')).not.toBe(before);
    const listed = JSON.parse((await cli.run(['profile', 'list', '--json'])).stdout) as unknown[];
    expect(listed).toEqual([
      expect.objectContaining({
        name: 'dev',
        region: 'us-east-2',
        ttlSeconds: 1800,
        leadSeconds: 300,
      }),
    ]);
    const status = JSON.parse((await cli.run(['status', '--json'])).stdout) as {
      profiles: Array<{ grantedTtlSeconds: number }>;
    };
    expect(status.profiles[0]!.grantedTtlSeconds).toBeLessThanOrEqual(1800);
    expect(status.profiles[0]!.grantedTtlSeconds).toBeGreaterThan(1700);
  });

  it('profile list, remove, and logout', async () => {
    expect((await cli.run(['profile', 'list', '--json'])).stdout).toContain(
      '"role": "dev-readonly"',
    );
    const removed = await cli.run(['profile', 'remove', 'dev']);
    expect(removed).toMatchObject({
      code: 0,
      stdout: 'Removed profile dev and its sections from the AWS files\n',
    });
    expect(readFileSync(cli.credentialsFile, 'utf8')).toBe('');
    const logout = await cli.run(['logout']);
    expect(logout).toMatchObject({ code: 0, stdout: `Signed out of ${stack.vault.url}\n` });
    expect((await cli.run(['refresh'])).stdout).toContain('No profiles to refresh');
    expect((await cli.run(['status', '--json'])).stdout).toContain('"state": "signed_out"');
  });
});
