import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  /** Private JWK (with kid, alg, use) as oidc-provider's `jwks` wants it; it publishes only the public half. */
  privateJwk: JWK;
}

/** A fresh RS256 key per provider, so a token from one test's IdP never verifies at another's. */
export async function generateSigningKey(): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, privateKey, privateJwk: { ...jwk, kid, alg: 'RS256', use: 'sig' } };
}
