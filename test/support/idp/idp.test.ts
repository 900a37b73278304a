import * as client from 'openid-client';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CallbackListener, CALLBACK_PAGE } from './callback-listener.js';
import { HttpBrowser } from './http-browser.js';
import { findLoginForm, httpLogin } from './http-login.js';
import { CANCEL_DESCRIPTION } from './interactions.js';
import { discoverAppClient, discoverVaultClient, startAuthorization } from './oidc-clients.js';
import { IdentityProvider } from './provider.js';
import { DEFAULT_USERS } from './users.js';

const [alice, bob] = DEFAULT_USERS;
const ALL_SCOPES = 'openid email profile groups';

let idp: IdentityProvider;
let listener: CallbackListener;
let app: client.Configuration;

beforeAll(async () => {
  idp = await IdentityProvider.start();
  app = await discoverAppClient(idp);
});
afterAll(() => idp.stop());

beforeEach(async () => {
  listener = await CallbackListener.start('/callback');
  return () => listener.stop();
});

describe('discovery', () => {
  it('publishes the exact issuer, code flow with S256 PKCE, device flow and the claims', () => {
    const metadata = app.serverMetadata();
    expect(idp.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(metadata.issuer).toBe(idp.issuer);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.device_authorization_endpoint).toBe(`${idp.issuer}/device/auth`);
    expect(metadata.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'email', 'profile', 'groups', 'offline_access']),
    );
    expect(metadata.claims_supported).toEqual(
      expect.arrayContaining(['email', 'email_verified', 'name', 'groups']),
    );
  });
});

describe("the app's public client (authorization code + PKCE on a loopback port)", () => {
  it.each([alice, bob])('issues an id_token with the email and groups of $email', async (user) => {
    const auth = await startAuthorization(app, {
      redirect_uri: listener.redirectUri(),
      scope: ALL_SCOPES,
    });

    const result = await httpLogin(auth.url, user);

    const callback = new URL(result.finalUrl);
    expect(callback.origin + callback.pathname).toBe(listener.redirectUri());
    expect(callback.searchParams.get('iss')).toBe(idp.issuer);
    expect(result).toMatchObject({ status: 200, body: CALLBACK_PAGE });
    expect(listener.requests.map((r) => r.url.href)).toEqual([result.finalUrl]);

    const tokens = await client.authorizationCodeGrant(app, callback, auth.checks);
    expect(tokens.claims()).toMatchObject({
      iss: idp.issuer,
      aud: idp.appClientId,
      sub: user.sub,
      email: user.email,
      email_verified: true,
      name: user.name,
      groups: user.groups,
    });
    expect(tokens.refresh_token).toBeUndefined();
    const userinfo = await client.fetchUserInfo(app, tokens.access_token, user.sub);
    expect(userinfo).toMatchObject({ email: user.email, groups: user.groups });
  });

  it('puts only the claims of the requested scopes into the id_token', async () => {
    const auth = await startAuthorization(app, {
      redirect_uri: listener.redirectUri('localhost'),
      scope: 'openid email',
    });
    const result = await httpLogin(auth.url, alice, { followFinalRedirect: false });
    const claims = (
      await client.authorizationCodeGrant(app, new URL(result.finalUrl), auth.checks)
    ).claims();
    expect(claims?.email).toBe(alice.email);
    expect(claims).not.toHaveProperty('groups');
    expect(claims).not.toHaveProperty('name');
  });

  it('issues a refresh token for offline_access (with prompt=consent) that refreshes', async () => {
    const auth = await startAuthorization(app, {
      redirect_uri: listener.redirectUri(),
      scope: `${ALL_SCOPES} offline_access`,
      prompt: 'consent',
    });
    const result = await httpLogin(auth.url, bob, { followFinalRedirect: false });
    const tokens = await client.authorizationCodeGrant(app, new URL(result.finalUrl), auth.checks);
    expect(tokens.refresh_token).toEqual(expect.any(String));

    const refreshed = await client.refreshTokenGrant(app, tokens.refresh_token as string);
    expect(refreshed.claims()).toMatchObject({ sub: bob.sub, groups: bob.groups });
  });

  it('requires PKCE from the public client', async () => {
    const url = client.buildAuthorizationUrl(app, {
      redirect_uri: listener.redirectUri(),
      scope: 'openid',
      state: 'xyz',
    });
    const result = await httpLogin(url.href, alice, { followFinalRedirect: false });
    const params = new URL(result.finalUrl).searchParams;
    expect(params.get('error')).toBe('invalid_request');
    expect(params.get('error_description')).toMatch(/PKCE/);
  });
});

