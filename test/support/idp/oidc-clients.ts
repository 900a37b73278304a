// openid-client set up the way the app (public client) and Vault (confidential client) use the
// IdP; shared by this folder's tests.
import * as client from 'openid-client';
import type { IdentityProvider } from './provider.js';

export function discoverAppClient(idp: IdentityProvider): Promise<client.Configuration> {
  return client.discovery(new URL(idp.issuer), idp.appClientId, undefined, client.None(), {
    execute: [client.allowInsecureRequests],
  });
}

export function discoverVaultClient(
  idp: IdentityProvider,
  clientSecret = idp.vaultClient.clientSecret,
): Promise<client.Configuration> {
  return client.discovery(
    new URL(idp.issuer),
    idp.vaultClient.clientId,
    undefined,
    client.ClientSecretBasic(clientSecret),
    { execute: [client.allowInsecureRequests] },
  );
}

export interface PendingAuthorization {
  url: string;
  checks: { pkceCodeVerifier: string; expectedState: string; expectedNonce: string };
}

/** An authorization URL with PKCE (S256), state and nonce, like both real clients build. */
export async function startAuthorization(
  config: client.Configuration,
  params: { redirect_uri: string; scope: string } & Record<string, string>,
): Promise<PendingAuthorization> {
  const pkceCodeVerifier = client.randomPKCECodeVerifier();
  const expectedState = client.randomState();
  const expectedNonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    ...params,
    state: expectedState,
    nonce: expectedNonce,
    code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
    code_challenge_method: 'S256',
  });
  return { url: url.href, checks: { pkceCodeVerifier, expectedState, expectedNonce } };
}
