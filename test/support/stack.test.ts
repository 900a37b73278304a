import { spawn } from 'node:child_process';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from './fake-clock.js';
import { OIDC_REDIRECT_URI, STACK_REGION, startStack } from './stack.js';
import type { Stack, StackInfo } from './stack.js';
import { httpLogin } from './idp/index.js';
import { JwtBackend, totpCode } from './vault/index.js';
import { startOidcLogin } from './vault/oidc-flow.js';
import { vaultRequest } from './vault/vault-http.js';

const ALICE = { email: 'alice@example.com', password: 'alice-password' };
const BOB = { email: 'bob@example.com', password: 'bob-password' };
const REDIRECT = 'http://localhost:18250/oidc/callback';

let stack: Stack;
let clock: FakeClock;

beforeAll(async () => {
  clock = new FakeClock();
  stack = await startStack({ clock });
});
afterAll(async () => {
  await stack.stop();
});

/** Plays `vault login -method=oidc`: auth_url, the browser (HTTP driver), then the callback. */
function oidcLogin(user = ALICE, role = 'dev') {
  return startOidcLogin(stack.vault.url, { user, role, redirectUri: REDIRECT });
}

function stsClient(creds: Record<string, unknown>) {
  return new STSClient({
    endpoint: stack.aws.url,
    region: STACK_REGION,
    maxAttempts: 1,
    // The SDK would learn this from STS's Date header; here the emulator clock has moved ahead.
    systemClockOffset: clock.now() - Date.now(),
    credentials: {
      accessKeyId: String(creds.access_key),
      secretAccessKey: String(creds.secret_key),
      sessionToken: creds.session_token ? String(creds.session_token) : undefined,
    },
  });
}

