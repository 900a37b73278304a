import { HttpBrowser, type HttpPage, type Navigation } from './http-browser.js';
import { pageText, parseForms, textOfElement } from './html-forms.js';
import { findLoginForm, submitLoginForm, type LoginCredentials } from './http-login.js';
import type { IdentityProvider } from './provider.js';

const INPUT_FORM_ID = 'op.deviceInputForm';
const CONFIRM_FORM_ID = 'op.deviceConfirmForm';

/**
 * Plays the person at the device verification page: enters the user code, confirms it (or aborts
 * with `deny`) and signs in. Resolves with the page it ended on: the success page, or after a
 * denial the code input page saying the request was aborted. Throws when it ends anywhere else.
 */
export async function approveDevice(
  idp: IdentityProvider | string,
  userCode: string,
  credentials: LoginCredentials,
  options: { deny?: boolean } = {},
): Promise<HttpPage> {
  const issuer = typeof idp === 'string' ? idp : idp.issuer;
  const browser = new HttpBrowser(new URL(issuer).origin);

  const inputPage = pageOf(await browser.navigate(`${issuer}/device`));
  const inputForm = formById(inputPage, INPUT_FORM_ID);
  const confirmPage = pageOf(await browser.submit(inputForm, { user_code: userCode }));
  const confirmForm = formById(confirmPage, CONFIRM_FORM_ID);

  if (options.deny) {
    const denied = pageOf(await browser.submit(confirmForm, {}, 'device-abort'));
    if (!parseForms(denied.body, denied.url).some((f) => f.id === INPUT_FORM_ID)) {
      throw unexpected('after aborting', denied);
    }
    return denied;
  }

  const loginPage = pageOf(await browser.submit(confirmForm, {}, 'device-confirm'));
  const loginForm = findLoginForm(loginPage);
  if (!loginForm) throw unexpected('after confirming the code', loginPage);
  const done = pageOf(await submitLoginForm(browser, loginForm, credentials));
  if (textOfElement(done.body, 'device-success') === undefined) {
    throw unexpected('after signing in', done);
  }
  return done;
}

function pageOf(navigation: Navigation): HttpPage {
  if ('page' in navigation) return navigation.page;
  throw new Error(`device verification unexpectedly redirected to ${navigation.leftSiteTo}`);
}

function formById(page: HttpPage, id: string) {
  const form = parseForms(page.body, page.url).find((f) => f.id === id);
  if (!form) throw unexpected(`looking for form ${id}`, page);
  return form;
}

function unexpected(when: string, page: HttpPage): Error {
  const message = textOfElement(page.body, 'device-message') ?? pageText(page.body).slice(0, 300);
  return new Error(
    `device verification failed ${when} (HTTP ${page.status} at ${page.url}): ${message}`,
  );
}
