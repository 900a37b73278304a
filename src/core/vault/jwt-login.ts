import * as oidc from 'openid-client';
import { z } from '../../shared/zod.js';
import type { BrowserOpener, Clock } from '../ports.js';
import type { VaultClient } from './client.js';
import { plainVaultErrors, VaultError } from './errors.js';
import { browserRound } from './browser-round.js';
import { isLoopback } from './loopback-listener.js';
import { completeMfa } from './mfa.js';
import type { MfaPrompt } from './mfa.js';
import type { VaultAuth } from './schemas.js';
import { SignInError } from './sign-in-error.js';

/**
 * Vault's `jwt` auth method with the app as the OpenID client: the app gets an id_token from the
 * company's identity provider (authorization code + PKCE through the browser, or the device flow
 * on a machine without one) and hands it to `auth/<mount>/login` (docs/vault-setup.md sets it up).
 */

export const JWT_DEFAULTS = {
  mount: 'jwt',
  scopes: 'openid email profile groups',
  timeoutMs: 2 * 60_000,
} as const;

const CALLBACK_PATH = '/callback';

export interface JwtLoginOptions {
  client: VaultClient;
  mount?: string;
  role?: string;
  issuer: string;
  clientId: string;
  scopes?: string;
  /** Device authorization grant instead of the browser. */
  device?: boolean;
  noBrowser?: boolean;
  timeoutMs?: number;
  browser: BrowserOpener;
  clock: Clock;
  signal?: AbortSignal;
  tell(line: string): void;
  askTotp: MfaPrompt;
}

/** Discovery of the provider; plain http is accepted only for an issuer on this machine. */
async function discover(options: JwtLoginOptions): Promise<oidc.Configuration> {
  let issuer: URL;
  try {
    issuer = new URL(options.issuer);
  } catch {
    throw new SignInError(
      'not_configured',
      `${options.issuer} is not an issuer URL (like https://login.example.com)`,
    );
  }
  const insecure = issuer.protocol === 'http:';
  if (insecure && !isLoopback(issuer.hostname)) {
    throw new SignInError('not_configured', `the issuer ${options.issuer} must use https`);
  }
  try {
    return await oidc.discovery(
      issuer,
      options.clientId,
      undefined,
      oidc.None(),
      insecure ? { execute: [oidc.allowInsecureRequests] } : undefined,
    );
  } catch (error) {
    throw new SignInError(
      'not_configured',
      `cannot read the identity provider's configuration at ${options.issuer}: ${(error as Error).message}`,
    );
  }
}

/** Authorization code + PKCE (S256) through the browser, on an ephemeral 127.0.0.1 port (RFC 8252). */
async function idTokenFromBrowser(
  config: oidc.Configuration,
  options: JwtLoginOptions,
): Promise<string> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  return browserRound<string>({
    port: 0,
    listenAddress: '127.0.0.1',
    callbackPath: CALLBACK_PATH,
    redirectUri: (port) => `http://127.0.0.1:${port}${CALLBACK_PATH}`,
    async start(redirectUri) {
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: options.scopes ?? JWT_DEFAULTS.scopes,
        state,
        nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      return { url: url.toString(), state };
    },
    async complete(request, redirectUri) {
      try {
        const tokens = await oidc.authorizationCodeGrant(
          config,
          new URL(`${redirectUri}?${request.params}`),
          {
            pkceCodeVerifier: verifier,
            expectedState: state,
            expectedNonce: nonce,
          },
        );
        if (!tokens.id_token) throw new Error('the provider sent no id_token');
        return tokens.id_token;
      } catch (error) {
        throw new SignInError(
          'callback',
          `the identity provider's answer could not be used: ${(error as Error).message}`,
        );
      }
    },
    browser: options.browser,
    noBrowser: options.noBrowser,
    clock: options.clock,
    timeoutMs: options.timeoutMs ?? JWT_DEFAULTS.timeoutMs,
    signal: options.signal,
    tell: options.tell,
  });
}

