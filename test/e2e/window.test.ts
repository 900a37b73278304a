/**
 * The window end to end: the built renderer served on loopback in Debian's Chromium, the built
 * preload in Node with its invoke reaching the real ipcMain handlers and engine of the tray app
 * (on the typed electron fake), against the test stack. Screenshots of each screen, light and
 * dark, go to test-results/screenshots (docs/screenshots holds the set the README shows).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TrayApp } from '../../src/main/tray-app.js';
import { callerArn } from '../support/aws-sdk.js';
import { launchChromium } from '../support/browser.js';
import { app as electronApp, fake, resetFakeElectron } from '../support/fake-electron.js';
import { chromiumLogin } from '../support/idp/chromium-login.js';
import { freePort } from '../support/ports.js';
import { DEV_POLICY, STACK_REGION, startStack } from '../support/stack.js';
import type { Stack } from '../support/stack.js';
import { serveFolder } from '../support/static-server.js';
import { totpCode } from '../support/vault/index.js';
import { installBridge, loadPreload } from '../support/window-bridge.js';

vi.mock('electron', async () => await import('../support/fake-electron.js'));

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'";
const MFA_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const SHOTS = resolve('test-results/screenshots');
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** The window's size (src/main/app-window.ts), so screenshots and fit checks see what users see. */
const WINDOW_SIZE = { width: 720, height: 560 };
const APP_VERSION = (
  JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as { version: string }
).version;

let stack: Stack;
let browser: Browser;
let site: Awaited<ReturnType<typeof serveFolder>>;

beforeAll(async () => {
  stack = await startStack();
  stack.oidc.writeRole(
    'dev-mfa',
    {
      allowed_redirect_uris: ['http://localhost:8250/oidc/callback'],
      user_claim: 'email',
      oidc_scopes: ['email'],
      token_policies: ['aws-dev-readonly'],
    },
    {
      enforcement: 'dev-totp',
      methodName: 'totp',
      methodId: 'c0ffee00-0000-4000-8000-000000000002',
      totpSecret: MFA_SECRET,
    },
  );
  stack.oidc.writeRole('elsewhere', {
    allowed_redirect_uris: ['https://vault-ui.example.com/ui/vault/auth/oidc/oidc/callback'],
    user_claim: 'email',
    token_policies: ['aws-dev-readonly'],
  });
  site = await serveFolder('out/renderer');
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
  await stack?.stop();
});

/** A fresh app (its own settings folder and AWS files) with its window open in Chromium. */
async function openApp() {
  resetFakeElectron();
  // TrayApp starts once Electron is ready (app-lifecycle.ts): safeStorage answers only then.
  electronApp.fireReady();
  const home = mkdtempSync(join(tmpdir(), 'window-e2e-'));
  process.env.VAULT_AWS_TRAY_CONFIG_DIR = join(home, 'settings');
  process.env.XDG_CONFIG_HOME = join(home, '.config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(home, '.aws', 'credentials');
  process.env.AWS_CONFIG_FILE = join(home, '.aws', 'config');
  delete process.env.VAULT_ADDR;
  const app = new TrayApp(
    {
      preload: resolve('out/preload/index.cjs'),
      page: resolve('out/renderer/index.html'),
      trayIcons: resolve('assets/tray'),
      pageUrl: site.url,
    },
    { startedAtLogin: false },
  );
  await app.start();
  const window = fake.windows.at(-1)!;
  const page = await browser.newPage({ viewport: WINDOW_SIZE });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  // Nothing the window does may leave this machine.
  await page.route('**/*', (route) => {
    const host = new URL(route.request().url()).hostname;
    if (LOOPBACK.has(host)) return route.continue();
    problems.push(`request to ${route.request().url()}`);
    return route.abort();
  });
  await installBridge(page, loadPreload({ id: window.webContents.id, url: site.url }));
  await page.goto(site.url);
  return {
    app,
    page,
    problems,
    credentialsFile: process.env.AWS_SHARED_CREDENTIALS_FILE,
    configFile: process.env.AWS_CONFIG_FILE,
    async close() {
      await page.close();
      await app.stop();
    },
  };
}

async function heading(page: Page, text: string) {
  await expect
    .poll(() => page.locator('h1').textContent(), {
      timeout: 15_000,
      message: `the ${text} screen`,
    })
    .toBe(text)
    .catch(async (error: Error) => {
      throw new Error(
        `${error.message}\nthe window shows: ${await page.locator('body').innerText()}`,
      );
    });
}

/** axe-core in the page (CDP evaluation is not subject to the page's CSP). */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(readFileSync(resolve('node_modules/axe-core/axe.min.js'), 'utf8'));
  const found = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(): Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }>;
        };
      }
    ).axe;
    return (await axe.run()).violations;
  });
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.nodes.length})`);
}

/**
 * Inputs whose placeholder is wider than the room for text inside them (measured with a canvas in
 * the input's own font), as `id: placeholder`.
 */
async function cutPlaceholders(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const context = document.createElement('canvas').getContext('2d')!;
    return [...document.querySelectorAll<HTMLInputElement>('input[placeholder]')]
      .filter((input) => input.placeholder && input.getClientRects().length > 0)
      .filter((input) => {
        const style = getComputedStyle(input, '::placeholder');
        context.font = style.font;
        const room =
          input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return context.measureText(input.placeholder).width > room;
      })
      .map((input) => `${input.id}: ${input.placeholder}`);
  });
}

/** Accessibility in light and dark, placeholders not cut, and a screenshot of each. */
async function checkScreen(page: Page, name: string) {
  expect(await cutPlaceholders(page), `${name}: placeholders cut off`).toEqual([]);
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    expect(await seriousViolations(page), `${name}, ${scheme}`).toEqual([]);
    await page.screenshot({ path: join(SHOTS, `${name}-${scheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Moves focus with Tab (Shift+Tab) only, until the focused element is the one with this label. */
async function tabTo(page: Page, label: string | RegExp) {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const name = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el) return '';
      const id = el.getAttribute('id');
      const label = id ? document.querySelector(`label[for="${id}"]`) : null;
      return (label?.textContent ?? el.getAttribute('aria-label') ?? el.textContent ?? '').trim();
    });
    if (typeof label === 'string' ? name === label : label.test(name)) return;
  }
  throw new Error(`Tab never reached ${label}`);
}

