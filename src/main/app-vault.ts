import { homedir } from 'node:os';
import { CredentialsFileWriter } from '../core/aws/credentials-file-writer.js';
import { homeDirectory, resolveAwsFilePaths } from '../core/aws/file-paths.js';
import type { AwsFilePaths } from '../core/aws/file-paths.js';
import { systemClock } from '../core/clock.js';
import { SignInNeededError } from '../core/engine/engine.js';
import type { BrowserOpener, Logger } from '../core/ports.js';
import { VaultClient } from '../core/vault/client.js';
import { jwtLogin } from '../core/vault/jwt-login.js';
import { oidcLogin } from '../core/vault/oidc-login.js';
import type { VaultAuth } from '../core/vault/schemas.js';
import type { Settings } from '../shared/settings.js';

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

  /** The configured method's sign-in in the browser; only ever on the user's request. */
  const signIn = async (settings: Settings, browser: BrowserOpener): Promise<VaultAuth> => {
    const vault = settings.vault;
    if (!vault) throw new SignInNeededError('connect to a Vault first');
    const common = {
      client: client(settings),
      mount: vault.authMount,
      role: vault.authRole,
      browser,
      clock: systemClock,
      tell: (line: string) => logger.info(line),
      // The window asks for login MFA codes (the window issue); until then Vault's MFA fails.
      askTotp: async () => undefined,
    };
    if (vault.authMethod === 'oidc') return oidcLogin({ ...common, port: vault.callbackPort });
    if (vault.authMethod === 'jwt' && vault.issuer && vault.clientId)
      return jwtLogin({
        ...common,
        issuer: vault.issuer,
        clientId: vault.clientId,
        scopes: vault.scopes,
      });
    throw new SignInNeededError(
      `sign in with \`vault-aws-tray login --method ${vault.authMethod}\`: the app signs in with oidc or jwt`,
    );
  };
  return { client, awsPaths, writer, signIn };
}