/** The device authorization grant: a code to enter elsewhere, polled as the provider asks. */
async function idTokenFromDevice(
  config: oidc.Configuration,
  options: JwtLoginOptions,
): Promise<string> {
  let started;
  try {
    started = await oidc.initiateDeviceAuthorization(config, {
      scope: options.scopes ?? JWT_DEFAULTS.scopes,
    });
  } catch (error) {
    throw new SignInError(
      'idp',
      `the identity provider refused to start a device sign-in: ${(error as Error).message}`,
    );
  }
  options.tell(
    `To sign in, open ${started.verification_uri} on any device and enter the code ${started.user_code}`,
  );
  if (started.verification_uri_complete)
    options.tell(`(or open ${started.verification_uri_complete})`);
  options.tell('Waiting for the code to be confirmed (Ctrl-C to cancel)...');
  // The provider's clock, not the app's, decides when the code expires: measure real time here.
  const waitingSince = performance.now();
  try {
    const tokens = await oidc.pollDeviceAuthorizationGrant(config, started, undefined, {
      signal: options.signal,
    });
    if (!tokens.id_token) throw new SignInError('idp', 'the identity provider sent no id_token');
    return tokens.id_token;
  } catch (error) {
    if (error instanceof SignInError) throw error;
    if (options.signal?.aborted) throw new SignInError('cancelled', 'sign-in cancelled');
    const { error: code, error_description: description } = error as {
      error?: string;
      error_description?: string;
    };
    // RFC 8628 says expired_token; providers that drop expired codes answer invalid_grant instead.
    const lapsed = performance.now() - waitingSince >= started.expires_in * 1000;
    if (code === 'expired_token' || (code === 'invalid_grant' && lapsed)) {
      throw new SignInError('timeout', 'the code expired before it was confirmed; run login again');
    }
    if (code === 'access_denied') {
      throw new SignInError('idp', 'the sign-in was denied at the identity provider');
    }
    throw new SignInError(
      'idp',
      `the device sign-in failed: ${description ?? (error as Error).message}${code ? ` (${code})` : ''}`,
    );
  }
}

/** Vault's refusals of an id_token, in words that say who must change what. */
function loginProblem(
  error: VaultError,
  mount: string,
  role: string | undefined,
  clientId: string,
): Error {
  const said = plainVaultErrors(error.details.vaultErrors ?? []).join('; ');
  const which = role ? `role "${role}"` : `the default role of auth/${mount}/`;
  if (error.kind === 'permission_denied')
    return new SignInError(
      'unknown_mount',
      `Vault has no JWT auth method at auth/${mount}/ (check --mount)`,
    );
  if (said.includes('could not be found'))
    return new SignInError(
      'unknown_role',
      `Vault has no role "${role}" at auth/${mount}/ (check --role)`,
    );
  if (said.includes('missing role'))
    return new SignInError('unknown_role', `auth/${mount}/ has no default role: pass --role`);
  if (said.includes('oidc role_type')) {
    return new SignInError(
      'unknown_role',
      `${which} at auth/${mount}/ is for Vault's own browser sign-in: use --method oidc with it, or a role of type jwt`,
    );
  }
  if (said.includes('audience')) {
    return new SignInError(
      'callback',
      `Vault's ${which} does not accept tokens issued to ${clientId} (bound_audiences); ask the Vault admin to add ${clientId}: ${said}`,
    );
  }
  if (said.includes('is expired') || said.includes('not yet valid')) {
    return new SignInError(
      'callback',
      `Vault found the identity provider's token expired or not yet valid; check this machine's clock against Vault's and sign in again (${said})`,
    );
  }
  if (
    said.includes('bound claim') ||
    said.includes('not found in token') ||
    said.includes('failed to fetch groups') ||
    said.includes('bound subject')
  ) {
    return new SignInError(
      'callback',
      `your account does not meet what Vault's ${which} requires: ${said}; ask the Vault admin`,
    );
  }
  return new SignInError('callback', `Vault refused the sign-in: ${said || error.message}`);
}

/** Signs in to Vault's jwt method with an id_token the app obtained itself. */
export async function jwtLogin(options: JwtLoginOptions): Promise<VaultAuth> {
  const mount = (options.mount ?? JWT_DEFAULTS.mount).replace(/^\/+|\/+$/g, '');
  const config = await discover(options);
  const idToken = options.device
    ? await idTokenFromDevice(config, options)
    : await idTokenFromBrowser(config, options);
  let login;
  try {
    login = await options.client.write(
      `auth/${mount}/login`,
      { role: options.role ?? '', jwt: idToken },
      z.null(),
    );
  } catch (error) {
    throw error instanceof VaultError &&
      (error.kind === 'bad_request' ||
        error.kind === 'permission_denied' ||
        error.kind === 'server_error')
      ? loginProblem(error, mount, options.role, options.clientId)
      : error;
  }
  const auth = login.envelope.auth;
  if (!auth) throw new SignInError('callback', 'Vault answered the sign-in without a token');
  return completeMfa(options.client, auth, options.askTotp);
}
