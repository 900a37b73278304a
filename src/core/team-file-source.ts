import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseTeamSettings, TeamSettingsError } from '../shared/team-settings.js';
import type { TeamSettings } from '../shared/team-settings.js';
import { vaultSettingsSchema } from '../shared/settings.js';
import type { VaultSettings } from '../shared/settings.js';
import { httpExchange } from './vault/http-exchange.js';
import { agentsFor, TlsConfigError } from './vault/transport.js';
import { connectionFor } from './vault/connection.js';

const CERTIFICATE_CODE = /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET_ISSUER)/;
const CA_HINT = 'set VAULT_CACERT to its CA file, as for Vault (docs/team-settings.md)';

/** A team file is a few kilobytes; more is not one. */
const MAX_BYTES = 1024 * 1024;

export interface TeamSourceOptions {
  /** The saved Vault settings: their CA and proxy reach the URL as they reach Vault. */
  saved?: VaultSettings;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Started from a shell (the CLI): the vault CLI's TLS variables beat the saved ones, as for Vault. */
  tlsFromEnv: boolean;
  /** The app trusts the OS certificate store as well, as it does for Vault. */
  trustSystem?: boolean;
  timeoutMs?: number;
}

/** TLS and proxy for the URL by Vault's rules (src/core/vault/connection.ts), but its own name. */
function connectionTo(url: URL, options: TeamSourceOptions) {
  const saved: VaultSettings = options.saved ?? vaultSettingsSchema.parse({ address: url.origin });
  const connection = connectionFor(
    { ...saved, address: url.origin, serverName: undefined },
    { env: options.env, tlsFromEnv: options.tlsFromEnv },
  );
  return { ...connection, tls: { ...connection.tls, trustSystem: options.trustSystem } };
}

async function fetchText(url: URL, options: TeamSourceOptions): Promise<string> {
  let reply;
  try {
    const { tls, proxy } = connectionTo(url, options);
    const env = proxy ? { ...options.env, HTTPS_PROXY: proxy, HTTP_PROXY: proxy } : options.env;
    const exchange = httpExchange(agentsFor(url.href, tls, env), options.timeoutMs ?? 30_000);
    reply = await exchange({ method: 'GET', url, headers: { Accept: 'application/json' } });
  } catch (error) {
    if (error instanceof TlsConfigError) throw new TeamSettingsError(error.message);
    // Node's words ("unable to verify the first certificate") with its code, and what to do.
    const { code, message } = error as NodeJS.ErrnoException;
    const said = code && !message.includes(code) ? `${message} (${code})` : message;
    const hint = code && CERTIFICATE_CODE.test(code) ? `; ${CA_HINT}` : '';
    throw new TeamSettingsError(`cannot fetch ${url.href}: ${said}${hint}`);
  }
  if (reply.status !== 200)
    throw new TeamSettingsError(`cannot fetch ${url.href}: the server answered ${reply.status}`);
  if (Buffer.byteLength(reply.data) > MAX_BYTES)
    throw new TeamSettingsError(`${url.href} is larger than a team file can be (1 MB)`);
  return reply.data;
}

/**
 * The team settings at `source`: a file, or an https URL fetched with Vault's TLS, CA and proxy
 * rules (plain http is refused: the file says which Vault to trust with a sign-in).
 */
export async function readTeamSettings(
  source: string,
  options: TeamSourceOptions,
): Promise<{ team: TeamSettings; source: string }> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
    const url = new URL(source);
    if (url.protocol !== 'https:')
      throw new TeamSettingsError(`team settings are fetched over https only, not ${url.protocol}`);
    return { team: parseTeamSettings(await fetchText(url, options), url.href), source: url.href };
  }
  const path = resolve(options.cwd, source);
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.byteLength > MAX_BYTES)
      throw new TeamSettingsError(`${path} is larger than a team file can be (1 MB)`);
    text = bytes.toString('utf8');
  } catch (error) {
    if (error instanceof TeamSettingsError) throw error;
    throw new TeamSettingsError(
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  return { team: parseTeamSettings(text, path), source: path };
}
