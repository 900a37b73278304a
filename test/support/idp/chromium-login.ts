import type { Browser, CDPSession, Page, Request, Response } from 'playwright-core';
import { launchChromium } from '../browser.js';
import type { LoginCredentials, LoginOptions, LoginResult } from './http-login.js';

export interface ChromiumLoginOptions extends LoginOptions {
  /** Reuse a running browser (launching one takes about 2 s); each login gets a fresh context. */
  browser?: Browser;
  timeoutMs?: number;
}

/**
 * Same contract as `httpLogin`, but a real headless Chromium fills in the IdP's login form and
 * follows the IdP's redirects itself.
 */
export async function chromiumLogin(
  authUrl: string,
  credentials: LoginCredentials,
  options: ChromiumLoginOptions = {},
): Promise<LoginResult> {
  const browser = options.browser ?? (await launchChromium());
  const context = await browser.newContext();
  const timeout = options.timeoutMs ?? 15_000;
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(timeout);
    const handOver = await HandOverCapture.attach(
      page,
      new URL(authUrl).origin,
      options.followFinalRedirect ?? true,
    );

    // A navigation that ends at an unanswered redirect URI fails, which is fine once captured.
    await page.goto(authUrl).catch((error: unknown) => {
      if (!handOver.captured) throw error;
    });
    if (handOver.captured) return await handOver.result;
    if ((await page.locator('#login-form').count()) === 0) {
      throw new Error(`IdP showed no login form at ${page.url()}: ${await visibleText(page)}`);
    }

    await page.fill('#email', credentials.email);
    await page.fill('#password', credentials.password);
    const loginError = page.waitForSelector('#login-error').then(
      () => 'login-error' as const,
      () => 'timeout' as const,
    );
    await page.click(options.cancel ? '#cancel' : '#sign-in', { noWaitAfter: true });
    const outcome = await Promise.race([handOver.result, loginError]);
    if (typeof outcome !== 'string') return outcome;
    if (outcome === 'login-error') {
      const reason = await page.textContent('#login-error');
      throw new Error(`IdP sign-in failed for ${credentials.email}: ${reason?.trim()}`);
    }
    throw new Error(`no redirect to the client after ${timeout} ms; at ${page.url()}`);
  } finally {
    await context.close();
    if (!options.browser) await browser.close();
  }
}

/**
 * Pauses the first top-level navigation that leaves the IdP: that request is the hand-over to the
 * redirect URI. Playwright's own `route()` cannot do this, since it never sees redirect hops, so
 * this uses the DevTools Fetch domain, which pauses every hop.
 */
class HandOverCapture {
  captured = false;
  readonly result: Promise<LoginResult>;
  private resolve: (result: LoginResult) => void = () => {};

  private constructor(
    private readonly page: Page,
    private readonly cdp: CDPSession,
    private readonly idpOrigin: string,
    private readonly follow: boolean,
  ) {
    this.result = new Promise((resolve) => (this.resolve = resolve));
  }

  static async attach(page: Page, idpOrigin: string, follow: boolean): Promise<HandOverCapture> {
    const cdp = await page.context().newCDPSession(page);
    const capture = new HandOverCapture(page, cdp, idpOrigin, follow);
    // Requests still paused when the login ends fail with "target closed": nothing to do then.
    cdp.on('Fetch.requestPaused', (event) => void capture.onPaused(event).catch(() => {}));
    await cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*', requestStage: 'Request' }] });
    return capture;
  }

  private async onPaused(event: {
    requestId: string;
    resourceType: string;
    request: { url: string; method: string; postData?: string };
  }): Promise<void> {
    const { requestId, request } = event;
    const leavesIdp = new URL(request.url).origin !== this.idpOrigin;
    if (!leavesIdp || event.resourceType !== 'Document' || this.captured) {
      await this.cdp.send('Fetch.continueRequest', { requestId });
      return;
    }
    this.captured = true;
    const formPost =
      request.method === 'POST'
        ? { formPost: Object.fromEntries(new URLSearchParams(request.postData ?? '')) }
        : {};
    const handOver = { finalUrl: request.url, ...formPost };

    if (!this.follow) {
      this.resolve(handOver);
      await this.cdp.send('Fetch.fulfillRequest', { requestId, responseCode: 204 });
      return;
    }
    const answer = this.answerTo(request.url);
    await this.cdp.send('Fetch.continueRequest', { requestId });
    this.resolve({ ...handOver, ...(await answer) });
  }

  /** Status and body of the redirect URI's answer; nothing if nobody listens there. */
  private answerTo(url: string): Promise<{ status?: number; body?: string }> {
    return new Promise((resolve) => {
      const onResponse = (response: Response) => {
        if (response.url() !== url) return;
        cleanup();
        response.text().then(
          (body) => resolve({ status: response.status(), body }),
          () => resolve({ status: response.status() }),
        );
      };
      const onFailed = (request: Request) => {
        if (request.url() !== url) return;
        cleanup();
        resolve({});
      };
      const cleanup = () => {
        this.page.off('response', onResponse);
        this.page.off('requestfailed', onFailed);
      };
      this.page.on('response', onResponse);
      this.page.on('requestfailed', onFailed);
    });
  }
}

async function visibleText(page: Page): Promise<string> {
  return ((await page.textContent('body')) ?? '').replace(/\s+/g, ' ').trim().slice(0, 500);
}
