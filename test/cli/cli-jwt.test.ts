import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserOpener } from '../../src/core/ports.js';
import { launchChromium } from '../support/browser.js';
import { FakeClock } from '../support/fake-clock.js';
import { approveDevice, chromiumLogin, httpLogin } from '../support/idp/index.js';
import { STACK_REGION, startStack } from '../support/stack.js';
import type { Stack } from '../support/stack.js';
import { cliHarness } from './cli-harness.js';

const ALICE = { email: 'alice@example.com', password: 'alice-password' };
const BOB = { email: 'bob@example.com', password: 'bob-password' };

/** The BrowserOpener port played by the test: it goes on with the page while the app waits. */
function browserPlaying(
  play: (url: string) => Promise<unknown>,
): BrowserOpener & { opened: string[]; errors: unknown[] } {
  const opener = {
    opened: [] as string[],
    errors: [] as unknown[],
    async open(url: string) {
      opener.opened.push(url);
      void play(url).catch((error: unknown) => opener.errors.push(error));
    },
  };
  return opener;
}

describe('login --method jwt', () => {
  let stack: Stack;
  let clock: FakeClock;
  let chromium: Browser;

  beforeAll(async () => {
    clock = new FakeClock();
    stack = await startStack({ clock, idp: { deviceCodeTtlSeconds: 3 } });
    chromium = await launchChromium();
    stack.jwt.writeRole('other-app', {
      role_type: 'jwt',
      bound_audiences: ['some-other-client'],
      user_claim: 'email',
      token_policies: ['aws-dev-readonly'],
    });
    stack.jwt.writeRole('admins', {
      role_type: 'jwt',
      bound_audiences: [stack.idp.appClientId],
      user_claim: 'email',
      groups_claim: 'groups',
      bound_claims: { groups: ['admins'] },
    });
  });
  afterAll(async () => {
    await chromium.close();
    await stack.stop();
  });

  const args = (...extra: string[]) => [
    'login',
    '--method',
    'jwt',
    '--addr',
    stack.vault.url,
    '--issuer',
    stack.idp.issuer,
    '--client-id',
    stack.idp.appClientId,
    ...extra,
  ];

  it.each(['http', 'chromium'] as const)(
    'authorization code + PKCE completed by the %s driver; refresh then works',
    async (driver) => {
      const browser = browserPlaying((url) =>
        driver === 'http'
          ? httpLogin(url, ALICE)
          : chromiumLogin(url, ALICE, { browser: chromium }),
      );
      const cli = cliHarness({ clock, browser });
      const result = await cli.run(args());
      expect(browser.errors).toEqual([]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(
        /^Signed in to \S+ as jwt-alice@example\.com; the token expires /,
      );
      const opened = new URL(browser.opened[0]!);
      expect(opened.origin).toBe(stack.idp.issuer);
      expect(opened.searchParams.get('code_challenge_method')).toBe('S256');
      expect(opened.searchParams.get('redirect_uri')).toMatch(
        /^http:\/\/127\.0\.0\.1:\d+\/callback$/,
      );
      expect(opened.searchParams.get('nonce')).toBeTruthy();
      const settings = JSON.parse(readFileSync(join(cli.configDir, 'config.json'), 'utf8')) as {
        vault: Record<string, unknown>;
      };
      expect(settings.vault).toMatchObject({
        authMethod: 'jwt',
        authMount: 'jwt',
        issuer: stack.idp.issuer,
        clientId: stack.idp.appClientId,
      });
      await cli.run(['profile', 'add', 'dev', '--role', 'dev-readonly', '--region', STACK_REGION]);
      expect((await cli.run(['refresh'])).code).toBe(0);
    },
  );

  it('device flow: prints the URI and the code; a driver approves it; the sign-in completes', async () => {
    const cli = cliHarness({ clock });
    let approved: Promise<unknown> | undefined;
    const result = await cli.run(args('--device'), {
      onStderr: (text) => {
        const code = /enter the code (\S+)/.exec(text)?.[1];
        if (code && !approved) approved = approveDevice(stack.idp, code, ALICE);
      },
    });
    await approved;
    expect(result.stderr).toMatch(
      new RegExp(
        `^To sign in, open ${stack.idp.issuer}/device on any device and enter the code \\S+\\n`,
      ),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('as jwt-alice@example.com');
  });

  const failures: Array<[string, () => Promise<{ code: number; stderr: string }>, RegExp]> = [
    [
      'a role bound to another audience',
      () =>
        cliHarness({ clock, browser: browserPlaying((url) => httpLogin(url, ALICE)) }).run(
          args('--role', 'other-app'),
        ),
      /vault-aws-tray: Vault's role "other-app" does not accept tokens issued to vault-aws-tray \(bound_audiences\); ask the Vault admin to add vault-aws-tray: error validating token: invalid audience \(aud\) claim: audience claim does not match any expected audience\n$/,
    ],
    [
      'a missing bound claim',
      () =>
        cliHarness({ clock, browser: browserPlaying((url) => httpLogin(url, ALICE)) }).run(
          args('--role', 'admins'),
        ),
      /vault-aws-tray: your account does not meet what Vault's role "admins" requires: error validating claims: claim "groups" does not match any associated bound claim values; ask the Vault admin\n$/,
    ],
    [
      'a user outside the bound group (the default role)',
      () =>
        cliHarness({ clock, browser: browserPlaying((url) => httpLogin(url, BOB)) }).run(args()),
      /your account does not meet what Vault's the default role of auth\/jwt\/ requires: error validating claims: claim "groups" does not match any associated bound claim values/,
    ],
    [
      'an oidc role given to the jwt method',
      () =>
        cliHarness({ clock, browser: browserPlaying((url) => httpLogin(url, ALICE)) }).run(
          args('--mount', 'oidc', '--role', 'dev'),
        ),
      /vault-aws-tray: role "dev" at auth\/oidc\/ is for Vault's own browser sign-in: use --method oidc with it, or a role of type jwt\n$/,
    ],
    [
      'Cancel at the identity provider',
      () =>
        cliHarness({
          clock,
          browser: browserPlaying((url) => httpLogin(url, ALICE, { cancel: true })),
        }).run(args()),
      /vault-aws-tray: the identity provider refused the sign-in: .*\(access_denied\)\n$/,
    ],
    [
      'a device code denied',
      () => {
        const cli = cliHarness({ clock });
        let denied = false;
        return cli.run(args('--device'), {
          onStderr: (text) => {
            const code = /enter the code (\S+)/.exec(text)?.[1];
            if (code && !denied) {
              denied = true;
              void approveDevice(stack.idp, code, ALICE, { deny: true });
            }
          },
        });
      },
      /vault-aws-tray: the sign-in was denied at the identity provider\n$/,
    ],
    [
      'a device code left to expire',
      () => cliHarness({ clock }).run(args('--device')),
      /vault-aws-tray: the code expired before it was confirmed; run login again\n$/,
    ],
    [
      'no issuer',
      () =>
        cliHarness({ clock }).run([
          'login',
          '--method',
          'jwt',
          '--addr',
          stack.vault.url,
          '--client-id',
          'x',
        ]),
      /--method jwt needs --issuer/,
    ],
    [
      // Last: it moves the shared clock hours ahead.
      'an id_token expired by the time Vault checks it',
      () =>
        cliHarness({
          clock,
          browser: browserPlaying(async (url) => {
            const answer = await httpLogin(url, ALICE, { followFinalRedirect: false });
            // Vault's clock is hours ahead of the provider's: its id_token looks long expired.
            clock.advance(3 * 3600_000);
            await fetch(answer.finalUrl);
          }),
        }).run(args('--timeout', '5h')),
      /vault-aws-tray: Vault found the identity provider's token expired or not yet valid; check this machine's clock against Vault's and sign in again \(error validating token: invalid expiration time \(exp\) claim: token is expired\)\n$/,
    ],
  ];

  it.each(failures)(
    '%s: one line on stderr and its exit code, nothing stored',
    async (_name, attempt, stderr) => {
      const result = await attempt();
      expect(result.stderr).toMatch(stderr);
      expect(result.code).toBe(_name === 'no issuer' ? 2 : 1);
    },
  );
});
