import type { VaultSettings } from '../../shared/settings.js';
import type { BrowserOpener, Clock } from '../ports.js';
import { connectionFor, loginConnection, vaultClientFor } from './connection.js';
import type { ClientEnvironment } from './connection.js';
import { JWT_DEFAULTS, jwtLogin } from './jwt-login.js';
import type { MfaPrompt } from './mfa.js';
import { OIDC_DEFAULTS, oidcLogin } from './oidc-login.js';
import { SignInError } from './sign-in-error.js';

export type SignInMethod = VaultSettings['authMethod'];
export const SIGN_IN_METHODS: readonly SignInMethod[] = ['oidc', 'jwt', 'token'];

/** How a front end takes part in a sign-in: its browser, its prompts, its way to cancel. */
export interface SignInHooks {
  browser: BrowserOpener;
  clock: Clock;
  signal?: AbortSignal;
  /** A line for the user (the URL to open, what is happening). */
  tell(line: string): void;
  askTotp: MfaPrompt;
  /** The token method: the token the user gives (pasted, piped, from the environment). */
  token?(): Promise<string | undefined>;
}

/** What only a terminal can choose for one sign-in; the window uses the saved settings. */
export interface SignInTweaks {
  port?: number;
  callbackHost?: string;
  listenAddress?: string;
  callbackScheme?: 'http' | 'https';
  noBrowser?: boolean;
  timeoutMs?: number;
  device?: boolean;
}

type Run = (
  vault: VaultSettings,
  environment: ClientEnvironment,
  hooks: SignInHooks,
  tweaks: SignInTweaks,
) => Promise<string>;

/**
 * The sign-in methods, one registry for the CLI's `login` and the app's "Sign in": each turns
 * the saved (or about to be saved) Vault settings into a Vault token, or fails with a
 * SignInError in words. Nothing is stored here: the engine takes the token (EngineApi.signIn).
 */
const METHODS: Record<SignInMethod, Run> = {
  async token(_vault, _environment, hooks) {
    const token = (await hooks.token?.())?.trim();
    if (!token) throw new SignInError('no_token', 'no Vault token was given');
    return token;
  },
  async oidc(vault, environment, hooks, tweaks) {
    const auth = await oidcLogin({
      client: vaultClientFor(connectionFor(vault, environment), environment),
      mount: vault.authMount,
      role: vault.authRole,
      port: tweaks.port ?? vault.callbackPort,
      callbackHost: tweaks.callbackHost,
      listenAddress: tweaks.listenAddress,
      callbackScheme: tweaks.callbackScheme,
      noBrowser: tweaks.noBrowser,
      timeoutMs: tweaks.timeoutMs,
      ...hooks,
    });
    return auth.client_token;
  },
  async jwt(vault, environment, hooks, tweaks) {
    if (!vault.issuer)
      throw new SignInError(
        'not_configured',
        'the jwt method needs the identity provider’s address (the issuer), like https://login.example.com',
      );
    if (!vault.clientId)
      throw new SignInError(
        'not_configured',
        'the jwt method needs the app’s client ID at the identity provider',
      );
    const auth = await jwtLogin({
      client: vaultClientFor(connectionFor(vault, environment), environment),
      mount: vault.authMount,
      role: vault.authRole,
      issuer: vault.issuer,
      clientId: vault.clientId,
      scopes: vault.scopes,
      device: tweaks.device,
      noBrowser: tweaks.noBrowser,
      timeoutMs: tweaks.timeoutMs,
      ...hooks,
    });
    return auth.client_token;
  },
};

/** What a user should know before signing in with these settings (TLS verification off). */
export function signInWarnings(vault: VaultSettings, environment: ClientEnvironment): string[] {
  const connection = connectionFor(vault, environment);
  return connection.tls.skipVerify
    ? [
        `TLS verification is OFF for ${connection.address} (VAULT_SKIP_VERIFY): anyone on the network path can read your Vault token`,
      ]
    : [];
}

/** Runs the sign-in of `vault.authMethod` and returns the token Vault gave. */
export function obtainToken(
  vault: VaultSettings,
  environment: ClientEnvironment,
  hooks: SignInHooks,
  tweaks: SignInTweaks = {},
): Promise<string> {
  return METHODS[vault.authMethod](vault, environment, hooks, tweaks);
}

/** Default mounts per method, as the vault CLI has them. */
export const DEFAULT_MOUNT: Record<Exclude<SignInMethod, 'token'>, string> = {
  oidc: OIDC_DEFAULTS.mount,
  jwt: JWT_DEFAULTS.mount,
};

export interface LoginFlags {
  method?: SignInMethod;
  addr?: string;
  namespace?: string;
  mount?: string;
  role?: string;
  issuer?: string;
  clientId?: string;
  scope?: string;
}

/**
 * The Vault settings a terminal `login` signs in with and keeps: the address, namespace and TLS
 * from flags, else the vault CLI's VAULT_* variables, else the saved settings; the method's
 * mount, role and provider from flags, else what was saved for the same method.
 */
export function loginVault(
  saved: VaultSettings | undefined,
  env: Record<string, string | undefined>,
  flags: LoginFlags,
): VaultSettings {
  const connection = loginConnection(saved, env, { addr: flags.addr, namespace: flags.namespace });
  const method = flags.method ?? 'oidc';
  const same = saved?.authMethod === method;
  return {
    ...saved,
    address: connection.address,
    namespace: connection.namespace,
    // Kept so that later runs, and the tray app, which sees no shell variables, trust the same CA.
    caFile: connection.tls.caFile,
    caPath: connection.tls.caPath,
    serverName: connection.tls.serverName,
    skipVerify: saved?.skipVerify ?? false,
    authMethod: method,
    authMount:
      method === 'token'
        ? saved?.authMount
        : (flags.mount ?? (same ? saved?.authMount : undefined) ?? DEFAULT_MOUNT[method]),
    authRole:
      method === 'token' ? saved?.authRole : (flags.role ?? (same ? saved?.authRole : undefined)),
    issuer: method === 'jwt' ? (flags.issuer ?? saved?.issuer) : saved?.issuer,
    clientId: method === 'jwt' ? (flags.clientId ?? saved?.clientId) : saved?.clientId,
    scopes: method === 'jwt' ? (flags.scope ?? saved?.scopes) : saved?.scopes,
  };
}
