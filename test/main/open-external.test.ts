import { describe, expect, it } from 'vitest';
import { FEDERATION_ENDPOINTS } from '../../src/core/aws/console-sign-in.js';
import { consoleLoginUrl, openableUrl } from '../../src/main/open-external.js';

const AUTH_URL =
  'https://idp.example.com/authorize?client_id=vault&redirect_uri=http%3A%2F%2Flocalhost%3A8250%2Foidc%2Fcallback&state=abc&nonce=n1';
const HANDOFF = 'http://127.0.0.1:41234/Qm9vdHN0cmFwIGEgcmFuZG9tIHBhdGg';
const allowed = {
  vaultAuthUrls: new Set([AUTH_URL, 'http://localhost:5556/dex/auth?state=xyz']),
  consoleHandoffs: new Set([HANDOFF]),
  docsPrefix: 'https://github.com/example/vault-aws-tray',
};

describe('openableUrl', () => {
  it.each([
    ['the auth_url Vault returned', AUTH_URL],
    ['a plain-http auth_url Vault returned', 'http://localhost:5556/dex/auth?state=xyz'],
    ['the docs page itself', 'https://github.com/example/vault-aws-tray'],
    ['a page under the docs', 'https://github.com/example/vault-aws-tray/blob/main/README.md'],
    ['the docs with a fragment', 'https://github.com/example/vault-aws-tray#readme'],
    ['the docs with a query', 'https://github.com/example/vault-aws-tray/issues?q=is%3Aopen'],
    ['a console redirect the app made', HANDOFF],
    ['the docs host in capitals', 'https://GITHUB.com/example/vault-aws-tray/wiki'],
  ])('opens %s', (_name, url) => {
    expect(openableUrl(url, allowed)).toBe(true);
  });

  it.each([
    ['another auth_url', AUTH_URL.replace('state=abc', 'state=abd')],
    ['an auth_url with more appended', `${AUTH_URL}&prompt=none`],
    ['another page on the IdP', 'https://idp.example.com/'],
    ['javascript:', 'javascript:alert(1)'],
    ['file:', 'file:///etc/passwd'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['a custom scheme', 'vscode://file/etc/passwd'],
    ['smb:', 'smb://evil.example.com/share'],
    ['credentials in the URL', 'https://user:pass@github.com/example/vault-aws-tray'],
    ['a user name in the URL', 'https://github.com@evil.example.com/example/vault-aws-tray'],
    ['a lookalike path', 'https://github.com/example/vault-aws-tray-evil'],
    ['a lookalike host', 'https://github.com.evil.example.com/example/vault-aws-tray'],
    ['another scheme for the docs', 'http://github.com/example/vault-aws-tray'],
    ['another port for the docs', 'https://github.com:8443/example/vault-aws-tray'],
    ['a dot-dot escape', 'https://github.com/example/vault-aws-tray/../other'],
    ['an encoded dot-dot escape', 'https://github.com/example/vault-aws-tray/%2e%2e/other'],
    ['a backslash', 'https://github.com\\@evil.example.com/example/vault-aws-tray'],
    ['a newline', 'https://github.com/example/vault-aws-tray\n'],
    ['a leading space', ' https://github.com/example/vault-aws-tray'],
    ['not a URL', 'github.com/example/vault-aws-tray'],
    ['another loopback address', HANDOFF.replace('41234', '41235')],
    ['another path on the console redirect', `${HANDOFF}x`],
    ['an empty string', ''],
  ])('refuses %s', (_name, url) => {
    expect(openableUrl(url, allowed)).toBe(false);
  });

  it('refuses an auth_url Vault returned when its scheme is not http(s) or it has credentials', () => {
    const odd = {
      vaultAuthUrls: new Set(['javascript:alert(1)', 'https://u:p@idp.example.com/authorize']),
      consoleHandoffs: new Set<string>(),
      docsPrefix: 'https://github.com/example/vault-aws-tray',
    };
    expect(openableUrl('javascript:alert(1)', odd)).toBe(false);
    expect(openableUrl('https://u:p@idp.example.com/authorize', odd)).toBe(false);
  });

  it('with a docs prefix ending in "/", opens what is under it only', () => {
    const slash = {
      vaultAuthUrls: new Set<string>(),
      consoleHandoffs: new Set<string>(),
      docsPrefix: 'https://example.com/docs/',
    };
    expect(openableUrl('https://example.com/docs/setup', slash)).toBe(true);
    expect(openableUrl('https://example.com/docs', slash)).toBe(false);
    expect(openableUrl('https://example.com/docsevil', slash)).toBe(false);
  });

  it('reads a docs prefix with a fragment as its path', () => {
    const readme = {
      vaultAuthUrls: new Set<string>(),
      consoleHandoffs: new Set<string>(),
      docsPrefix: 'https://github.com/example/vault-aws-tray#readme',
    };
    expect(
      openableUrl('https://github.com/example/vault-aws-tray/blob/main/README.md', readme),
    ).toBe(true);
    expect(openableUrl('https://github.com/example/other#readme', readme)).toBe(false);
  });

  it('opens nothing under a docs prefix that is not an http(s) URL', () => {
    const broken = {
      vaultAuthUrls: new Set<string>(),
      consoleHandoffs: new Set<string>(),
      docsPrefix: 'not a url',
    };
    expect(openableUrl('https://example.com/', broken)).toBe(false);
  });
});

describe('consoleLoginUrl', () => {
  const login = (endpoint: string, rest = '&Issuer=x&Destination=d&SigninToken=t') =>
    `${endpoint}?Action=login${rest}`;

  it.each(FEDERATION_ENDPOINTS.map((endpoint) => [endpoint]))(
    'takes the login action of %s',
    (endpoint) => {
      expect(consoleLoginUrl(login(endpoint), FEDERATION_ENDPOINTS)).toBe(true);
    },
  );

  it('takes the login action of the override only when it is the endpoint given', () => {
    const override = 'http://127.0.0.1:9000/federation';
    expect(consoleLoginUrl(login(override), [override])).toBe(true);
    expect(consoleLoginUrl(login(override), FEDERATION_ENDPOINTS)).toBe(false);
  });

  it.each([
    ['another action', 'https://signin.aws.amazon.com/federation?Action=getSigninToken'],
    ['no action', 'https://signin.aws.amazon.com/federation'],
    ['another path on the host', 'https://signin.aws.amazon.com/oauth?Action=login'],
    ['a lookalike host', 'https://signin.aws.amazon.com.evil.example/federation?Action=login'],
    ['plain http', 'http://signin.aws.amazon.com/federation?Action=login'],
    ['credentials in the URL', 'https://u:p@signin.aws.amazon.com/federation?Action=login'],
    ['a newline', 'https://signin.aws.amazon.com/federation?Action=login\n'],
    ['not a URL', 'signin.aws.amazon.com/federation?Action=login'],
  ])('refuses %s', (_name, url) => {
    expect(consoleLoginUrl(url, FEDERATION_ENDPOINTS)).toBe(false);
  });
});
