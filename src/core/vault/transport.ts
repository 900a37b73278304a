import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { ClientRequest } from 'node:http';
import { join } from 'node:path';
import * as nodeTls from 'node:tls';
import { checkServerIdentity, rootCertificates } from 'node:tls';
import type { ConnectionOptions, PeerCertificate } from 'node:tls';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';

/** How to trust Vault's certificate: `VAULT_CACERT`, `VAULT_CAPATH`, `VAULT_TLS_SERVER_NAME`, `VAULT_SKIP_VERIFY`. */
export interface TlsSettings {
  caFile?: string;
  caPath?: string;
  serverName?: string;
  skipVerify?: boolean;
  /**
   * Trust the OS certificate store and Node's bundled roots as well as the CA above (the tray
   * app: a company CA is often installed in the OS, and desktop apps see no VAULT_CACERT).
   */
  trustSystem?: boolean;
}

export class TlsConfigError extends Error {}

/** The CA bundle to trust instead of the system's, as Vault's own client does when one is given. */
export function loadCa(tls: TlsSettings): string[] | undefined {
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new TlsConfigError(
        `cannot read the CA file ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      );
    }
  };
  if (tls.caFile) return [read(tls.caFile)];
  if (tls.caPath) {
    let names: string[];
    try {
      names = readdirSync(tls.caPath);
    } catch (error) {
      throw new TlsConfigError(
        `cannot read the CA folder ${tls.caPath}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      );
    }
    const files = names.map((n) => join(tls.caPath!, n)).filter((f) => statSync(f).isFile());
    const pems = files.map(read).filter((text) => text.includes('-----BEGIN CERTIFICATE-----'));
    if (pems.length === 0)
      throw new TlsConfigError(`no PEM certificates in the CA folder ${tls.caPath}`);
    return pems;
  }
  return undefined;
}

/** The OS store where this Node has `tls.getCACertificates` (22.15+, as in Electron 45). */
function systemCas(): string[] {
  const get = (nodeTls as { getCACertificates?: (type: 'system') => string[] }).getCACertificates;
  return get?.('system') ?? [];
}

/** The certificates to trust, or undefined for Node's defaults. */
export function trustedCas(tls: TlsSettings): string[] | undefined {
  const ca = loadCa(tls);
  if (!tls.trustSystem) return ca;
  return [...rootCertificates, ...systemCas(), ...(ca ?? [])];
}

function tlsOptions(tls: TlsSettings): ConnectionOptions {
  const options: ConnectionOptions = { rejectUnauthorized: !tls.skipVerify };
  const ca = trustedCas(tls);
  if (ca) options.ca = ca;
  if (tls.serverName) options.servername = tls.serverName;
  return options;
}

/** `NO_PROXY` matching as curl and Go do: `*`, host names with their subdomains, optional ports. */
export function bypassesProxy(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return noProxy
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((entry) => {
      if (entry === '*') return true;
      const [name, entryPort] = entry
        .toLowerCase()
        .replace(/^\*?\./, '.')
        .split(/:(?=\d+$)/) as [string, string?];
      if (entryPort && entryPort !== port) return false;
      const bare = name.replace(/^\./, '');
      return host === bare || host.endsWith(`.${bare}`);
    });
}

/** The proxy for a URL from the usual variables, lower case first as curl reads them. */
export function proxyFor(url: URL, env: Record<string, string | undefined>): string | undefined {
  const noProxy = env.no_proxy ?? env.NO_PROXY;
  if (bypassesProxy(url, noProxy)) return undefined;
  const proxy =
    url.protocol === 'https:'
      ? (env.https_proxy ?? env.HTTPS_PROXY)
      : (env.http_proxy ?? env.HTTP_PROXY);
  return proxy || undefined;
}

/**
 * https-proxy-agent takes the target's TLS options from each request, and the CA lives on our
 * agent, not the request; this agent adds it to the tunnelled connection, so a custom CA works
 * behind a proxy.
 */
type ConnectOptions = Parameters<HttpsProxyAgent<string>['connect']>[1];

class TlsProxyAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: string,
    private readonly targetTls: ConnectionOptions,
  ) {
    super(proxy);
  }

  override connect(req: ClientRequest, opts: ConnectOptions) {
    // The tunnelled TLS socket is made without the target's host, so Node would check the
    // certificate against "localhost": name the host it must match.
    const host = this.targetTls.servername ?? opts.host ?? '';
    return super.connect(req, {
      ...opts,
      ...this.targetTls,
      checkServerIdentity: (_name: string, cert: PeerCertificate) =>
        checkServerIdentity(host, cert),
    } as ConnectOptions);
  }
}

export interface Agents {
  httpAgent?: HttpAgent;
  httpsAgent?: HttpAgent;
}

/** The agents that carry requests to Vault: TLS as configured, through a proxy when one applies. */
export function agentsFor(
  address: string,
  tls: TlsSettings,
  env: Record<string, string | undefined>,
): Agents {
  const url = new URL(address);
  const proxy = proxyFor(url, env);
  if (url.protocol === 'https:') {
    const options = tlsOptions(tls);
    return {
      httpsAgent: proxy
        ? new TlsProxyAgent(proxy, options)
        : new HttpsAgent({ ...options, keepAlive: true }),
    };
  }
  return proxy ? { httpAgent: new HttpProxyAgent(proxy) } : {};
}
