/**
 * What a browser does with a console sign-in URL, over plain HTTP: follow the redirects (the
 * app's one-shot loopback redirect, the federation endpoint's login) with the cookie the login
 * sets, and read the emulator's console page (federation.ts). For tests that need no Chromium;
 * test/e2e/console.test.ts drives Chromium itself.
 */
import { CONSOLE_COOKIE } from './federation.js';

export interface ConsolePage {
  status: number;
  /** The fields of the console page by id: arn, account, destination, region, issuer, expires. */
  fields: Record<string, string>;
  /** The URLs visited, the first one included. */
  visited: string[];
}

const unescape = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

export async function visitConsole(url: string): Promise<ConsolePage> {
  const visited: string[] = [];
  let cookie: string | undefined;
  let next = url;
  for (let hop = 0; hop < 5; hop++) {
    visited.push(next);
    const res = await fetch(next, {
      redirect: 'manual',
      headers: cookie ? { Cookie: cookie } : {},
    });
    const set = res.headers.get('set-cookie');
    if (set?.startsWith(`${CONSOLE_COOKIE}=`)) cookie = set.split(';')[0];
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      next = new URL(location, next).href;
      continue;
    }
    const body = await res.text();
    const fields: Record<string, string> = {};
    for (const [, id, value] of body.matchAll(/<dd id="(\w+)">([^<]*)<\/dd>/g))
      fields[id!] = unescape(value!);
    return { status: res.status, fields, visited };
  }
  throw new Error(`more than 5 redirects from ${url}`);
}