describe('the stack', () => {
  it('npm run stack prints the addresses and a root token as JSON and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/stack-cli.ts'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      child.once('exit', (code) => reject(new Error(`stack exited early with ${code}`)));
    });
    const info = JSON.parse(line) as StackInfo;
    expect(info.vault.addr).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.vault.rootToken).toMatch(/^hvs\./);
    expect(info.oidc).toEqual({ mount: 'oidc', role: 'dev', redirectUri: OIDC_REDIRECT_URI });
    const health = await fetch(`${info.vault.addr}/v1/sys/health`);
    expect(health.status).toBe(200);
    const lookup = await vaultRequest(info.vault.addr, 'GET', 'auth/token/lookup-self', {
      token: info.vault.rootToken,
    });
    expect((lookup.json!.data as Record<string, unknown>).policies).toEqual(['root']);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('OIDC sign-in as alice, then aws/creds/dev-readonly gives keys that STS accepts', async () => {
    const { redirected, callback } = await oidcLogin();
    expect(redirected.searchParams.get('state')).toMatch(/^st_[A-Za-z0-9]{20}$/);
    const login = await callback();
    expect(login.status).toBe(200);
    expect(login.json!.mount_type).toBe('');
    const auth = login.json!.auth as Record<string, unknown>;
    expect(auth).toMatchObject({
      policies: ['aws-dev-readonly', 'default'],
      token_policies: ['aws-dev-readonly', 'default'],
      metadata: { role: 'dev' },
      lease_duration: 3600,
      renewable: true,
      token_type: 'service',
      orphan: true,
    });
    const token = String(auth.client_token);
    const lookup = await vaultRequest(stack.vault.url, 'GET', 'auth/token/lookup-self', { token });
    expect((lookup.json!.data as Record<string, unknown>).display_name).toBe(
      'oidc-alice@example.com',
    );

    const creds = await vaultRequest(stack.vault.url, 'GET', 'aws/creds/dev-readonly', { token });
    expect(creds.status).toBe(200);
    const data = creds.json!.data as Record<string, unknown>;
    expect(String(data.arn)).toMatch(
      /^arn:aws:sts::123456789012:assumed-role\/DevReadOnly\/vault-oidc-alice@example\.com-dev-readonly-\d+-/,
    );
    expect(data.session_token).toBe(data.security_token);
    expect(creds.json!.lease_duration).toBe(data.ttl);
    expect(creds.json!.lease_id).toMatch(/^aws\/creds\/dev-readonly\/[A-Za-z0-9]{24}$/);
    const identity = await stsClient(data).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(data.arn);

    const forbidden = await vaultRequest(stack.vault.url, 'GET', 'aws/creds/prod-admin', { token });
    expect(forbidden.status).toBe(403);
    expect(forbidden.json).toEqual({ errors: ['1 error occurred:\n\t* permission denied\n\n'] });
  });

  it('the state is single-use and lasts 10 minutes on the emulator clock', async () => {
    const first = await oidcLogin();
    expect((await first.callback()).status).toBe(200);
    const reused = await first.callback();
    expect(reused.status).toBe(400);
    expect(reused.json).toEqual({
      errors: ['Vault login failed. Expired or missing OAuth state.'],
    });

    const late = await oidcLogin();
    clock.advance(10 * 60 * 1000);
    expect((await late.callback()).json).toEqual({
      errors: ['Vault login failed. Expired or missing OAuth state.'],
    });
  });

  it('a different client_nonce is refused (and uses up the state)', async () => {
    const { callback } = await oidcLogin();
    expect((await callback({ client_nonce: 'other' })).json).toEqual({
      errors: ['invalid client_nonce'],
    });
    expect((await callback()).json).toEqual({
      errors: ['Vault login failed. Expired or missing OAuth state.'],
    });
  });

  it('bob is not in the bound group', async () => {
    const { callback } = await oidcLogin(BOB);
    const res = await callback();
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      errors: [
        'error validating claims: claim "groups" does not match any associated bound claim values',
      ],
    });
  });

  it('an altered code fails the exchange at the provider', async () => {
    const { redirected, callback } = await oidcLogin();
    const res = await callback({ code: `${redirected.searchParams.get('code')}x` });
    expect(res.status).toBe(400);
    expect(String((res.json!.errors as string[])[0])).toMatch(
      /^Vault login failed\. Error exchanging oidc code: ".*"\.$/,
    );
  });

  it('form_post mode: the POSTed code is kept against the state and used by a GET with no_code', async () => {
    const formPost = new JwtBackend(stack.vault, 'oidc');
    stack.vault.mount('oidc-form', formPost, { auth: true });
    formPost.configure({
      oidc_discovery_url: stack.idp.issuer,
      oidc_client_id: stack.idp.vaultClient.clientId,
      oidc_client_secret: stack.idp.vaultClient.clientSecret,
      oidc_response_mode: 'form_post',
    });
    formPost.writeRole('dev', {
      allowed_redirect_uris: [REDIRECT],
      user_claim: 'email',
      oidc_scopes: ['email'],
    });
    const authUrl = await vaultRequest(stack.vault.url, 'POST', 'auth/oidc-form/oidc/auth_url', {
      body: { role: 'dev', redirect_uri: REDIRECT },
    });
    const url = String((authUrl.json!.data as Record<string, unknown>).auth_url);
    expect(new URL(url).searchParams.get('response_mode')).toBe('form_post');
    const browser = await httpLogin(url, ALICE, { followFinalRedirect: false });
    const { state, code } = browser.formPost!;
    // What `vault login` does in form_post mode: a raw form POST to Vault, then the usual GET.
    const posted = await fetch(`${stack.vault.url}/v1/auth/oidc-form/oidc/callback`, {
      method: 'POST',
      body: new URLSearchParams({ state: state!, code: code! }),
    });
    expect(posted.status).toBe(200);
    expect(posted.headers.get('content-type')).toMatch(/^text\/html/);
    const login = await vaultRequest(
      stack.vault.url,
      'GET',
      `auth/oidc-form/oidc/callback?state=${state}&code=no_code`,
    );
    expect((login.json!.auth as Record<string, unknown>).client_token).toMatch(/^hvs\./);
    const notFormPost = await fetch(`${stack.vault.url}/v1/auth/oidc/oidc/callback`, {
      method: 'POST',
      body: new URLSearchParams({ state: state!, code: code! }),
    });
    expect([notFormPost.status, await notFormPost.text()]).toEqual([405, '']);
  });

  it('auth_url is empty for a redirect URI the role does not allow; loopback ports are ignored', async () => {
    const ask = (redirect_uri: string) =>
      vaultRequest(stack.vault.url, 'POST', 'auth/oidc/oidc/auth_url', {
        body: { role: 'dev', redirect_uri },
      });
    const data = async (uri: string) => (await ask(uri)).json!.data as Record<string, string>;
    expect((await data('http://localhost:1234/oidc/callback')).auth_url).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/auth\?/,
    );
    expect(await data('http://127.0.0.1:8250/oidc/callback')).toEqual({ auth_url: '' });
    expect(await data('http://localhost:8250/other')).toEqual({ auth_url: '' });
    const unknown = await vaultRequest(stack.vault.url, 'POST', 'auth/oidc/oidc/auth_url', {
      body: { role: 'nope', redirect_uri: REDIRECT },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toEqual({ errors: ['role "nope" could not be found'] });
  });

  it('the JWT method: the app’s id_token logs in; wrong audience, expired and unbound tokens do not', async () => {
    const now = Math.floor(clock.now() / 1000);
    const claims = { sub: 'alice', email: 'alice@example.com', groups: ['engineering'] };
    const login = (jwt: string) =>
      vaultRequest(stack.vault.url, 'POST', 'auth/jwt/login', { body: { role: 'dev', jwt } });
    const good = await login(
      await stack.idp.signJwt(claims, { audience: 'vault-aws-tray', issuedAt: now }),
    );
    expect(good.status).toBe(200);
    expect((good.json!.auth as Record<string, unknown>).metadata).toEqual({ role: 'dev' });
    const wrongAud = await login(
      await stack.idp.signJwt(claims, { audience: 'someone-else', issuedAt: now }),
    );
    expect(wrongAud.json).toEqual({
      errors: [
        'error validating token: invalid audience (aud) claim: audience claim does not match any expected audience',
      ],
    });
    const expired = await login(
      await stack.idp.signJwt(claims, {
        audience: 'vault-aws-tray',
        issuedAt: now - 7200,
        expiresInSeconds: 3600,
      }),
    );
    expect(expired.json).toEqual({
      errors: ['error validating token: invalid expiration time (exp) claim: token is expired'],
    });
    const unbound = await login(
      await stack.idp.signJwt(
        { ...claims, groups: ['contractors'] },
        { audience: 'vault-aws-tray', issuedAt: now },
      ),
    );
    expect(unbound.json).toEqual({
      errors: [
        'error validating claims: claim "groups" does not match any associated bound claim values',
      ],
    });
  });

  it('login MFA: an mfa_requirement, a wrong TOTP refused, the right one gives the token', async () => {
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    stack.oidc.writeRole(
      'dev-mfa',
      {
        role_type: 'oidc',
        allowed_redirect_uris: [REDIRECT],
        user_claim: 'email',
        oidc_scopes: ['email'],
        token_policies: ['aws-dev-readonly'],
      },
      {
        enforcement: 'dev-totp',
        methodName: 'totp',
        methodId: 'f7a1c2d3-0000-4000-8000-000000000001',
        totpSecret: secret,
      },
    );
    const { callback } = await oidcLogin(ALICE, 'dev-mfa');
    const first = await callback();
    expect(first.status).toBe(200);
    const auth = first.json!.auth as Record<string, unknown>;
    expect(auth.client_token).toBe('');
    const requirement = auth.mfa_requirement as {
      mfa_request_id: string;
      mfa_constraints: Record<string, unknown>;
    };
    expect(requirement.mfa_constraints).toEqual({
      'dev-totp': {
        any: [
          {
            type: 'totp',
            id: 'f7a1c2d3-0000-4000-8000-000000000001',
            uses_passcode: true,
            name: 'totp',
          },
        ],
      },
    });
    expect(String((first.json!.warnings as string[])[0])).toContain('subject to MFA validation');
    const validate = (code: string) =>
      vaultRequest(stack.vault.url, 'POST', 'sys/mfa/validate', {
        body: {
          mfa_request_id: requirement.mfa_request_id,
          mfa_payload: { 'f7a1c2d3-0000-4000-8000-000000000001': [code] },
        },
      });
    const right = totpCode(secret, clock.now());
    const wrong = await validate(right === '000000' ? '111111' : '000000');
    expect(wrong.status).toBe(403);
    expect(wrong.json).toEqual({
      errors: [
        'failed to satisfy enforcement dev-totp. error: 2 errors occurred:\n\t* failed to validate TOTP passcode\n\t* login MFA validation failed for methodID: [f7a1c2d3-0000-4000-8000-000000000001]\n\n',
      ],
    });
    const ok = await validate(right);
    expect(ok.status).toBe(200);
    expect((ok.json!.auth as Record<string, unknown>).client_token).toMatch(/^hvs\./);
    expect((await validate(right)).json).toEqual({ errors: ['invalid request ID'] });
  });

  it('an OIDC token renews by the role’s TTL, and fails once the role is gone', async () => {
    const token = String(
      ((await (await oidcLogin()).callback()).json!.auth as Record<string, unknown>).client_token,
    );
    clock.advance(40 * 60 * 1000);
    const renewed = await vaultRequest(stack.vault.url, 'POST', 'auth/token/renew-self', {
      token,
      body: {},
    });
    expect((renewed.json!.auth as Record<string, unknown>).lease_duration).toBe(3600);
    stack.oidc.writeRole('temp', {
      role_type: 'oidc',
      allowed_redirect_uris: [REDIRECT],
      user_claim: 'sub',
    });
    const { callback } = await oidcLogin(ALICE, 'temp');
    const tempToken = String(
      ((await callback()).json!.auth as Record<string, unknown>).client_token,
    );
    await vaultRequest(stack.vault.url, 'DELETE', 'auth/oidc/role/temp', {
      token: stack.vault.rootToken,
    });
    const orphaned = await vaultRequest(stack.vault.url, 'POST', 'auth/token/renew-self', {
      token: tempToken,
      body: {},
    });
    expect(orphaned.status).toBe(500);
    expect(orphaned.json).toEqual({
      errors: ['1 error occurred:\n\t* role temp does not exist during renewal\n\n'],
    });
  });

  it('iam_user credentials are IAM keys that die with the token’s revocation', async () => {
    stack.awsEngine.writeRole('legacy-user', {
      credential_type: 'iam_user',
      policy_document: '{"Version":"2012-10-17","Statement":[]}',
    });
    stack.vault.writePolicy('legacy', 'path "aws/creds/legacy-user" { capabilities = ["read"] }');
    const token = stack.vault.createToken({ policies: ['legacy'] });
    const creds = await vaultRequest(stack.vault.url, 'GET', 'aws/creds/legacy-user', { token });
    expect(creds.status, JSON.stringify(creds.json)).toBe(200);
    expect(creds.json).toMatchObject({ renewable: true, lease_duration: 2_764_800 });
    const data = creds.json!.data as Record<string, unknown>;
    expect(data).toEqual({
      access_key: expect.stringMatching(/^AKIA/),
      secret_key: expect.any(String),
      session_token: null,
    });
    const identity = await stsClient(data).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toMatch(/^arn:aws:iam::123456789012:user\/vault-token-legacy-user-\d+-/);
    expect(
      (await vaultRequest(stack.vault.url, 'POST', 'auth/token/revoke-self', { token })).status,
    ).toBe(204);
    expect(stack.aws.describeKey(String(data.access_key))).toBeUndefined();
  });
});
