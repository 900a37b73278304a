/**
 * `npm run demo`: builds, starts the stack (`npm run stack`) and runs the built `vault-aws-tray`
 * as a user would: sign in, add profile `demo` for Vault role `dev-readonly`, refresh, status,
 * and finally `/usr/bin/aws sts get-caller-identity --profile demo` against the stack's STS.
 * The Vault token comes from the company sign-in (`vault login -method=oidc`), played by the
 * plain-HTTP driver, or by headless Chromium with `--browser`. Everything runs on loopback and
 * writes only to a sandbox folder.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { chromiumLogin, httpLogin } from '../test/support/idp/index.js';
import type { StackInfo } from '../test/support/stack.js';

const AWS_CLI = '/usr/bin/aws';
const say = (text: string) => process.stdout.write(`${text}\n`);
const step = (command: string) => say(`\n$ ${command}`);

async function startStack(): Promise<{ child: ChildProcess; info: StackInfo }> {
  // The command behind `npm run stack`, run directly so that stopping it stops the servers.
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/stack-cli.ts'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf('\n');
      if (newline >= 0) resolve(out.slice(0, newline));
    });
    child.once('exit', (code) => reject(new Error(`npm run stack exited with ${code}`)));
  });
  return { child, info: JSON.parse(line) as StackInfo };
}

/** The parts of Vault's envelope the demo reads. */
interface Envelope {
  data: Record<string, string & string[]>;
  auth: { client_token: string };
  errors?: string[];
}

async function vault(
  info: StackInfo,
  method: string,
  path: string,
  token?: string,
  body?: object,
): Promise<Envelope> {
  const headers: Record<string, string> = {
    'X-Vault-Request': 'true',
    'Content-Type': 'application/json',
  };
  if (token) headers['X-Vault-Token'] = token;
  const res = await fetch(`${info.vault.addr}/v1/${path}`, {
    method,
    headers,
    body: body && JSON.stringify(body),
  });
  const json = (await res.json()) as Envelope;
  if (!res.ok) throw new Error(`Vault answered ${res.status}: ${JSON.stringify(json.errors)}`);
  return json;
}

/** What `vault login -method=oidc` does: auth_url, a loopback listener, the browser, the callback. */
async function oidcLogin(info: StackInfo, useChromium: boolean): Promise<string> {
  const clientNonce = randomBytes(15).toString('base64url').slice(0, 20);
  let finish!: (token: string) => void;
  let fail!: (error: Error) => void;
  const done = new Promise<string>((resolve, reject) => ((finish = resolve), (fail = reject)));
  const listener = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/oidc/callback') return void res.writeHead(404).end();
    const query = new URLSearchParams({
      state: url.searchParams.get('state') ?? '',
      code: url.searchParams.get('code') ?? '',
      id_token: '',
      client_nonce: clientNonce,
    });
    vault(info, 'GET', `auth/${info.oidc.mount}/oidc/callback?${query}`).then(
      (login) => {
        res
          .writeHead(200, { 'content-type': 'text/plain' })
          .end('Signed in to Vault. You may close this window.');
        finish(String(login.auth.client_token));
      },
      (error: Error) => {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('Vault login failed.');
        fail(error);
      },
    );
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as AddressInfo).port;
  try {
    // Vault ignores the port of a loopback redirect URI, so any free port matches the role's URI.
    const redirectUri = info.oidc.redirectUri.replace(':8250/', `:${port}/`);
    const authUrl = await vault(info, 'POST', `auth/${info.oidc.mount}/oidc/auth_url`, undefined, {
      role: info.oidc.role,
      redirect_uri: redirectUri,
      client_nonce: clientNonce,
    });
    const user = info.idp.users[0]!;
    say(`  (the browser opens the company sign-in page; ${user.email} signs in)`);
    const login = useChromium ? chromiumLogin : httpLogin;
    await login(String(authUrl.data.auth_url), user);
    return await done;
  } finally {
    listener.close();
  }
}

const run = promisify(execFile);
const BIN = 'bin/vault-aws-tray.js';

/** Runs the built CLI as a user would type it, printing the command and what it said. */
async function app(
  args: string[],
  env: Record<string, string | undefined>,
  shown = '',
): Promise<void> {
  step(`${shown}vault-aws-tray ${args.join(' ')}`);
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env });
    for (const text of [stdout, stderr]) if (text.trim()) say(text.trimEnd().replace(/^/gm, '  '));
  } catch (error) {
    const { stderr, code } = error as { stderr?: string; code?: number };
    throw new Error(`vault-aws-tray ${args[0]} exited with ${code}: ${stderr?.trim() ?? ''}`, {
      cause: error,
    });
  }
}

async function main(): Promise<void> {
  const useChromium = process.argv.includes('--browser');
  if (!existsSync(AWS_CLI))
    throw new Error(`${AWS_CLI} is missing: apt-get install -y --no-install-recommends awscli`);
  step('npm run stack');
  const { child, info } = await startStack();
  try {
    say(
      `  Vault ${info.vault.version} at ${info.vault.addr}, STS at ${info.sts.endpoint}, OpenID provider at ${info.idp.issuer}`,
    );

    step(`vault login -method=oidc role=${info.oidc.role}   # the company sign-in, done once`);
    const token = await oidcLogin(info, useChromium);
    const self = await vault(info, 'GET', 'auth/token/lookup-self', token);
    say(`  Signed in as ${self.data.display_name}; policies ${self.data.policies.join(', ')}`);

    // A sandbox: the app's settings and the AWS files of this demo, never the user's real ~/.aws.
    const sandbox = mkdtempSync(join(tmpdir(), 'vault-aws-tray-demo-'));
    const env = {
      PATH: process.env.PATH,
      HOME: sandbox,
      VAULT_AWS_TRAY_CONFIG_DIR: join(sandbox, 'settings'),
      AWS_SHARED_CREDENTIALS_FILE: join(sandbox, 'aws', 'credentials'),
      AWS_CONFIG_FILE: join(sandbox, 'aws', 'config'),
    };
    say(`  (the demo's AWS files: ${env.AWS_SHARED_CREDENTIALS_FILE} and ${env.AWS_CONFIG_FILE})`);

    await app(
      ['login', '--method', 'token', '--addr', info.vault.addr],
      { ...env, VAULT_TOKEN: token },
      'VAULT_TOKEN=… ',
    );
    await app(
      ['profile', 'add', 'demo', '--role', 'dev-readonly', '--region', info.sts.region],
      env,
    );
    await app(['refresh'], env);
    await app(['status'], env);

    step(`aws sts get-caller-identity --profile demo --endpoint-url ${info.sts.endpoint}`);
    const { stdout } = await run(
      AWS_CLI,
      [
        'sts',
        'get-caller-identity',
        '--profile',
        'demo',
        '--endpoint-url',
        info.sts.endpoint,
        '--output',
        'json',
      ],
      { env },
    );
    say(`  Arn: ${(JSON.parse(stdout) as { Arn: string }).Arn}`);
    say(
      '\nThe profile "demo" now holds short-lived keys from Vault; `vault-aws-tray refresh` renews them.',
    );
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
