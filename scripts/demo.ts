/**
 * `npm run demo`: starts `npm run stack` and plays, step by step, the manual workflow that
 * vault-aws-tray automates (the seed article): `vault login -method=oidc`, `vault read
 * aws/creds/<role>`, then the AWS CLI using those credentials. Everything runs on loopback; the
 * browser is played by the plain-HTTP driver unless `--browser` asks for headless Chromium.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
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

    step(`vault login -method=oidc role=${info.oidc.role}`);
    const token = await oidcLogin(info, useChromium);
    const self = await vault(info, 'GET', 'auth/token/lookup-self', token);
    say(
      `  Signed in as ${self.data.display_name}; policies ${self.data.policies.join(', ')}; token valid for ${self.data.ttl} s`,
    );

    step('vault read aws/creds/dev-readonly');
    const creds = await vault(info, 'GET', `${info.aws.mount}/creds/dev-readonly`, token);
    say(`  access_key  ${creds.data.access_key}`);
    say(`  arn         ${creds.data.arn}`);
    say(`  ttl         ${creds.data.ttl} s (and then the same again, by hand, every hour)`);

    step(`aws sts get-caller-identity --endpoint-url ${info.sts.endpoint}`);
    const { stdout } = await promisify(execFile)(
      AWS_CLI,
      ['sts', 'get-caller-identity', '--endpoint-url', info.sts.endpoint, '--output', 'json'],
      {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AWS_ACCESS_KEY_ID: creds.data.access_key,
          AWS_SECRET_ACCESS_KEY: creds.data.secret_key,
          AWS_SESSION_TOKEN: creds.data.session_token ?? creds.data.security_token,
          AWS_REGION: info.sts.region,
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        },
      },
    );
    say(`  Arn: ${(JSON.parse(stdout) as { Arn: string }).Arn}`);
    say('\nThis is the hourly chore vault-aws-tray takes over: sign in once, profiles stay fresh.');
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
