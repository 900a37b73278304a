import { randomInt } from 'node:crypto';
import { z } from '../../shared/zod.js';
import type { BrowserOpener, Clock } from '../ports.js';
import type { VaultClient } from './client.js';
import { plainVaultErrors, VaultError } from './errors.js';
import { browserRound } from './browser-round.js';
import { completeMfa } from './mfa.js';
import type { MfaPrompt } from './mfa.js';
import type { VaultAuth } from './schemas.js';
import { SignInError } from './sign-in-error.js';

/**
 * The vault CLI's defaults, so roles set up for `vault login -method=oidc` work
 * (docs/vault-setup.md).
 */
export const OIDC_DEFAULTS = {
  mount: 'oidc',
  port: 8250,
  callbackHost: 'localhost',
  listenAddress: 'localhost',
  callbackScheme: 'http',
  timeoutMs: 2 * 60_000,
} as const;

const CALLBACK_PATH = '/oidc/callback';
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface OidcLoginOptions {
  /** A client without a token, for the Vault to sign in to. */
  client: VaultClient;
  mount?: string;
  role?: string;
  port?: number;
  callbackHost?: string;
  listenAddress?: string;
  callbackScheme?: 'http' | 'https';
  noBrowser?: boolean;
  timeoutMs?: number;
  browser: BrowserOpener;
  clock: Clock;
  signal?: AbortSignal;
  /** A line for the user (the URL to open, what is happening). */
  tell(line: string): void;
  /** Asks the user for an MFA code; undefined when nobody can be asked. */
  askTotp: MfaPrompt;
}

const authUrlData = z.object({ auth_url: z.string() });

/** `client_nonce`: 20 random base62 characters, as the vault CLI sends (`base62.Random(20)`). */
function clientNonce(): string {
  return Array.from({ length: 20 }, () => BASE62[randomInt(62)]).join('');
}

/** Vault's answers to auth_url, in words that say what to change. */
function authUrlProblem(error: VaultError, mount: string, role: string | undefined): Error {
  const said = plainVaultErrors(error.details.vaultErrors ?? []).join('; ');
  if (error.kind === 'permission_denied') {
    return new SignInError(
      'unknown_mount',
      `Vault has no OIDC auth method at auth/${mount}/ (check --mount)`,
    );
  }
  if (said.includes('could not be found')) {
    return new SignInError(
      'unknown_role',
      `Vault has no OIDC role "${role}" at auth/${mount}/ (check --role)`,
    );
  }
  if (said.includes('missing role')) {
    return new SignInError('unknown_role', `auth/${mount}/ has no default role: pass --role`);
  }
  if (said.includes('OIDC login is not configured')) {
    return new SignInError(
      'not_configured',
      `auth/${mount}/ on Vault is not set up for browser sign-in (it needs an OIDC discovery URL, client ID and secret); check --mount or ask your Vault admin`,
    );
  }
  return error;
}

/**
 * `vault login -method=oidc`, done by the app: a loopback listener, `auth_url`, the browser, the
 * one callback that matches, Vault's callback, login MFA if Vault asks. Ends with Vault's auth
 * block, or a {@link SignInError}; the listener is closed either way.
 */
export async function oidcLogin(options: OidcLoginOptions): Promise<VaultAuth> {
  const mount = (options.mount ?? OIDC_DEFAULTS.mount).replace(/^\/+|\/+$/g, '');
  const scheme = options.callbackScheme ?? OIDC_DEFAULTS.callbackScheme;
  const host = options.callbackHost ?? OIDC_DEFAULTS.callbackHost;
  const nonce = clientNonce();
  const auth = await browserRound<VaultAuth>({
    port: options.port ?? OIDC_DEFAULTS.port,
    listenAddress: options.listenAddress ?? OIDC_DEFAULTS.listenAddress,
    callbackPath: CALLBACK_PATH,
    redirectUri: (port) => `${scheme}://${host}:${port}${CALLBACK_PATH}`,
    async start(redirectUri) {
      let authUrl: string;
      try {
        const answer = await options.client.write(
          `auth/${mount}/oidc/auth_url`,
          { role: options.role ?? '', redirect_uri: redirectUri, client_nonce: nonce },
          authUrlData,
        );
        authUrl = answer.data.auth_url;
      } catch (error) {
        throw error instanceof VaultError ? authUrlProblem(error, mount, options.role) : error;
      }
      if (!authUrl) {
        throw new SignInError(
          'redirect_not_allowed',
          `Vault role ${options.role ? `"${options.role}"` : `(the default role of auth/${mount}/)`} does not allow the redirect URI ${redirectUri}, or Vault cannot reach its OIDC provider; ask the Vault admin to add ${redirectUri} to the role's allowed_redirect_uris`,
        );
      }
      // Vault checks the state too; the listener checks it first so a stray request ends nothing.
      return { url: authUrl, state: new URL(authUrl).searchParams.get('state') ?? undefined };
    },
    async complete(request) {
      const query: Record<string, string> = {
        state: request.params.get('state') ?? '',
        code: request.params.get('code') ?? '',
        id_token: request.params.get('id_token') ?? '',
        client_nonce: nonce,
      };
      try {
        if (request.method === 'POST') {
          // form_post: Vault keeps the posted code against the state; the GET then completes it.
          await options.client.postForm(`auth/${mount}/oidc/callback`, new URLSearchParams(query));
          query.id_token = '';
        }
        const login = await options.client.read(`auth/${mount}/oidc/callback`, z.null(), query);
        if (!login.envelope.auth)
          throw new SignInError('callback', 'Vault answered the sign-in without a token');
        return login.envelope.auth;
      } catch (error) {
        if (!(error instanceof VaultError)) throw error;
        const said = plainVaultErrors(error.details.vaultErrors ?? []).join('; ') || error.message;
        throw new SignInError('callback', `Vault refused the sign-in: ${said}`);
      }
    },
    browser: options.browser,
    noBrowser: options.noBrowser,
    clock: options.clock,
    timeoutMs: options.timeoutMs ?? OIDC_DEFAULTS.timeoutMs,
    signal: options.signal,
    tell: options.tell,
  });
  return completeMfa(options.client, auth, options.askTotp);
}
