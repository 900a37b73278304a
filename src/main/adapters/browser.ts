import { shell } from 'electron';
import { commandBrowser } from '../../core/browser-command.js';
import { openThroughRedirect } from '../../core/profile-console.js';
import type { BrowserOpener } from '../../core/ports.js';
import { consoleLoginUrl, openableUrl } from '../open-external.js';

/** The app's own documentation: the only links the window may open besides sign-in pages. */
export const DOCS_URL = 'https://github.com/vault-aws-tray/vault-aws-tray#readme';

export interface ElectronBrowser {
  /** The documentation, and what the two below registered. */
  links: BrowserOpener;
  /** The auth_url Vault returned for a sign-in in progress. */
  signIn: BrowserOpener;
  /**
   * A console sign-in URL of one of `endpoints`, through a one-shot loopback redirect (the URL
   * is a bearer credential), in the OS browser or in `command` (the `console.browser` setting).
   */
  console(
    url: string,
    endpoints: readonly string[],
    command: string | undefined,
    env: Record<string, string | undefined>,
  ): Promise<void>;
}

/**
 * shell.openExternal for three kinds of URL only (Electron's checklist, item 14): the auth_url
 * Vault returned for a sign-in in progress, the console's one-shot redirects, and the app's
 * documentation.
 */
export function electronBrowser(): ElectronBrowser {
  const vaultAuthUrls = new Set<string>();
  const consoleHandoffs = new Set<string>();
  const links: BrowserOpener = {
    async open(url) {
      if (!openableUrl(url, { vaultAuthUrls, consoleHandoffs, docsPrefix: DOCS_URL }))
        throw new Error(`refusing to open ${url}: not a sign-in page or the app's documentation`);
      await shell.openExternal(url);
    },
  };
  // oidcLogin hands over exactly Vault's auth_url answer, after checking it is http(s).
  const signIn: BrowserOpener = {
    async open(url) {
      vaultAuthUrls.add(url);
      await links.open(url);
    },
  };
  return {
    links,
    signIn,
    async console(url, endpoints, command, env) {
      // Never said with the URL: it signs whoever holds it in.
      if (!consoleLoginUrl(url, endpoints))
        throw new Error('refusing to open a console sign-in URL of an unknown endpoint');
      const chosen = command ? commandBrowser(command, env) : undefined;
      await openThroughRedirect(url, {
        async open(handoff) {
          if (chosen) return chosen.open(handoff);
          consoleHandoffs.add(handoff);
          try {
            await links.open(handoff);
          } finally {
            // One shot: the redirect closes after its first answer.
            consoleHandoffs.delete(handoff);
          }
        },
      });
    },
  };
}