describe("Vault's confidential client", () => {
  let vault: client.Configuration;
  let vaultListener: CallbackListener; // like `vault login -method=oidc`, but on an ephemeral port

  beforeEach(async () => {
    vault = await discoverVaultClient(idp);
    vaultListener = await CallbackListener.start('/oidc/callback');
    return () => vaultListener.stop();
  });

  it('completes a localhost:<any port>/oidc/callback login and its id_token verifies by JWKS', async () => {
    const auth = await startAuthorization(vault, {
      redirect_uri: vaultListener.redirectUri('localhost'),
      scope: ALL_SCOPES,
    });

    const result = await httpLogin(auth.url, alice);
    expect(result.finalUrl.startsWith(`${vaultListener.redirectUri('localhost')}?`)).toBe(true);
    expect(result).toMatchObject({ status: 200, body: CALLBACK_PAGE });

    const tokens = await client.authorizationCodeGrant(
      vault,
      new URL(result.finalUrl),
      auth.checks,
    );
    const jwks = createRemoteJWKSet(new URL(vault.serverMetadata().jwks_uri as string));
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token as string, jwks, {
      issuer: idp.issuer,
      audience: idp.vaultClient.clientId,
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({ sub: alice.sub, email: alice.email, groups: alice.groups });
    expect(payload.nonce).toBe(auth.checks.expectedNonce);
  });

  it('also accepts 127.0.0.1 on any port, and delivers by form_post when asked', async () => {
    const redirectUri = vaultListener.redirectUri('127.0.0.1');
    const auth = await startAuthorization(vault, {
      redirect_uri: redirectUri,
      scope: 'openid email',
      response_mode: 'form_post',
    });

    const result = await httpLogin(auth.url, bob);

    expect(result.finalUrl).toBe(redirectUri);
    expect(result.formPost).toMatchObject({ state: auth.checks.expectedState, iss: idp.issuer });
    expect(result).toMatchObject({ status: 200, body: CALLBACK_PAGE });
    const [request] = vaultListener.requests;
    expect(request?.method).toBe('POST');
    expect(request?.form?.get('code')).toBe(result.formPost?.code);
  });

  it('refuses to redeem the code with a wrong client secret', async () => {
    const auth = await startAuthorization(vault, {
      redirect_uri: vaultListener.redirectUri('localhost'),
      scope: 'openid',
    });
    const result = await httpLogin(auth.url, alice, { followFinalRedirect: false });
    const impostor = await discoverVaultClient(idp, 'not-the-secret');
    await expect(
      client.authorizationCodeGrant(impostor, new URL(result.finalUrl), auth.checks),
    ).rejects.toMatchObject({
      status: 401,
      cause: [
        expect.objectContaining({
          parameters: expect.objectContaining({ error: 'invalid_client' }),
        }),
      ],
    });
  });
});

describe('refused redirect URIs', () => {
  it.each([
    ['another host', 'app', 'http://evil.example/callback'],
    ['another path on loopback', 'app', 'http://127.0.0.1:8250/elsewhere'],
    ['https on loopback', 'app', 'https://127.0.0.1/callback'],
    ["the app's path for Vault", 'vault', 'http://localhost:8250/callback'],
  ])('%s (%s: %s) gets an error page and no redirect', async (_case, who, redirectUri) => {
    const config = who === 'app' ? app : await discoverVaultClient(idp);
    const auth = await startAuthorization(config, { redirect_uri: redirectUri, scope: 'openid' });

    const response = await fetch(auth.url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('invalid_redirect_uri');
    await expect(httpLogin(auth.url, alice)).rejects.toThrow(
      /without redirecting.*invalid_redirect_uri/,
    );
  });
});

describe('the login form', () => {
  it('Cancel sends error=access_denied to the redirect URI', async () => {
    const auth = await startAuthorization(app, {
      redirect_uri: listener.redirectUri(),
      scope: 'openid',
    });

    const result = await httpLogin(auth.url, alice, { cancel: true });

    const params = new URL(result.finalUrl).searchParams;
    expect(params.get('error')).toBe('access_denied');
    expect(params.get('error_description')).toBe(CANCEL_DESCRIPTION);
    expect(params.get('state')).toBe(auth.checks.expectedState);
    expect(listener.requests).toHaveLength(1);
    await expect(
      client.authorizationCodeGrant(app, new URL(result.finalUrl), auth.checks),
    ).rejects.toMatchObject({ error: 'access_denied' });
  });

  it('a wrong password shows the form again with an error; the driver throws', async () => {
    const auth = await startAuthorization(app, {
      redirect_uri: listener.redirectUri(),
      scope: 'openid',
    });
    await expect(
      httpLogin(auth.url, { email: alice.email, password: bob.password }),
    ).rejects.toThrow(`IdP sign-in failed for ${alice.email}: Invalid email or password.`);
    expect(listener.requests).toHaveLength(0);
  });

  it('answers a wrong password with HTTP 200 and escapes what the user typed', async () => {
    const auth = await startAuthorization(app, {
      redirect_uri: listener.redirectUri(),
      scope: 'openid',
    });
    const browser = new HttpBrowser(idp.issuer);
    const first = await browser.navigate(auth.url);
    if (!('page' in first)) throw new Error('expected the login page');
    const form = findLoginForm(first.page);
    if (!form) throw new Error('expected the login form');

    const typed = '"><script>alert(1)</script>';
    const again = await browser.submit(form, { email: typed, password: 'x' }, 'sign-in');

    if (!('page' in again)) throw new Error('expected the form again, not a redirect');
    expect(again.page.status).toBe(200);
    expect(again.page.body).toContain('id="login-error"');
    expect(again.page.body).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(again.page.body).not.toContain('<script>alert(1)');
  });
});

describe('signJwt', () => {
  const verifyAgainst = (provider: IdentityProvider) =>
    createRemoteJWKSet(new URL(`${provider.issuer}/jwks`));

  it('signs with the key published in the JWKS, defaulting iss/aud/iat/exp', async () => {
    const token = await idp.signJwt({ sub: 'carol', groups: ['ops'] });
    const { payload } = await jwtVerify(token, verifyAgainst(idp), {
      issuer: idp.issuer,
      audience: idp.appClientId,
    });
    expect(payload).toMatchObject({ sub: 'carol', groups: ['ops'] });
    expect((payload.exp as number) - (payload.iat as number)).toBe(3600);
    expect(app.serverMetadata().jwks_uri).toBe(`${idp.issuer}/jwks`);
    const jwks = (await (await fetch(`${idp.issuer}/jwks`)).json()) as {
      keys: { kid: string; d?: string }[];
    };
    expect(jwks.keys.map((k) => k.kid)).toContain(decodeProtectedHeader(token).kid);
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
  });

  it('carries the given audience, lifetime and issuer, and leaves out claims set to undefined', async () => {
    const token = await idp.signJwt(
      { sub: 'carol', email: undefined },
      {
        audience: ['vault', 'other'],
        expiresInSeconds: 90,
        issuedAt: 1_900_000_000,
        issuer: 'https://elsewhere',
      },
    );
    const { payload } = await jwtVerify(token, verifyAgainst(idp), {
      currentDate: new Date(1_900_000_010_000),
    });
    expect(payload).toEqual({
      sub: 'carol',
      aud: ['vault', 'other'],
      iss: 'https://elsewhere',
      iat: 1_900_000_000,
      exp: 1_900_000_090,
    });
  });

  it('makes expired tokens that fail verification, and no other IdP instance shares its key', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await idp.signJwt(
      { sub: 'alice' },
      { issuedAt: now - 600, expiresInSeconds: 60 },
    );
    await expect(jwtVerify(expired, verifyAgainst(idp))).rejects.toMatchObject({
      code: 'ERR_JWT_EXPIRED',
    });

    const other = await IdentityProvider.start();
    try {
      const foreign = await other.signJwt({ sub: 'alice' });
      await expect(jwtVerify(foreign, verifyAgainst(idp))).rejects.toMatchObject({
        code: 'ERR_JWKS_NO_MATCHING_KEY',
      });
    } finally {
      await other.stop();
    }
  });
});

describe('options', () => {
  it('honours custom users, client ids and id_token lifetime', async () => {
    const carol = {
      sub: 'c-1',
      email: 'carol@example.org',
      password: 'pw',
      name: 'Carol',
      groups: [],
    };
    const custom = await IdentityProvider.start({
      users: [carol],
      appClientId: 'my-app',
      vaultClient: { clientId: 'vault-test', clientSecret: 'fixed-secret' },
      idTokenTtlSeconds: 120,
    });
    try {
      expect(custom.vaultClient).toEqual({ clientId: 'vault-test', clientSecret: 'fixed-secret' });
      const customApp = await discoverAppClient(custom);
      const auth = await startAuthorization(customApp, {
        redirect_uri: listener.redirectUri(),
        scope: 'openid email groups',
      });
      const result = await httpLogin(auth.url, carol, { followFinalRedirect: false });
      const claims = (
        await client.authorizationCodeGrant(customApp, new URL(result.finalUrl), auth.checks)
      ).claims();
      expect(claims).toMatchObject({ sub: 'c-1', aud: 'my-app', email: carol.email, groups: [] });
      expect((claims?.exp ?? 0) - (claims?.iat ?? 0)).toBe(120);

      const again = await startAuthorization(customApp, {
        redirect_uri: listener.redirectUri(),
        scope: 'openid',
      });
      await expect(httpLogin(again.url, alice)).rejects.toThrow(/Invalid email or password/);
    } finally {
      await custom.stop();
    }
  });
});

describe('stop()', () => {
  it('closes promptly even with kept-alive connections', async () => {
    const other = await IdentityProvider.start();
    await (await fetch(`${other.issuer}/.well-known/openid-configuration`)).text();
    const started = Date.now();
    await other.stop();
    expect(Date.now() - started).toBeLessThan(500);
    await expect(fetch(`${other.issuer}/jwks`)).rejects.toThrow();
  });
});
