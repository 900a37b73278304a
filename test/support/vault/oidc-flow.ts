import { httpLogin } from '../idp/index.js';
import type { LoginCredentials } from '../idp/index.js';
import { vaultRequest } from './vault-http.js';

/**
 * The two halves of `vault login -method=oidc` against the emulator, for tests of the emulator
 * itself: auth_url and the browser (HTTP driver) first, then Vault's callback, which a test may
 * call with altered parameters.
 */
export async function startOidcLogin(
  vaultUrl: string,
  options: {
    user: LoginCredentials;
    redirectUri: string;
    role?: string;
    mount?: string;
    clientNonce?: string;
  },
) {
  const mount = options.mount ?? 'oidc';
  const clientNonce = options.clientNonce ?? 'abcdefghij0123456789';
  const authUrl = await vaultRequest(vaultUrl, 'POST', `auth/${mount}/oidc/auth_url`, {
    body: {
      role: options.role ?? 'dev',
      redirect_uri: options.redirectUri,
      client_nonce: clientNonce,
    },
  });
  const url = String((authUrl.json!.data as Record<string, unknown>).auth_url);
  const browser = await httpLogin(url, options.user, { followFinalRedirect: false });
  const redirected = new URL(browser.finalUrl);
  const callback = (change: { state?: string; code?: string; client_nonce?: string } = {}) => {
    const query = new URLSearchParams({
      state: redirected.searchParams.get('state') ?? '',
      code: redirected.searchParams.get('code') ?? '',
      id_token: '',
      client_nonce: clientNonce,
      ...change,
    });
    return vaultRequest(vaultUrl, 'GET', `auth/${mount}/oidc/callback?${query}`);
  };
  return { redirected, callback };
}
