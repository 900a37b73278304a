/**
 * Which URLs the app hands to the OS browser (Electron's security checklist, item 15: no
 * shell.openExternal with untrusted content): never whatever a renderer or a server sends, only
 * what this sign-in needs, the console's one-shot redirects, and our own docs.
 */

export interface OpenableUrls {
  /** The auth_url values Vault returned during this sign-in, exactly as returned. */
  vaultAuthUrls: ReadonlySet<string>;
  /**
   * The one-shot loopback redirects (src/core/one-shot-redirect.ts) made for console sign-in
   * URLs that passed consoleLoginUrl, exactly as made.
   */
  consoleHandoffs: ReadonlySet<string>;
  /** The project's docs (e.g. its README): pages under its origin and path may be opened. */
  docsPrefix: string;
}

/**
 * Characters a URL parser drops or reinterprets silently (whitespace, controls, `\` read as `/`),
 * so that the URL checked could differ from the one another program opens.
 */
const AMBIGUOUS = /[\s\\\p{Cc}]/u;

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

function isWebUrl(url: URL): boolean {
  return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password;
}

export function openableUrl(url: string, allowed: OpenableUrls): boolean {
  if (AMBIGUOUS.test(url)) return false;
  const target = parse(url);
  if (!target || !isWebUrl(target)) return false;
  if (allowed.vaultAuthUrls.has(url) || allowed.consoleHandoffs.has(url)) return true;

  const docs = parse(allowed.docsPrefix);
  if (!docs || !isWebUrl(docs) || target.origin !== docs.origin) return false;
  // `/org/repo` covers `/org/repo` and `/org/repo/...`, not `/org/repo-evil`.
  const base = docs.pathname;
  const path = target.pathname;
  return base.endsWith('/') ? path.startsWith(base) : path === base || path.startsWith(`${base}/`);
}

/**
 * A console sign-in URL the app may hand on: the `login` action of one of `endpoints` (the
 * federation endpoints of the AWS partitions, or the override), nothing else on that host.
 */
export function consoleLoginUrl(url: string, endpoints: readonly string[]): boolean {
  if (AMBIGUOUS.test(url)) return false;
  const target = parse(url);
  if (!target || !isWebUrl(target) || target.searchParams.get('Action') !== 'login') return false;
  return endpoints.some((endpoint) => {
    const allowed = parse(endpoint);
    return (
      allowed !== undefined &&
      isWebUrl(allowed) &&
      allowed.origin === target.origin &&
      allowed.pathname === target.pathname
    );
  });
}
