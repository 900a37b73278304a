import { CookieJar } from './cookie-jar.js';
import type { HtmlForm } from './html-forms.js';

export interface HttpPage {
  url: string;
  status: number;
  body: string;
}

/** Where a navigation ended: on a page of the site, or at a redirect that leaves it. */
export type Navigation = { page: HttpPage } | { leftSiteTo: string };

const MAX_REDIRECTS = 20;

/**
 * A plain-HTTP stand-in for a browser tab on one site (the IdP): keeps cookies, follows redirects
 * inside the site and stops at the first redirect that leaves it, without requesting it.
 */
export class HttpBrowser {
  private readonly jar = new CookieJar();

  constructor(readonly siteOrigin: string) {}

  async navigate(url: string, form?: URLSearchParams): Promise<Navigation> {
    let current = new URL(url);
    let body = form;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      if (current.origin !== this.siteOrigin) return { leftSiteTo: current.href };
      const response = await this.request(current, body);
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        // 307/308 repeat the POST; 301/302/303 turn it into a GET, as browsers do.
        if (response.status !== 307 && response.status !== 308) body = undefined;
        current = new URL(location, current);
        continue;
      }
      return { page: { url: current.href, status: response.status, body: await response.text() } };
    }
    throw new Error(`more than ${MAX_REDIRECTS} redirects starting at ${url}`);
  }

  /** Submits a form: its own fields, then `values` replacing fields of the same name, then the pressed button. */
  submit(form: HtmlForm, values: Record<string, string>, buttonId?: string): Promise<Navigation> {
    const params = new URLSearchParams();
    for (const [name, value] of form.fields) params.append(name, values[name] ?? value);
    for (const [name, value] of Object.entries(values)) {
      if (!params.has(name)) params.append(name, value);
    }
    const button = buttonId ? form.buttons.find((b) => b.id === buttonId) : form.buttons[0];
    if (buttonId && !button)
      throw new Error(`form ${form.id ?? form.action} has no button #${buttonId}`);
    if (button?.name) params.append(button.name, button.value);

    if (form.method === 'POST') return this.navigate(form.action, params);
    const target = new URL(form.action);
    target.search = params.toString();
    return this.navigate(target.href);
  }

  private async request(url: URL, form?: URLSearchParams): Promise<Response> {
    const headers = new Headers({ accept: 'text/html' });
    const cookie = this.jar.header(url);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      headers,
      body: form,
      redirect: 'manual',
    });
    this.jar.store(url, response.headers.getSetCookie());
    return response;
  }
}
