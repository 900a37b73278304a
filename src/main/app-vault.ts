import { homedir } from 'node:os';
import { CredentialsFileWriter } from '../core/aws/credentials-file-writer.js';
import { homeDirectory, resolveAwsFilePaths } from '../core/aws/file-paths.js';
import type { AwsFilePaths } from '../core/aws/file-paths.js';
import { systemClock } from '../core/clock.js';
import { SignInNeededError } from '../core/engine/engine.js';
import type { BrowserOpener, Logger } from '../core/ports.js';
import type { MfaPrompt } from '../core/vault/mfa.js';
import { VaultClient } from '../core/vault/client.js';
import { jwtLogin } from '../core/vault/jwt-login.js';
import { oidcLogin } from '../core/vault/oidc-login.js';
import type { VaultAuth } from '../core/vault/schemas.js';
import type { Settings } from '../shared/settings.js';

export interface SignInHooks {
  browser: BrowserOpener;
  signal?: AbortSignal;
  askTotp: MfaPrompt;
  /** The token method: what the user pasted. */
  token?: string;
}

/**
 * What the app's engine needs of Vault and the AWS files, from the settings alone: an app
 * started from the desktop does not see the shell's VAULT_* variables. The proxy in the settings
 * beats HTTPS_PROXY; the OS certificate store is trusted as well as a configured CA file.
 */
export function appVault(env: NodeJS.ProcessEnv, logger: Logger) {
  const client = (settings: Settings, token?: string): VaultClient => {
    const vault = settings.vault;
    if (!vault) throw new SignInNeededError('connect to a Vault first');
    return new VaultClient({
      address: vault.address,
      namespace: vault.namespace || undefined,
      token,
      tls: {
        caFile: vault.caFile,
        caPath: vault.caPath,
        serverName: vault.serverName,
        skipVerify: vault.skipVerify,
        trustSystem: true,
      },
      env: vault.proxy ? { ...env, HTTPS_PROXY: vault.proxy, HTTP_PROXY: vault.proxy } : env,
      logger,
    });
  };
  const awsPaths = (settings: Settings): AwsFilePaths =>
    resolveAwsFilePaths({
      env,
      homeDir: homeDirectory(env, homedir),
      cwd: homedir(),
      settings: settings.files,
    });
  const writer = (settings: Settings) =>
    new CredentialsFileWriter({
      paths: awsPaths(settings),
      inPlace: settings.files.inPlace,
      clock: systemClock,
    });

  /**
   * The configured method's sign-in, on the user's request only: the browser for oidc and jwt,
   * or the token the user pasted. `hooks` connect it to the window (cancel, MFA, progress).
   */
  const signIn = async (
    settings: Settings,
    hooks: SignInHooks,
  ): Promise<Pick<VaultAuth, 'client_token'>> => {
    const vault = settings.vault;
    if (!vault) throw new SignInNeededError('connect to a Vault first');
    if (vault.authMethod === 'token') {
      if (!hooks.token)
        throw new SignInNeededError('paste a Vault token to sign in with the token method');
      return { client_token: hooks.token };
    }
    const common = {
      client: client(settings),
      mount: vault.authMount,
      role: vault.authRole,
      browser: hooks.browser,
      clock: systemClock,
      signal: hooks.signal,
      tell: (line: string) => logger.info(line),
      askTotp: hooks.askTotp,
    };
    if (vault.authMethod === 'oidc') return oidcLogin({ ...common, port: vault.callbackPort });
    if (!vault.issuer || !vault.clientId)
      throw new SignInNeededError(
        'the jwt method needs the identity provider (issuer) and the app’s client ID',
      );
    return jwtLogin({
      ...common,
      issuer: vault.issuer,
      clientId: vault.clientId,
      scopes: vault.scopes,
    });
  };
  return { client, awsPaths, writer, signIn };
}
