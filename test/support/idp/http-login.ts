import { HttpBrowser, type HttpPage, type Navigation } from './http-browser.js';
import { pageText, parseForms, textOfElement, type HtmlForm } from './html-forms.js';

export interface LoginCredentials {
  email: string;
  password: string;
}

export interface LoginOptions {
  /** Press "Cancel" instead of "Sign in": the client then receives error=access_denied. */
  cancel?: boolean;
  /** Also make the request to the redirect URI, as a browser would (default true). */
  followFinalRedirect?: boolean;
}

export interface LoginResult {
  /** The redirect URI the IdP sent the browser to, with code/state/iss or error in its query. */
  finalUrl: string;
  /** Status and body of the redirect URI's answer, when it was requested and answered. */
  status?: number;
  body?: string;
  /** With response_mode=form_post: the fields the IdP's auto-submitting form POSTs to finalUrl. */
  formPost?: Record<string, string>;
}

const LOGIN_FORM_ID = 'login-form';

/**
 * Completes an authorization request the way a person in a browser would, over plain HTTP:
 * follows the IdP's redirects, fills in the login form (or presses Cancel) and stops where the
 * IdP hands the result to the client's redirect URI.
 */
export async function httpLogin(
  authUrl: string,
  credentials: LoginCredentials,
  options: LoginOptions = {},
): Promise<LoginResult> {
  const browser = new HttpBrowser(new URL(authUrl).origin);
  const first = await browser.navigate(authUrl);
  const loginPage = 'page' in first ? findLoginForm(first.page) : undefined;
  const outcome = loginPage
    ? await submitLoginForm(browser, loginPage, credentials, options.cancel)
    : first;
  return finishAtRedirectUri(browser, outcome, options.followFinalRedirect ?? true);
}

/** Submits the IdP's login form; if the IdP shows the form again (wrong password) this throws. */
export async function submitLoginForm(
  browser: HttpBrowser,
  form: HtmlForm,
  credentials: LoginCredentials,
  cancel = false,
): Promise<Navigation> {
  const values = { email: credentials.email, password: credentials.password };
  const next = await browser.submit(form, values, cancel ? 'cancel' : 'sign-in');
  if ('page' in next && findLoginForm(next.page)) {
    const reason = textOfElement(next.page.body, 'login-error') ?? 'the login form came back';
    throw new Error(`IdP sign-in failed for ${credentials.email}: ${reason}`);
  }
  return next;
}

export function findLoginForm(page: HttpPage): HtmlForm | undefined {
  return parseForms(page.body, page.url).find((f) => f.id === LOGIN_FORM_ID);
}

async function finishAtRedirectUri(
  browser: HttpBrowser,
  navigation: Navigation,
  follow: boolean,
): Promise<LoginResult> {
  if ('leftSiteTo' in navigation) {
    const finalUrl = navigation.leftSiteTo;
    return follow ? { finalUrl, ...(await answerOf(fetch(finalUrl))) } : { finalUrl };
  }
  // form_post: the IdP answers with a form that a browser would auto-submit to the redirect URI.
  const { page } = navigation;
  const callbackForm = parseForms(page.body, page.url).find(
    (f) => new URL(f.action).origin !== browser.siteOrigin,
  );
  if (!callbackForm) {
    throw new Error(
      `IdP stopped at ${page.url} (HTTP ${page.status}) without redirecting to the client: ` +
        pageText(page.body).slice(0, 500),
    );
  }
  const formPost = Object.fromEntries(callbackForm.fields);
  const finalUrl = callbackForm.action;
  if (!follow) return { finalUrl, formPost };
  const answer = await answerOf(
    fetch(finalUrl, { method: 'POST', body: new URLSearchParams(formPost) }),
  );
  return { finalUrl, formPost, ...answer };
}

/** The redirect URI's answer, or nothing when nobody listens there (like a browser's error tab). */
async function answerOf(request: Promise<Response>): Promise<{ status?: number; body?: string }> {
  try {
    const response = await request;
    return { status: response.status, body: await response.text() };
  } catch {
    return {};
  }
}
