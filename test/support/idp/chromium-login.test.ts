import type { Browser } from 'playwright-core';
import * as client from 'openid-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchChromium } from '../browser.js';
import { CallbackListener, CALLBACK_PAGE } from './callback-listener.js';
import { chromiumLogin } from './chromium-login.js';
import { CANCEL_DESCRIPTION } from './interactions.js';
import { discoverAppClient, discoverVaultClient, startAuthorization } from './oidc-clients.js';
import { IdentityProvider } from './provider.js';
import { DEFAULT_USERS } from './users.js';

const [alice, bob] = DEFAULT_USERS;

let idp: IdentityProvider;
let app: client.Configuration;
let browser: Browser;
let listener: CallbackListener;

beforeAll(async () => {
  [idp, browser] = await Promise.all([IdentityProvider.start(), launchChromium()]);
  app = await discoverAppClient(idp);
});
afterAll(async () => {
  await browser?.close();
  await idp?.stop();
});

beforeEach(async () => {
  listener = await CallbackListener.start('/callback');
  return () => listener.stop();
});

describe('chromiumLogin', () => {
  it("completes the app's code + PKCE flow in a real browser, for the user who typed", async () => {
    const auth = await startAuthorization(app, {
      redirect_uri: listener.redirectUri(),
      scope: 'openid email groups',
    });

    const result = await chromiumLogin(auth.url, alice, { browser });

    expect(result).toMatchObject({ status: 200, body: CALLBACK_PAGE });
    expect(listener.requests.map((r) => r.url.href)).toEqual([result.finalUrl]);
    const tokens = await client.authorizationCodeGrant(app, new URL(result.finalUrl), auth.checks);
    expect(tokens.claims()).toMatchObject({
      sub: alice.sub,
      email: alice.email,
      groups: alice.groups,
    });
  });

  it('lets the browser auto-submit form_post to a Vault-style localhost callback', async () => {
    const vaultListener = await CallbackListener.start('/oidc/callback');
    try {
      const vault = await discoverVaultClient(idp);
      const auth = await startAuthorization(vault, {
        redirect_uri: vaultListener.redirectUri('localhost'),
        scope: 'openid email groups',
        response_mode: 'form_post',
      });

      const result = await chromiumLogin(auth.url, bob, { browser });

      expect(result.finalUrl).toBe(vaultListener.redirectUri('localhost'));
      expect(result.status).toBe(200);
      const [request] = vaultListener.requests;
      expect(request?.method).toBe('POST');
      expect(request?.form?.get('state')).toBe(auth.checks.expectedState);
      expect(request?.form?.get('code')).toBe(result.formPost?.code);
    } finally {
      await vaultListener.stop();
    }
  });

  it('Cancel reaches the redirect URI as access_denied; without following, nothing is requested', async () => {
    const auth = await startAuthorization(app, {
      redirect_uri: listener.redirectUri(),
      scope: 'openid',
    });

    const result = await chromiumLogin(auth.url, alice, {
      browser,
      cancel: true,
      followFinalRedirect: false,
    });

    const params = new URL(result.finalUrl).searchParams;
    expect(params.get('error')).toBe('access_denied');
    expect(params.get('error_description')).toBe(CANCEL_DESCRIPTION);
    expect(result.status).toBeUndefined();
    expect(listener.requests).toHaveLength(0);
  });

  it('throws on a wrong password', async () => {
    const auth = await startAuthorization(app, {
      redirect_uri: listener.redirectUri(),
      scope: 'openid',
    });
    await expect(
      chromiumLogin(auth.url, { email: bob.email, password: 'nope' }, { browser }),
    ).rejects.toThrow(`IdP sign-in failed for ${bob.email}: Invalid email or password.`);
    expect(listener.requests).toHaveLength(0);
  });
});
