import { randomInt } from 'node:crypto';
import { z } from '../../shared/zod.js';
import type { BrowserOpener, Clock } from '../ports.js';
import type { VaultClient } from './client.js';
import { plainVaultErrors, VaultError } from './errors.js';
import { LoopbackListener } from './loopback-listener.js';
import type { CallbackAnswer, CallbackRequest } from './loopback-listener.js';
import { completeMfa } from './mfa.js';
import type { MfaPrompt } from './mfa.js';
import type { VaultAuth } from './schemas.js';
import { SignInError } from './sign-in-error.js';

/** The vault CLI's defaults (vault-api.md §1.1), so roles set up for `vault login -method=oidc` work. */
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
  const port = options.port ?? OIDC_DEFAULTS.port;
  const scheme = options.callbackScheme ?? OIDC_DEFAULTS.callbackScheme;
  const host = options.callbackHost ?? OIDC_DEFAULTS.callbackHost;
  const nonce = clientNonce();
  let settle!: (outcome: { auth?: VaultAuth; error?: Error }) => void;
  const outcome = new Promise<{ auth?: VaultAuth; error?: Error }>((resolve) => (settle = resolve));
  let expectedState: string | undefined;

  const handle = async (request: CallbackRequest): Promise<CallbackAnswer> => {
    const params = request.params;
    if (expectedState === undefined || params.get('state') !== expectedState) {
      return {
        status: 400,
        title: 'Not this sign-in',
        message:
          'This answer does not belong to the sign-in vault-aws-tray is waiting for; it was ignored.',
        done: false,
      };
    }
    const idpError = params.get('error');
    if (idpError) {
      const description = params.get('error_description');
      const message = `the identity provider refused the sign-in: ${description ? `${description} (${idpError})` : idpError}`;
      settle({ error: new SignInError('idp', message) });
      return { status: 400, title: 'Sign-in refused', message: `The ${message}.`, done: true };
    }
    const query: Record<string, string> = {
      state: expectedState,
      code: params.get('code') ?? '',
      id_token: params.get('id_token') ?? '',
      client_nonce: nonce,
    };
    try {
      if (request.method === 'POST') {
        // form_post: Vault keeps the posted code against the state; the GET then completes it.
        await options.client.postForm(`auth/${mount}/oidc/callback`, new URLSearchParams(query));
        query.id_token = '';
      }
      const login = await options.client.read(`auth/${mount}/oidc/callback`, z.null(), query);
      const auth = login.envelope.auth;
      if (!auth) throw new SignInError('callback', 'Vault answered the sign-in without a token');
      settle({ auth });
      return {
        status: 200,
        title: 'Signed in to Vault',
        message: 'You can close this window and go back to vault-aws-tray.',
        done: true,
      };
    } catch (error) {
      const message =
        error instanceof VaultError
          ? plainVaultErrors(error.details.vaultErrors ?? []).join('; ') || error.message
          : (error as Error).message;
      settle({ error: new SignInError('callback', `Vault refused the sign-in: ${message}`) });
      return {
        status: 400,
        title: 'Sign-in failed',
        message: `Vault refused the sign-in: ${message}`,
        done: true,
      };
    }
  };

  const listener = await LoopbackListener.start({
    port,
    listenAddress: options.listenAddress ?? OIDC_DEFAULTS.listenAddress,
    callbackPath: CALLBACK_PATH,
    handle,
  }).catch((error: unknown) => {
    throw new SignInError('listener', (error as Error).message);
  });
  const timer = options.clock.setTimeout(() => {
    const minutes = Math.round((options.timeoutMs ?? OIDC_DEFAULTS.timeoutMs) / 60_000);
    settle({
      error: new SignInError(
        'timeout',
        `no sign-in came back within ${minutes || '<1'} min; run login again`,
      ),
    });
  }, options.timeoutMs ?? OIDC_DEFAULTS.timeoutMs);
  const onAbort = () => settle({ error: new SignInError('cancelled', 'sign-in cancelled') });
  options.signal?.addEventListener('abort', onAbort);
  try {
    const redirectUri = `${scheme}://${host}:${listener.port}${CALLBACK_PATH}`;
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
    expectedState = new URL(authUrl).searchParams.get('state') ?? undefined;
    if (options.noBrowser) {
      options.tell(authUrl);
    } else {
      try {
        await options.browser.open(authUrl);
      } catch (error) {
        options.tell(
          `could not open a browser (${(error as Error).message}); open this address to sign in:`,
        );
        options.tell(authUrl);
      }
    }
    options.tell('Waiting for the sign-in to finish in the browser (Ctrl-C to cancel)...');
    const result = await outcome;
    if (result.error) throw result.error;
    return await completeMfa(options.client, result.auth!, options.askTotp);
  } finally {
    options.clock.clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    await listener.close();
  }
}
