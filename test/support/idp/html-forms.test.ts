import { describe, expect, it } from 'vitest';
import { CookieJar } from './cookie-jar.js';
import { parseForms, textOfElement } from './html-forms.js';

describe('parseForms', () => {
  it('reads every input separately, decodes entities and resolves the action', () => {
    const html = `<form id="f" method="post" action="../resume?a=1&amp;b=2">
      <input type="hidden" name="xsrf" value="a&quot;b"/><input name="prompt" value='login'>
      <input name="user_code" value="" autofocus></input>
      <button id="go" type="submit" name="action" value="go">Go</button>
      <button type="button" id="ignored">x</button>
    </form>`;
    expect(parseForms(html, 'http://127.0.0.1:9/device/x')).toEqual([
      {
        id: 'f',
        action: 'http://127.0.0.1:9/resume?a=1&b=2',
        method: 'POST',
        fields: [
          ['xsrf', 'a"b'],
          ['prompt', 'login'],
          ['user_code', ''],
        ],
        buttons: [{ id: 'go', name: 'action', value: 'go' }],
      },
    ]);
  });

  it('gives buttons outside a form to the form their `form` attribute names', () => {
    const html = `<form id="op.confirm" method="post" action="/device"><input name="confirm" value="yes"></form>
      <button id="abort" type="submit" form="op.confirm" name="abort" value="yes">Abort</button>`;
    const [form] = parseForms(html, 'http://idp/');
    expect(form?.buttons).toEqual([{ id: 'abort', name: 'abort', value: 'yes' }]);
    expect(textOfElement(html, 'abort')).toBe('Abort');
  });
});

describe('CookieJar', () => {
  it('scopes cookies to host:port and path, and forgets expired ones', () => {
    const jar = new CookieJar();
    const idp = new URL('http://127.0.0.1:4000/auth');
    jar.store(idp, ['_session=s1; path=/; httponly', '_interaction=i1; path=/interaction/abc']);

    expect(jar.header(new URL('http://127.0.0.1:4000/interaction/abc'))).toBe(
      '_session=s1; _interaction=i1',
    );
    expect(jar.header(new URL('http://127.0.0.1:4000/interaction/abcd'))).toBe('_session=s1');
    expect(jar.header(new URL('http://127.0.0.1:4001/auth'))).toBeUndefined();

    jar.store(idp, ['_session=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT']);
    expect(jar.header(new URL('http://127.0.0.1:4000/'))).toBeUndefined();
  });
});
