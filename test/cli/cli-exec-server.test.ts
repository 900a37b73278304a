import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import type { Clock } from '../../src/core/ports.js';
import { CLI_BIN, startDaemon } from '../support/daemon-process.js';
import { FakeClock } from '../support/fake-clock.js';
import { STACK_REGION, startStack } from '../support/stack.js';
import type { Stack } from '../support/stack.js';
import { configForChild } from '../../src/cli/credentials-server-env.js';
import { cliHarness } from './cli-harness.js';

const run = promisify(execFile);
const AWS_CLI = '/usr/bin/aws';
const MINUTE = 60_000;

/** What a shell that used AWS and Vault before has: none of it may reach the child. */
const INHERITED = {
  AWS_ACCESS_KEY_ID: 'AKIACANARY0000000000',
  AWS_SECRET_ACCESS_KEY: 'CANARYsecret',
  AWS_SESSION_TOKEN: 'CANARYsession',
  AWS_SECURITY_TOKEN: 'CANARYsecurity',
  AWS_CREDENTIAL_EXPIRATION: '2030-01-01T00:00:00Z',
  AWS_PROFILE: 'prod',
  AWS_DEFAULT_PROFILE: 'prod',
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/canary',
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: '/tmp/canary-token',
  AWS_WEB_IDENTITY_TOKEN_FILE: '/tmp/canary-jwt',
  AWS_ROLE_ARN: 'arn:aws:iam::210987654321:role/ProdAdmin',
  AWS_SHARED_CREDENTIALS_FILE: '/tmp/canary-credentials',
};

/**
 * A child that writes the environment it was given to a file, then waits for a `stop` file
 * holding its exit code: the test asks the server while it runs, as the child's SDK would.
 */
function waitingChild() {
  const dir = mkdtempSync(join(tmpdir(), 'exec-server-child-'));
  const script = join(dir, 'child.cjs');
  const out = join(dir, 'env.json');
  const stop = join(dir, 'stop');
  writeFileSync(
    script,
    `const fs = require('node:fs');
fs.writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.env));
setInterval(() => {
  if (fs.existsSync(${JSON.stringify(stop)})) process.exit(Number(fs.readFileSync(${JSON.stringify(stop)}, 'utf8')));
}, 20);
`,
  );
  return {
    command: [process.execPath, script],
    async env(): Promise<Record<string, string>> {
      await expect.poll(() => existsSync(out), { timeout: 15_000 }).toBe(true);
      await expect.poll(() => readFileSync(out, 'utf8').endsWith('}')).toBe(true);
      return JSON.parse(readFileSync(out, 'utf8')) as Record<string, string>;
    },
    stop: (code: number) => writeFileSync(stop, String(code)),
  };
}

interface Answer {
  status: number;
  body: Record<string, string>;
}

