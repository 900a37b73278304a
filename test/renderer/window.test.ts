import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppStatus } from '../../src/shared/app-status.js';
import type { Api, AppInfo, Setup } from '../../src/shared/ipc.js';
import { launchChromium } from '../support/browser.js';
import { serveFolder } from '../support/static-server.js';
import { NOW, profile, setup, signedIn, signedOut } from './api-stub.js';

/** The window's policy, exactly as it has been since the first window: no inline code at all. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'";
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

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

interface Answers {
  info: AppInfo;
  status: AppStatus;
  setup: Setup;
  /** getAppInfo rejects, as when main registered no handler. */
  unanswered?: boolean;
}

interface Recorded {
  __cspViolations: string[];
  __calls: Array<[string, ...unknown[]]>;
}

/**
 * Loads the built window with a `window.api` stub in place of the preload. The stub runs in the
 * page, so it is a function of plain data; every call is recorded in `__calls`.
 */
async function openWindow(answers: Answers) {
  const page = await browser.newPage();
  const problems: string[] = [];
  // Chromium asks an http server for /favicon.ico; Electron's file:// window does not.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.addInitScript((given: Answers) => {
    const recorded = window as unknown as Recorded;
    recorded.__cspViolations = [];
    recorded.__calls = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      recorded.__cspViolations.push(e.violatedDirective),
    );
    const answer =
      <T>(name: string, value: T) =>
      async (...args: unknown[]) => {
        recorded.__calls.push([name, ...args]);
        return value;
      };
    const signedOutStatus: AppStatus = {
      ...given.status,
      session: { ...given.status.session, state: 'signed_out' },
    };
    const api: Api = {
      getAppInfo: given.unanswered
        ? async () => {
            throw new Error('No handler registered for app:info');
          }
        : answer('getAppInfo', given.info),
      getStatus: answer('getStatus', given.status),
      onStatus: () => () => undefined,
      getSetup: answer('getSetup', given.setup),
      saveConnection: answer('saveConnection', undefined),
      savePreferences: answer('savePreferences', undefined),
      chooseTeamFile: answer('chooseTeamFile', null),
      applyTeamFile: answer('applyTeamFile', {}),
      signIn: answer('signIn', given.status),
      cancelSignIn: answer('cancelSignIn', undefined),
      submitTotp: answer('submitTotp', undefined),
      onSignInEvent: () => () => undefined,
      signOut: answer('signOut', signedOutStatus),
      discoverRoles: answer('discoverRoles', { roles: [], listingDenied: true }),
      checkProfile: answer('checkProfile', { exists: false, shadowing: [] }),
      addProfiles: answer('addProfiles', { profiles: [], signInNeeded: false }),
      removeProfile: answer('removeProfile', undefined),
      refresh: answer('refresh', { profiles: [], signInNeeded: false }),
      copyExports: answer('copyExports', undefined),
      openConsole: answer('openConsole', undefined),
    };
    (window as unknown as { api: Api }).api = api;
  }, answers);
  await page.clock.setFixedTime(NOW);
  await page.goto(site.url);
  return { page, problems };
}

const INFO: AppInfo = { name: 'vault-aws-tray', version: '1.2.3' };

const recorded = <K extends keyof Recorded>(page: Page, key: K) =>
  page.evaluate((name) => (window as unknown as Recorded)[name], key) as Promise<Recorded[K]>;

/** Waits longer than expect.poll's one second: the full suite loads the machine. */
const poll = <T>(value: () => Promise<T>) => expect.poll(value, { timeout: 10_000 });

const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();

