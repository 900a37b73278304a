import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { serveFolder } from '../support/static-server.js';

let browser: Browser;
let site: Awaited<ReturnType<typeof serveFolder>>;

beforeAll(async () => {
  if (!existsSync('out/renderer/index.html'))
    throw new Error('run `npm run build` before the tests');
  site = await serveFolder('out/renderer');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
});

/** Loads the built window with a `window.api` stub in place of the preload. */
async function openWindow(stub: string) {
  const page = await browser.newPage();
  const problems: string[] = [];
  // Chromium asks an http server for /favicon.ico; Electron's file:// window does not.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.addInitScript(`
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective));
    ${stub}
  `);
  await page.goto(site.url);
  return { page, problems };
}

describe('the built window under its strict CSP', () => {
  it('shows what main answers through window.api, with no CSP violation and no error', async () => {
    const { page, problems } = await openWindow(
      `window.api = { getAppInfo: async () => ({ name: 'vault-aws-tray', version: '1.2.3' }) };`,
    );
    await expect.poll(() => page.textContent('#app')).toBe('vault-aws-tray 1.2.3');
    expect(
      await page.evaluate(
        () => (window as unknown as { __cspViolations: string[] }).__cspViolations,
      ),
    ).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('says so in words when main does not answer', async () => {
    const { page } = await openWindow(
      `window.api = { getAppInfo: async () => { throw new Error('x'); } };`,
    );
    await expect
      .poll(() => page.textContent('#app'))
      .toBe('The app could not answer. Restart it from the tray.');
    await page.close();
  });

  it('the CSP blocks an inline script', async () => {
    const { page } = await openWindow(
      `window.api = { getAppInfo: async () => ({ name: 'n', version: 'v' }) };`,
    );
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.body.append(s);
    });
    expect(
      await page.evaluate(() => (window as unknown as { __inlineRan?: boolean }).__inlineRan),
    ).toBeUndefined();
    expect(
      await page.evaluate(
        () => (window as unknown as { __cspViolations: string[] }).__cspViolations,
      ),
    ).toContain('script-src-elem');
    await page.close();
  });
});
