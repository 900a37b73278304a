import type { VaultSettings } from '../../shared/settings.js';
import type { Logger } from '../ports.js';
import { VaultClient } from './client.js';
import type { TlsSettings } from './transport.js';

/** Where Vault is and how to reach it (the VaultConnection noun of docs/architecture.md). */
export interface VaultConnection {
  address: string;
  namespace: string;
  tls: TlsSettings;
  /** An HTTP(S) proxy that beats HTTPS_PROXY (desktop apps do not see shell variables). */
  proxy?: string;
}

/** What a process adds to a connection: its environment (proxies), logger and timeout. */
export interface ClientEnvironment {
  env: Record<string, string | undefined>;
  logger?: Logger;
  timeoutMs?: number;
  /** Trust the OS certificate store as well as a configured CA (the tray app). */
  trustSystem?: boolean;
  /** Started from a shell (the CLI, the daemon): the vault CLI's TLS variables beat the settings. */
  tlsFromEnv?: boolean;
}

/** A connection without an address, or with one that is not http(s). */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
}

const truthy = (value: string | undefined) =>
  value !== undefined && /^(1|t|true|yes)$/i.test(value);

const trimNamespace = (namespace: string) => namespace.replace(/^\/+|\/+$/g, '');

function checkAddress(address: string): string {
  try {
    const url = new URL(address);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
  } catch {
    throw new ConnectionError(`not a Vault address: ${address} (expected https://host:port)`);
  }
  return address.replace(/\/+$/, '');
}

/** TLS from the vault CLI's variables where they are set, else from the saved settings. */
function tlsOf(
  saved: VaultSettings | undefined,
  env: Record<string, string | undefined>,
): TlsSettings {
  return {
    caFile: env.VAULT_CACERT || saved?.caFile,
    caPath: env.VAULT_CAPATH || saved?.caPath,
    serverName: env.VAULT_TLS_SERVER_NAME || saved?.serverName,
    skipVerify:
      env.VAULT_SKIP_VERIFY !== undefined ? truthy(env.VAULT_SKIP_VERIFY) : saved?.skipVerify,
  };
}

/**
 * The saved connection, which every engine uses: its address and namespace are the session's.
 * `env` (a process started from a shell: the CLI, the daemon) lets the vault CLI's TLS variables
 * beat the saved TLS settings; the app passes none.
 */
export function savedConnection(
  vault: VaultSettings,
  env: Record<string, string | undefined> = {},
): VaultConnection {
  return {
    address: checkAddress(vault.address),
    namespace: trimNamespace(vault.namespace),
    tls: tlsOf(vault, env),
    proxy: vault.proxy,
  };
}

/**
 * The connection `login` signs in to: flags beat the vault CLI's VAULT_* variables, which beat
 * the saved settings. The sign-in then saves it, so engines use it from then on.
 */
export function loginConnection(
  saved: VaultSettings | undefined,
  env: Record<string, string | undefined>,
  flags: { addr?: string; namespace?: string } = {},
): VaultConnection {
  const address = flags.addr ?? env.VAULT_ADDR ?? saved?.address;
  if (!address) throw new ConnectionError('no Vault address: pass --addr or set VAULT_ADDR');
  return {
    address: checkAddress(address),
    namespace: trimNamespace(flags.namespace ?? env.VAULT_NAMESPACE ?? saved?.namespace ?? ''),
    tls: tlsOf(saved, env),
    proxy: saved?.proxy,
  };
}

/** The connection a process uses for saved (or about to be saved) settings. */
export function connectionFor(
  vault: VaultSettings,
  environment: ClientEnvironment,
): VaultConnection {
  return savedConnection(vault, environment.tlsFromEnv ? environment.env : {});
}

/** A client for a connection (its agents, CA and proxy made once; `withToken` shares them). */
export function vaultClientFor(
  connection: VaultConnection,
  environment: ClientEnvironment,
  token?: string,
): VaultClient {
  const { env, proxy } = { env: environment.env, proxy: connection.proxy };
  return new VaultClient({
    address: connection.address,
    namespace: connection.namespace || undefined,
    token,
    tls: { ...connection.tls, trustSystem: environment.trustSystem },
    env: proxy ? { ...env, HTTPS_PROXY: proxy, HTTP_PROXY: proxy } : env,
    logger: environment.logger,
    timeoutMs: environment.timeoutMs,
  });
}