/** axe-core's serious and critical findings, by rule and element. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  // DevTools evaluation is not subject to the page's CSP, so axe runs without weakening it.
  await page.evaluate(AXE);
  const results = (await page.evaluate(() =>
    (window as unknown as { axe: { run(): Promise<unknown> } }).axe.run(),
  )) as AxeResults;
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((node) => `${v.id}: ${node.target.join(' ')}`));
}

describe('the built window under its strict CSP', () => {
  it('keeps the CSP exactly, and ships no inline script or style', async () => {
    const html = readFileSync('out/renderer/index.html', 'utf8');
    const { page } = await openWindow({ info: INFO, status: signedOut(), setup: setup() });
    expect(
      await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content'),
    ).toBe(CSP);
    expect(html.match(/<script\b[^>]*>/g)?.every((tag) => /\ssrc=/.test(tag))).toBe(true);
    expect(html).not.toMatch(/<style\b|\sstyle=/);
    await page.close();
  });

  it('shows Connect when nothing is saved, with no CSP violation, no error and no axe finding', async () => {
    const { page, problems } = await openWindow({
      info: { ...INFO, vaultAddrFromEnv: 'https://vault.from-env:8200' },
      status: signedOut(),
      setup: setup({ connection: undefined }),
    });
    await poll(() => heading(page)).toBe('Connect to Vault');
    expect(await page.getByLabel('Vault address').inputValue()).toBe('https://vault.from-env:8200');

    // Enter submits the form; a wrong address is refused next to the field, which takes the focus.
    await page.getByLabel('Vault address').fill('vault.example.com');
    await page.getByLabel('Vault address').press('Enter');
    await poll(() => page.evaluate(() => document.activeElement?.id)).toBe('vault-address');
    await page.getByText(/as an http:\/\/ or https:\/\/ URL/).waitFor();
    await page.getByLabel('Vault address').fill('https://vault.example.com');
    await page.getByLabel('Vault address').press('Enter');
    await poll(async () => (await recorded(page, '__calls')).map(([name]) => name)).toContain(
      'saveConnection',
    );

    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      expect(await accessibilityProblems(page), scheme).toEqual([]);
    }
    expect(await recorded(page, '__cspViolations')).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows Profiles when signed in: keyboard, visible focus, the remove dialog and Escape', async () => {
    const { page, problems } = await openWindow({
      info: INFO,
      status: signedIn([
        profile({ expiresAt: new Date(NOW + (47 * 60 + 12) * 1000).toISOString() }),
        profile({ name: 'ops', state: 'error', lastError: null }),
      ]),
      setup: setup(),
    });
    await poll(() => heading(page)).toBe('Profiles');
    await page.getByText('expires in 47 min 12 s').waitFor();
    expect(await page.getByRole('main').count()).toBe(1);
    expect(await page.getByRole('navigation').count()).toBe(1);

    // The first Tab lands on the navigation, with an outline the user can see.
    await page.keyboard.press('Tab');
    expect(
      await page.evaluate(() => {
        const focused = document.activeElement as HTMLElement;
        return [focused.textContent, getComputedStyle(focused).outlineStyle];
      }),
    ).toEqual(['Profiles', 'solid']);

    await page.getByRole('button', { name: 'Remove dev' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove the profile dev?' });
    await dialog.waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await poll(() => dialog.count()).toBe(0);

    await page.getByRole('button', { name: 'Remove dev' }).click();
    await page
      .getByLabel('Also delete its sections from the AWS credentials and config files')
      .check();
    await page.getByRole('button', { name: 'Remove', exact: true }).click();
    await poll(async () =>
      (await recorded(page, '__calls')).find(([name]) => name === 'removeProfile'),
    ).toEqual(['removeProfile', { name: 'dev', deleteSections: true }]);

    await page.getByRole('button', { name: 'Copy export commands for dev' }).click();
    await poll(() => page.getByRole('button', { name: 'Copied for dev' }).count()).toBe(1);

    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      expect(await accessibilityProblems(page), scheme).toEqual([]);
    }
    expect(await recorded(page, '__cspViolations')).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('says so in words when main does not answer', async () => {
    const { page } = await openWindow({
      info: INFO,
      status: signedOut(),
      setup: setup(),
      unanswered: true,
    });
    await poll(() => page.getByRole('alert').textContent()).toBe(
      'The app could not answer. Restart it from the tray.',
    );
    await page.close();
  });

  it('the CSP blocks an inline script', async () => {
    const { page } = await openWindow({ info: INFO, status: signedOut(), setup: setup() });
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.body.append(s);
    });
    expect(
      await page.evaluate(() => (window as unknown as { __inlineRan?: boolean }).__inlineRan),
    ).toBeUndefined();
    expect(await recorded(page, '__cspViolations')).toContain('script-src-elem');
    await page.close();
  });
});