/** The provider's login page, in Chromium, for the sign-in the app opened in "the browser". */
async function loginAtProvider(seen: number, email = stack.info.idp.users[0]!.email) {
  await expect.poll(() => fake.openedUrls.length, { timeout: 15_000 }).toBeGreaterThan(seen);
  const user = stack.info.idp.users.find((u) => u.email === email)!;
  await chromiumLogin(
    fake.openedUrls.at(-1)!,
    { email: user.email, password: user.password },
    { browser },
  );
}

describe('the window, end to end against the real main process', { timeout: 120_000 }, () => {
  it('connect, sign in, choose dev-readonly as profile dev, all by keyboard; the AWS SDK then works', async () => {
    const w = await openApp();
    const { page } = w;
    await heading(page, 'Connect to Vault');
    expect(
      await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content'),
    ).toBe(CSP);
    // The app's own version, as Electron reads it from package.json.
    expect(await page.locator('.brand .version').textContent()).toBe(APP_VERSION);
    await checkScreen(page, 'connect');

    await tabTo(page, 'Vault address');
    await page.keyboard.type(stack.vault.url);
    await tabTo(page, 'Role');
    await page.keyboard.type(stack.info.oidc.role);
    await tabTo(page, 'Advanced');
    await page.keyboard.press('Enter');
    await tabTo(page, 'Callback port');
    expect(await cutPlaceholders(page), 'connect, advanced: placeholders cut off').toEqual([]);
    await page.keyboard.type(String(await freePort()));
    await page.keyboard.press('Enter');

    await heading(page, 'Sign in to Vault');
    await expect
      .poll(() => page.getByLabel('Sign-in page').inputValue())
      .toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\?/);
    await checkScreen(page, 'sign-in');
    await loginAtProvider(0);
    await heading(page, 'Profiles');

    await tabTo(page, 'Choose roles');
    await page.keyboard.press('Enter');
    await heading(page, 'Choose roles');
    // The dev policy may not list roles (the common case): entered by hand.
    await tabTo(page, 'Role');
    await page.keyboard.type('dev-readonly');
    await page.keyboard.press('Enter');
    await tabTo(page, 'Profile name');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('dev');
    await checkScreen(page, 'choose-roles');
    await tabTo(page, /^Add 1 profile$/);
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('.results').textContent(), { timeout: 15_000 })
      .toMatch(/dev: ready, fresh until/);
    // The results take the focus once drawn (an effect after paint); tabbing before that would
    // start from the button just removed and end on whatever the late focus moves away from.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.id), { timeout: 15_000 })
      .toBe('results-heading');

    await tabTo(page, 'Go to Profiles');
    await page.keyboard.press('Enter');
    await heading(page, 'Profiles');
    await expect.poll(() => page.locator('main').textContent()).toMatch(/expires in \d+ min/);
    await checkScreen(page, 'profiles');
    expect(
      await callerArn({
        endpoint: stack.aws.url,
        profile: 'dev',
        credentialsFile: w.credentialsFile!,
        configFile: w.configFile!,
      }),
    ).toMatch(/assumed-role\/DevReadOnly\//);

    await tabTo(page, 'Settings');
    await page.keyboard.press('Enter');
    await heading(page, 'Settings');
    await checkScreen(page, 'settings');
    expect(w.problems).toEqual([]);
    await w.close();
  });

  it('from a team file to a working profile: choose the file, apply, sign in at the provider', async () => {
    const w = await openApp();
    const { page } = w;
    await heading(page, 'Connect to Vault');
    // Every click and key press the user makes in the window, counted where the page sees them.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { actions: string[] }).actions = seen;
      for (const type of ['click', 'keydown'])
        document.addEventListener(type, () => seen.push(type), { capture: true });
    });
    const team = join(tmpdir(), `team-${process.pid}-${Date.now()}.json`);
    writeFileSync(
      team,
      JSON.stringify({
        vault: {
          address: stack.vault.url,
          authMethod: 'oidc',
          authMount: stack.info.oidc.mount,
          authRole: stack.info.oidc.role,
          callbackPort: await freePort(),
        },
        profiles: { dev: { role: 'dev-readonly', region: STACK_REGION } },
      }),
    );
    fake.openDialogAnswers.push(team);
    await page.getByRole('button', { name: 'Use team settings…' }).click();
    await expect.poll(() => page.locator('h2#team-heading').textContent()).toBe('Team settings');
    expect(await page.locator('.plan').innerText()).toContain(
      'Add profile dev: aws/creds/dev-readonly',
    );
    await checkScreen(page, 'team-settings');
    const seen = fake.openedUrls.length;
    await page.getByRole('button', { name: 'Apply and sign in' }).click();
    await loginAtProvider(seen);
    await heading(page, 'Profiles');
    await expect.poll(() => page.locator('main').textContent()).toMatch(/expires in \d+ min/);
    const actions = await page.evaluate(() => (window as unknown as { actions: string[] }).actions);
    expect(actions, 'clicks and key presses in the window').toEqual(['click', 'click']);
    expect(
      await callerArn({
        endpoint: stack.aws.url,
        profile: 'dev',
        credentialsFile: w.credentialsFile!,
        configFile: w.configFile!,
      }),
    ).toMatch(/assumed-role\/DevReadOnly\//);
    expect(w.problems).toEqual([]);
    await w.close();
  });

  it('a denied role, the redirect-URI refusal, an MFA prompt and a Vault outage, in words', async () => {
    const w = await openApp();
    const { page } = w;
    await heading(page, 'Connect to Vault');
    const port = String(await freePort());
    const connect = async (role: string) => {
      await page.getByLabel('Vault address').fill(stack.vault.url);
      await page.getByLabel('Role', { exact: true }).fill(role);
      if (!(await page.getByLabel('Callback port').isVisible()))
        await page.getByText('Advanced').click();
      await page.getByLabel('Callback port').fill(port);
      await page.getByRole('button', { name: 'Save and sign in' }).click();
    };

    // A role that does not allow the app's redirect URI: Vault's refusal, said so it can be fixed.
    await connect('elsewhere');
    await expect
      .poll(() => page.locator('[role="alert"]').allTextContents(), { timeout: 15_000 })
      .toContainEqual(
        expect.stringMatching(
          /does not allow the redirect URI http:\/\/localhost:\d+\/oidc\/callback.*ask the Vault admin/,
        ),
      );
    await page.getByRole('button', { name: /change connection/i }).click();

    // Login MFA: the window asks for the code.
    const opened = fake.openedUrls.length;
    await connect('dev-mfa');
    await loginAtProvider(opened);
    await page.getByLabel('One-time code').fill(totpCode(MFA_SECRET, Date.now()));
    await checkScreen(page, 'sign-in-mfa');
    await page.getByRole('button', { name: 'Verify' }).click();
    await heading(page, 'Profiles');

    // A policy that may list roles: prod-admin is shown, denied, and cannot be picked.
    stack.vault.writePolicy(
      'aws-dev-readonly',
      `${DEV_POLICY}\npath "aws/roles" { capabilities = ["list"] }\npath "aws/roles/*" { capabilities = ["read"] }\n`,
    );
    await page.getByRole('navigation').getByRole('button', { name: 'Choose roles' }).click();
    const prod = page.getByLabel('prod-admin');
    await expect.poll(() => prod.isDisabled(), { timeout: 15_000 }).toBe(true);
    expect(await page.locator('main').textContent()).toMatch(
      /prod-admin\s*denied by your policies/,
    );
    await page.getByLabel('dev-readonly').check();
    await page.getByRole('button', { name: 'Add 1 profile' }).click();
    await page.getByRole('button', { name: 'Go to Profiles' }).click();
    await heading(page, 'Profiles');

    // Vault goes down: the refresh fails and the profile says why.
    stack.vault.injectFault({
      kind: 'status',
      status: 503,
      errors: ['Vault is sealed'],
      times: Infinity,
    });
    await page
      .getByRole('button', { name: /^Refresh( dev-readonly)?$/ })
      .first()
      .click();
    await expect
      .poll(() => page.locator('main').textContent(), { timeout: 15_000 })
      .toMatch(/sealed; an operator must unseal it/);
    stack.vault.clearFaults();
    stack.vault.writePolicy('aws-dev-readonly', DEV_POLICY);
    expect(w.problems).toEqual([]);
    await w.close();
  });
});