/** One request on a connection of its own, as each SDK process makes. */
function ask(
  env: Record<string, string>,
  init: { token?: string | null; method?: string } = {},
): Promise<Answer> {
  const token = init.token === undefined ? env.AWS_CONTAINER_AUTHORIZATION_TOKEN : init.token;
  return new Promise((resolve, reject) => {
    const req = request(
      env.AWS_CONTAINER_CREDENTIALS_FULL_URI!,
      {
        method: init.method ?? 'GET',
        agent: false,
        headers: token === null ? {} : { Authorization: token },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode!, body: JSON.parse(text) as Record<string, string> }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A user signed in with `dev` (1-hour credentials, with a region) written by the engine. */
async function signedIn(stack: Stack, clock: Clock) {
  const cli = cliHarness({ clock });
  const token = stack.vault.createToken({ policies: ['aws-dev-readonly'], ttlSeconds: 8 * 3600 });
  const login = await cli.run(['login', '--method', 'token', '--addr', stack.vault.url], {
    env: { VAULT_TOKEN: token },
  });
  expect(login.code).toBe(0);
  const add = await cli.run(['profile', 'add', 'dev', '--role', 'dev-readonly']);
  expect(add).toMatchObject({ code: 0, stderr: '' });
  expect((await cli.run(['profile', 'set', 'dev', '--region', STACK_REGION])).code).toBe(0);
  const keyId = () =>
    /\[dev\]\naws_access_key_id = (\S+)/.exec(readFileSync(cli.credentialsFile, 'utf8'))?.[1];
  return { cli, token, keyId };
}

const reads = (stack: Stack) =>
  stack.vault.requests.filter((r) => r.path === '/v1/aws/creds/dev-readonly').length;

describe('the config file the child reads (credentials-server-env.ts)', () => {
  it('keeps every setting but key material and the default profile’s credential sources', () => {
    const config = [
      '# mine',
      '[profile default]',
      'region = eu-west-1',
      'role_arn = arn:aws:iam::210987654321:role/ProdAdmin',
      'source_profile = base',
      'sso_session = corp',
      '  web_identity_token_file = /tmp/jwt',
      's3 =',
      '  max_concurrent_requests = 20',
      'credential_process = /usr/bin/helper',
      '  --with-a-continued-line',
      'ca_bundle = /etc/ssl/corp.pem',
      '[profile base]',
      'credential_process = /usr/bin/helper',
      'aws_access_key_id = AKIACANARY',
      'AWS_Secret_Access_Key = CANARY',
      '[sso-session corp]',
      'sso_start_url = https://corp.awsapps.com/start',
      '[Default]',
      'login_session = arn:aws:iam::123456789012:user/me',
      'output = json',
    ].join('\r\n');
    expect(configForChild(config).split('\n')).toEqual([
      '# mine',
      '[profile default]',
      'region = eu-west-1',
      's3 =',
      '  max_concurrent_requests = 20',
      'ca_bundle = /etc/ssl/corp.pem',
      '[profile base]',
      'credential_process = /usr/bin/helper',
      '[sso-session corp]',
      'sso_start_url = https://corp.awsapps.com/start',
      '[Default]',
      'output = json',
    ]);
  });
});

describe('exec --server with no engine running (the one-shot engine, on a fake clock)', () => {
  let stack: Stack;
  let clock: FakeClock;
  beforeAll(async () => {
    clock = new FakeClock();
    stack = await startStack({ clock });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('the child gets the endpoint and none of the inherited keys; only the token is answered; the exit code passes through and the server goes with the child', async () => {
    const { cli, keyId } = await signedIn(stack, clock);
    // The user's own config: a default profile that would win over the endpoint, and others.
    mkdirSync(join(cli.home, '.aws'), { recursive: true });
    writeFileSync(
      cli.configFile,
      `${readFileSync(cli.configFile, 'utf8')}[default]\nregion = ap-south-1\ncredential_process = /bin/false\ncli_pager =\n[profile other]\nrole_arn = arn:aws:iam::210987654321:role/ProdAdmin\naws_secret_access_key = CANARYconfig\n`,
    );
    const child = waitingChild();
    const running = cli.run(['exec', '--server', 'dev', '--', ...child.command], {
      env: INHERITED,
    });
    const env = await child.env();

    expect(env.AWS_CONTAINER_CREDENTIALS_FULL_URI).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/credentials$/,
    );
    expect(env.AWS_CONTAINER_AUTHORIZATION_TOKEN).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(env).toMatchObject({ AWS_REGION: STACK_REGION, AWS_DEFAULT_REGION: STACK_REGION });
    for (const name of Object.keys(INHERITED).filter((n) => n !== 'AWS_SHARED_CREDENTIALS_FILE'))
      expect(env).not.toHaveProperty(name);
    expect(JSON.stringify(env)).not.toContain('CANARY');
    // The shared files the SDKs read first: no keys, and no credential source in [default].
    expect(readFileSync(env.AWS_SHARED_CREDENTIALS_FILE!, 'utf8')).toBe('');
    const config = readFileSync(env.AWS_CONFIG_FILE!, 'utf8');
    expect(config).toContain('[default]\nregion = ap-south-1\ncli_pager =\n[profile other]\n');
    expect(config).toContain('role_arn = arn:aws:iam::210987654321:role/ProdAdmin\n');
    expect(config).not.toMatch(/credential_process = \/bin\/false|CANARY/);

    const refused = { code: expect.any(String), message: expect.any(String) };
    expect(await ask(env, { token: null })).toEqual({ status: 401, body: refused });
    expect(await ask(env, { token: 'wrong' })).toEqual({ status: 403, body: refused });
    const almost = `${env.AWS_CONTAINER_AUTHORIZATION_TOKEN!.slice(0, -1)}x`;
    expect((await ask(env, { token: almost })).status).toBe(403);
    expect((await ask(env, { method: 'POST' })).status).toBe(405);

    const answer = await ask(env);
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body).sort()).toEqual([
      'AccessKeyId',
      'Expiration',
      'SecretAccessKey',
      'Token',
    ]);
    expect(answer.body.AccessKeyId).toBe(keyId());
    expect(answer.body.Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(answer.body.Expiration!) - clock.now()).toBeGreaterThanOrEqual(15 * MINUTE);

    child.stop(7);
    expect(await running).toMatchObject({ code: 7, stderr: '' });
    await expect(ask(env)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(existsSync(env.AWS_CONFIG_FILE!)).toBe(false);
  });

  it('fresh keys are fetched ahead of need: every answer keeps 15 minutes and none waits on Vault', async () => {
    const { cli } = await signedIn(stack, clock);
    const child = waitingChild();
    const running = cli.run(['exec', '--server', 'dev', '--', ...child.command]);
    const env = await child.env();
    const first = (await ask(env)).body;
    const expiresAt = Date.parse(first.Expiration!);
    const before = reads(stack);

    // Up to the engine's 15-minute margin, the same keys (hand-out.ts), with more than that left.
    clock.advance(expiresAt - 16 * MINUTE - clock.now());
    const same = (await ask(env)).body;
    expect(same.AccessKeyId).toBe(first.AccessKeyId);
    // Past it, the server asks by itself (its timer); meanwhile it answers with what it holds.
    let fresh = same;
    await expect
      .poll(
        async () => {
          fresh = (await ask(env)).body;
          expect(Date.parse(fresh.Expiration!) - clock.now()).toBeGreaterThan(14 * MINUTE);
          clock.advance(1000);
          return fresh.AccessKeyId;
        },
        { timeout: 15_000, interval: 20 },
      )
      .not.toBe(first.AccessKeyId);
    expect(expiresAt - clock.now()).toBeGreaterThan(14 * MINUTE);
    expect(Date.parse(fresh.Expiration!) - clock.now()).toBeGreaterThan(45 * MINUTE);
    expect(reads(stack)).toBe(before + 1);
    // Ten requests at once share what is held: no read of Vault.
    const many = await Promise.all(Array.from({ length: 10 }, () => ask(env)));
    expect(new Set(many.map((a) => a.body.AccessKeyId))).toEqual(new Set([fresh.AccessKeyId]));
    expect(reads(stack)).toBe(before + 1);

    child.stop(0);
    expect((await running).code).toBe(0);
  });

  it('when Vault needs a sign-in and the keys have expired, the answer is an error in words, never the old keys', async () => {
    const { cli, token } = await signedIn(stack, clock);
    const child = waitingChild();
    const running = cli.run(['exec', '--server', 'dev', '--', ...child.command]);
    const env = await child.env();
    const first = (await ask(env)).body;
    await fetch(`${stack.vault.url}/v1/auth/token/revoke-self`, {
      method: 'POST',
      headers: { 'X-Vault-Token': token },
    });
    clock.advance(Date.parse(first.Expiration!) - clock.now() + 1000);
    const answer = await ask(env);
    expect(answer).toEqual({
      status: 503,
      body: { code: 'SignInNeeded', message: expect.stringMatching(/vault-aws-tray login/) },
    });
    // The AWS CLI says so in its own error (botocore prints the body).
    const aws = await run(
      AWS_CLI,
      ['sts', 'get-caller-identity', '--endpoint-url', stack.aws.url],
      {
        env: { ...env, AWS_EC2_METADATA_DISABLED: 'true' },
      },
    ).catch((e: { code: number; stderr: string }) => e);
    expect(aws).toMatchObject({ code: 255, stderr: expect.stringMatching(/SignInNeeded/) });

    child.stop(0);
    const result = await running;
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^vault-aws-tray: warning: dev: credentials server: /);
  });

  it('refusals come before the child starts, with the exit codes of exec', async () => {
    const { cli } = await signedIn(stack, clock);
    const child = waitingChild();
    const unknown = await cli.run(['exec', '--server', 'nope', '--', ...child.command]);
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringMatching(/nope/) });
    expect((await cli.run(['exec', '--server', '--', 'true'])).code).toBe(2);
    expect((await cli.run(['exec', '--server', 'dev', '--', 'no-such-command-here'])).code).toBe(
      127,
    );
    expect((await cli.run(['logout'])).code).toBe(0);
    const signedOut = await cli.run(['exec', '--server', 'dev', '--', ...child.command]);
    expect(signedOut.code).toBe(3);
  });
});

describe('exec --server as the built CLI, on the real clock', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('/usr/bin/aws and the JS SDK in the child use the server, not a valid [default] in ~/.aws/credentials; the keys are the daemon’s', async () => {
    const { cli, keyId } = await signedIn(stack, systemClock);
    const prod = (await (
      await fetch(`${stack.vault.url}/v1/aws/creds/prod-admin`, {
        headers: { 'X-Vault-Token': stack.vault.rootToken },
      })
    ).json()) as { data: Record<string, string> };
    writeFileSync(
      cli.credentialsFile,
      `[default]\naws_access_key_id = ${prod.data.access_key}\naws_secret_access_key = ${prod.data.secret_key}\naws_session_token = ${prod.data.security_token}\n${readFileSync(cli.credentialsFile, 'utf8')}`,
    );
    const daemon = startDaemon(cli.env);
    try {
      await daemon.waitFor(/answering the CLI on /);
      const mark = stack.aws.requests.length;
      const sdk = join(mkdtempSync(join(tmpdir(), 'exec-server-sdk-')), 'arn.cjs');
      writeFileSync(
        sdk,
        `const { STSClient, GetCallerIdentityCommand } = require(${JSON.stringify(createRequire(import.meta.url).resolve('@aws-sdk/client-sts'))});
new STSClient({ endpoint: process.argv[2], maxAttempts: 1 }).send(new GetCallerIdentityCommand({})).then((r) => console.log(r.Arn));
`,
      );
      const child = await run(
        process.execPath,
        [
          CLI_BIN,
          'exec',
          '--server',
          'dev',
          '--',
          'sh',
          '-c',
          `${AWS_CLI} sts get-caller-identity --endpoint-url ${stack.aws.url} --query Arn --output text && ${process.execPath} --no-warnings ${sdk} ${stack.aws.url}`,
        ],
        { env: { ...cli.env, ...INHERITED } },
      );
      const [viaCli, viaSdk] = child.stdout.trim().split('\n');
      expect(viaCli).toMatch(/^arn:aws:sts::123456789012:assumed-role\/DevReadOnly\//);
      expect(viaSdk).toBe(viaCli);
      expect(child.stderr).toBe('');
      // Both calls signed with the keys the daemon holds (and wrote for dev), never prod's.
      const used = stack.aws.requests
        .slice(mark)
        .filter((r) => r.action === 'GetCallerIdentity')
        .map((r) => r.accessKeyId);
      expect(used).toEqual([keyId(), keyId()]);
      expect(used).not.toContain(prod.data.access_key);
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    }
  });
  it('Ctrl-C (SIGINT to the process group) reaches the child; exec exits 130 and the server and its files go', async () => {
    const { cli } = await signedIn(stack, systemClock);
    const child = waitingChild();
    const exec = spawn(
      process.execPath,
      [CLI_BIN, 'exec', '--server', 'dev', '--', ...child.command],
      { env: cli.env, stdio: 'ignore', detached: true },
    );
    const exited = new Promise<number | null>((resolve) => exec.once('exit', resolve));
    const env = await child.env();
    expect((await ask(env)).status).toBe(200);
    process.kill(-exec.pid!, 'SIGINT');
    expect(await exited).toBe(130);
    await expect(ask(env)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(existsSync(env.AWS_SHARED_CREDENTIALS_FILE!)).toBe(false);
  });
});
