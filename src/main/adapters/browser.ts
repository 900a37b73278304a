import { shell } from 'electron';
import { openableUrl } from '../open-external.js';
import type { BrowserOpener } from '../../core/ports.js';

/** The app's own documentation: the only links the window may open besides sign-in pages. */
export const DOCS_URL = 'https://github.com/vault-aws-tray/vault-aws-tray#readme';

/**
 * shell.openExternal for two kinds of URL only (Electron's checklist, item 14): the auth_url
 * Vault returned for a sign-in in progress, and the app's documentation.
 */
export function electronBrowser(): { links: BrowserOpener; signIn: BrowserOpener } {
  const vaultAuthUrls = new Set<string>();
  const links: BrowserOpener = {
    async open(url) {
      if (!openableUrl(url, { vaultAuthUrls, docsPrefix: DOCS_URL }))
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
  return { links, signIn };
}
