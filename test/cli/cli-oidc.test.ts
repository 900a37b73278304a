import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { freePort, portIsFree } from '../support/ports.js';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserOpener } from '../../src/core/ports.js';
import { browserCommand } from '../support/browser-command.js';
import { FakeClock } from '../support/fake-clock.js';
import { httpLogin } from '../support/idp/index.js';
import { STACK_REGION, startStack } from '../support/stack.js';
import type { Stack } from '../support/stack.js';
import { JwtBackend, totpCode, VaultEmulator } from '../support/vault/index.js';
import { cliHarness } from './cli-harness.js';

const execFileAsync = promisify(execFile);
const ALICE = { email: 'alice@example.com', password: 'alice-password' };
const BOB = { email: 'bob@example.com', password: 'bob-password' };
const MFA_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const MFA_METHOD = 'c0ffee00-0000-4000-8000-000000000001';

/**
 * The BrowserOpener port played by a test: it records what the app opened and, like a real
 * browser, goes on with the page on its own while the app waits.
 */
function browserPlaying(
  play: (url: string) => Promise<void>,
): BrowserOpener & { opened: string[]; errors: unknown[]; done: Promise<void> } {
  let finished!: () => void;
  const opener = {
    opened: [] as string[],
    errors: [] as unknown[],
    done: new Promise<void>((resolve) => (finished = resolve)),
    async open(url: string) {
      opener.opened.push(url);
      void play(url)
        .catch((error: unknown) => opener.errors.push(error))
        .finally(finished);
    },
  };
  return opener;
}

/** The IdP's redirect to the app, without following it: the test decides what reaches the app. */
async function redirectFor(url: string, user = ALICE): Promise<URL> {
  return new URL((await httpLogin(url, user, { followFinalRedirect: false })).finalUrl);
}

describe('login --method oidc', () => {
  let stack: Stack;
  let clock: FakeClock;

  beforeAll(async () => {
    clock = new FakeClock();
    stack = await startStack({ clock });
    stack.oidc.writeRole(
      'dev-mfa',
      {
        allowed_redirect_uris: ['http://localhost:8250/oidc/callback'],
        user_claim: 'email',
        oidc_scopes: ['email'],
        token_policies: ['aws-dev-readonly'],
      },
      { enforcement: 'dev-totp', methodName: 'totp', methodId: MFA_METHOD, totpSecret: MFA_SECRET },
    );
  });
  afterAll(async () => {
    await stack.stop();
  });

  /** A CLI whose browser is `play`, signing in on a free port; returns the run and the port. */
  async function signIn(
    play: (url: string) => Promise<void>,
    extraArgs: string[] = [],
    extra: Parameters<ReturnType<typeof cliHarness>['run']>[1] = {},
  ) {
    const browser = browserPlaying(play);
    const cli = cliHarness({ clock, browser });
    const port = await freePort();
    const result = await cli.run(
      [
        'login',
        '--method',
        'oidc',
        '--addr',
        stack.vault.url,
        '--port',
        String(port),
        ...extraArgs,
      ],
      extra,
    );
    return { cli, port, result, browser };
  }

  function tokenStored(cli: ReturnType<typeof cliHarness>): boolean {
    const file = join(cli.configDir, 'tokens.json');
    return (
      existsSync(file) && Object.keys(JSON.parse(readFileSync(file, 'utf8')) as object).length > 0
    );
  }

  it('signs in through the browser, and refresh then writes a profile the AWS SDK accepts', async () => {
    const { cli, port, result, browser } = await signIn(async (url) => {
      const done = await httpLogin(url, ALICE);
      expect(done.status).toBe(200);
      expect(done.body).toContain('<h1>Signed in</h1>');
    });
    expect(result.stderr).toMatch(/Waiting for the sign-in to finish in the browser/);
    expect(result.code).toBe(0);
    await browser.done;
    expect(browser.errors).toEqual([]);
    expect(result.stdout).toMatch(
      /^Signed in to http:\/\/127\.0\.0\.1:\d+ as oidc-alice@example\.com; the token expires /,
    );
    const opened = new URL(browser.opened[0]!);
    expect(opened.searchParams.get('redirect_uri')).toBe(`http://localhost:${port}/oidc/callback`);
    // The address is said even though a browser opened it (SSH, WSL, a browser showing nothing).
    expect(result.stderr.split('\n').slice(0, 2)).toEqual([
      'Opening the sign-in page in your browser; if it does not open, open this address:',
      browser.opened[0],
    ]);
    expect(await portIsFree(port)).toBe(true);
    expect(tokenStored(cli)).toBe(true);
    const auth = stack.vault.requests.find((r) => r.path.endsWith('/oidc/auth_url'))!;
    expect(JSON.parse(auth.body)).toMatchObject({
      role: '',
      client_nonce: expect.stringMatching(/^[A-Za-z0-9]{20}$/),
    });

    expect(
      (await cli.run(['profile', 'add', 'dev', '--role', 'dev-readonly', '--region', STACK_REGION]))
        .code,
    ).toBe(0);
    const refresh = await cli.run(['refresh']);
    expect([refresh.code, refresh.stderr]).toEqual([0, '']);
    expect(readFileSync(cli.credentialsFile, 'utf8')).toMatch(/^\[dev\]\naws_access_key_id = ASIA/);
  });

  it('form_post: the provider POSTs the answer to the listener, which hands it to Vault', async () => {
    const formPost = new JwtBackend(stack.vault, 'oidc');
    stack.vault.mount('oidc-form', formPost, { auth: true });
    formPost.configure({
      oidc_discovery_url: stack.idp.issuer,
      oidc_client_id: stack.idp.vaultClient.clientId,
      oidc_client_secret: stack.idp.vaultClient.clientSecret,
      oidc_response_mode: 'form_post',
      default_role: 'dev',
    });
    formPost.writeRole('dev', {
      allowed_redirect_uris: ['http://localhost:8250/oidc/callback'],
      user_claim: 'email',
      oidc_scopes: ['email'],
    });
    const { result, browser } = await signIn(
      async (url) => {
        const done = await httpLogin(url, ALICE);
        expect(done.formPost).toBeDefined();
        expect(done.status).toBe(200);
      },
      ['--mount', 'oidc-form'],
    );
    await browser.done;
    expect(browser.errors).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('as oidc-form-alice@example.com');
    const paths = stack.vault.requests
      .filter((r) => r.path.startsWith('/v1/auth/oidc-form/oidc/callback'))
      .map((r) => r.method);
    expect(paths).toEqual(['POST', 'GET']);
  });

  it('--no-browser prints the URL alone on its own line, opens nothing, and waits for it', async () => {
    const browser = browserPlaying(async () => undefined);
    const cli = cliHarness({ clock, browser });
    const port = await freePort();
    let driven = false;
    const result = await cli.run(
      [
        'login',
        '--method',
        'oidc',
        '--addr',
        stack.vault.url,
        '--port',
        String(port),
        '--no-browser',
      ],
      {
        // The user copies the address from the terminal into a browser.
        onStderr: (text) => {
          const url = /^(http\S+)$/m.exec(text)?.[1];
          if (url && !driven) {
            driven = true;
            void httpLogin(url, ALICE);
          }
        },
      },
    );
    expect(browser.opened).toEqual([]);
    expect(result.stderr.split('\n')[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\?\S+$/);
    expect(result.code).toBe(0);
  });

  it('a browser that cannot start: the address printed first is the way in', async () => {
    const cli = cliHarness({
      clock,
      browser: {
        open: async () => {
          throw new Error('no display');
        },
      },
    });
    let driven = false;
    const result = await cli.run(
      ['login', '--method', 'oidc', '--addr', stack.vault.url, '--port', String(await freePort())],
      {
        onStderr: (text) => {
          const url = /^(http\S+)$/m.exec(text)?.[1];
          if (url && !driven) {
            driven = true;
            void httpLogin(url, ALICE);
          }
        },
      },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^Opening the sign-in page in your browser; if it does not open, open this address:\nhttp:\/\/127\.0\.0\.1:\d+\/auth\?\S+\n\(no browser could be started: no display\)\nWaiting/,
    );
  });

  it('a wrong state gets a 400 and the listener keeps waiting; the real answer then signs in', async () => {
    const statuses: number[] = [];
    const { result, cli } = await signIn(async (url) => {
      const redirect = await redirectFor(url);
      const forged = new URL(redirect);
      forged.searchParams.set('state', 'st_forgedforgedforged0');
      statuses.push((await fetch(forged)).status);
      const stray = new URL(redirect);
      stray.pathname = '/somewhere-else';
      statuses.push((await fetch(stray)).status);
      statuses.push((await fetch(redirect)).status);
    });
    expect(statuses).toEqual([400, 404, 200]);
    expect(result.code).toBe(0);
    expect(tokenStored(cli)).toBe(true);
  });

  it('an answer replayed from an earlier sign-in is refused and does not end this one', async () => {
    let earlier!: URL;
    await signIn(async (url) => {
      earlier = await redirectFor(url);
      await fetch(earlier);
    });
    const statuses: number[] = [];
    const { result } = await signIn(async (url) => {
      const replay = new URL(earlier);
      replay.host = new URL(new URL(url).searchParams.get('redirect_uri')!).host;
      statuses.push((await fetch(replay)).status);
      statuses.push((await fetch(await redirectFor(url))).status);
    });
    expect(statuses).toEqual([400, 200]);
    expect(result.code).toBe(0);
  });

  it('a request for another host name is refused (DNS rebinding)', async () => {
    let status = 0;
    const { result } = await signIn(async (url) => {
      const redirect = await redirectFor(url);
      // fetch will not send a Host of our choosing; a page on evil.example resolving to 127.0.0.1 would.
      status = await new Promise<number>((resolve, reject) => {
        const req = httpGet(redirect, { headers: { Host: 'evil.example' }, family: 4 }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
      });
      await fetch(redirect);
    });
    expect(status).toBe(403);
    expect(result.code).toBe(0);
  });

  const failures: Array<
    [
      string,
      () => Promise<{
        cli: ReturnType<typeof cliHarness>;
        port: number;
        result: { code: number; stderr: string };
      }>,
      RegExp,
    ]
  > = [
    [
      'redirect URI not allowed',
      () => signIn(async () => undefined, ['--callback-host', '127.0.0.1']),
      /^vault-aws-tray: Vault role \(the default role of auth\/oidc\/\) does not allow the redirect URI http:\/\/127\.0\.0\.1:\d+\/oidc\/callback, or Vault cannot reach its OIDC provider; ask the Vault admin to add http:\/\/127\.0\.0\.1:\d+\/oidc\/callback to the role's allowed_redirect_uris\n$/,
    ],
    [
      'unknown role',
      () => signIn(async () => undefined, ['--role', 'nope']),
      /^vault-aws-tray: Vault has no OIDC role "nope" at auth\/oidc\/ \(check --role\)\n$/,
    ],
    [
      'unknown mount',
      () => signIn(async () => undefined, ['--mount', 'sso']),
      /^vault-aws-tray: Vault has no OIDC auth method at auth\/sso\/ \(check --mount\)\n$/,
    ],
    [
      'expired state (10 minutes on the emulator clock)',
      () =>
        signIn(
          async (url) => {
            const redirect = await redirectFor(url);
            clock.advance(10 * 60_000);
            await fetch(redirect);
          },
          ['--timeout', '30m'],
        ),
      /Vault refused the sign-in: Vault login failed\. Expired or missing OAuth state\.\n$/,
    ],
    [
      'the identity provider says no (Cancel on its page)',
      () => signIn(async (url) => void (await httpLogin(url, ALICE, { cancel: true }))),
      /^Opening the sign-in page in your browser; if it does not open, open this address:\nhttp\S+\nWaiting.*\nvault-aws-tray: the identity provider refused the sign-in: .*\(access_denied\)\n$/s,
    ],
    [
      'a user outside the bound group',
      () => signIn(async (url) => void (await httpLogin(url, BOB))),
      /Vault refused the sign-in: error validating claims: claim "groups" does not match any associated bound claim values\n$/,
    ],
    [
      'an altered code',
      () =>
        signIn(async (url) => {
          const redirect = await redirectFor(url);
          redirect.searchParams.set('code', `${redirect.searchParams.get('code')}x`);
          await fetch(redirect);
        }),
      /Vault refused the sign-in: Vault login failed\. Error exchanging oidc code: ".*"\.\n$/,
    ],
    [
      'the timeout',
      () =>
        signIn(async () => {
          await new Promise((r) => setTimeout(r, 50));
          clock.advance(2 * 60_000);
        }),
      /^Opening the sign-in page in your browser; if it does not open, open this address:\nhttp\S+\nWaiting.*\nvault-aws-tray: no sign-in came back within 2 min; run login again\n$/s,
    ],
    [
      'a cancel (Ctrl-C)',
      () => {
        const controller = new AbortController();
        return signIn(
          async () => {
            await new Promise((r) => setTimeout(r, 50));
            controller.abort();
          },
          [],
          { signal: controller.signal },
        );
      },
      /^Opening the sign-in page in your browser; if it does not open, open this address:\nhttp\S+\nWaiting.*\nvault-aws-tray: sign-in cancelled\n$/s,
    ],
    [
      'MFA required and no code given',
      () => signIn(async (url) => void (await httpLogin(url, ALICE)), ['--role', 'dev-mfa']),
      /vault-aws-tray: Vault requires an MFA code \(TOTP\) for this sign-in, and none was given\n$/,
    ],
    [
      'a wrong TOTP',
      () =>
        signIn(async (url) => void (await httpLogin(url, ALICE)), ['--role', 'dev-mfa'], {
          stdin: '000000\n',
        }),
      /vault-aws-tray: Vault refused the MFA code: failed to validate TOTP passcode; login MFA validation failed for methodID: \[c0ffee00-0000-4000-8000-000000000001\]\n$/,
    ],
  ];

  it.each(failures)(
    '%s: one line, exit 1, the port free again, no token stored',
    async (_name, attempt, stderr) => {
      const { cli, port, result } = await attempt();
      expect(result.stderr).toMatch(stderr);
      expect(result.code).toBe(1);
      expect(await portIsFree(port)).toBe(true);
      expect(tokenStored(cli)).toBe(false);
    },
  );

  it('MFA with the right TOTP signs in', async () => {
    const code = totpCode(MFA_SECRET, clock.now());
    const wrong = code === '000000' ? '111111' : '000000';
    const { result } = await signIn(
      async (url) => void (await httpLogin(url, ALICE)),
      ['--role', 'dev-mfa'],
      { stdin: `${code}\n` },
    );
    expect(result.code).toBe(0);
    expect(wrong).not.toBe(code);
  });

  it('a port in use ends the sign-in before Vault is asked', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const cli = cliHarness({ clock, browser: browserPlaying(async () => undefined) });
      const before = stack.vault.requests.length;
      const result = await cli.run([
        'login',
        '--method',
        'oidc',
        '--addr',
        stack.vault.url,
        '--port',
        String(port),
      ]);
      expect([result.code, result.stderr]).toEqual([
        1,
        `vault-aws-tray: port ${port} on 127.0.0.1 is in use (another sign-in running?); pass --port to use another\n`,
      ]);
      expect(stack.vault.requests.length).toBe(before);
      expect(tokenStored(cli)).toBe(false);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('Vault unreachable', async () => {
    const gone = await VaultEmulator.start();
    const url = gone.url;
    await gone.stop();
    const cli = cliHarness({ clock, browser: browserPlaying(async () => undefined) });
    const port = await freePort();
    const result = await cli.run([
      'login',
      '--method',
      'oidc',
      '--addr',
      url,
      '--port',
      String(port),
    ]);
    expect([result.code, result.stderr]).toEqual([
      1,
      `vault-aws-tray: cannot reach Vault at ${url} (ECONNREFUSED)\n`,
    ]);
    expect(await portIsFree(port)).toBe(true);
    expect(tokenStored(cli)).toBe(false);
  });

  it('refuses to listen on an address that is not loopback', async () => {
    const cli = cliHarness({ clock });
    const result = await cli.run([
      'login',
      '--method',
      'oidc',
      '--addr',
      stack.vault.url,
      '--listen-address',
      '0.0.0.0',
    ]);
    expect([result.code, result.stderr]).toEqual([
      1,
      'vault-aws-tray: 0.0.0.0 is not a loopback address; the sign-in listener only listens on this machine\n',
    ]);
  });
});

describe('login --method oidc through $BROWSER, with the built binary', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  it.each(['http', 'chromium'] as const)(
    'completed by the %s driver, then refresh writes a profile /usr/bin/aws accepts',
    async (driver) => {
      const cli = cliHarness({ clock: new FakeClock() });
      const browser = browserCommand({
        with: driver,
        email: ALICE.email,
        password: ALICE.password,
      });
      const port = await freePort();
      const env = { ...cli.env, BROWSER: browser.command, HOME: cli.home };
      const bin = (...args: string[]) =>
        execFileAsync(process.execPath, ['bin/vault-aws-tray.cjs', ...args], { env });
      const login = await bin(
        'login',
        '--method',
        'oidc',
        '--addr',
        stack.vault.url,
        '--port',
        String(port),
      );
      expect(login.stdout).toMatch(/^Signed in to \S+ as oidc-alice@example\.com/);
      expect(readFileSync(browser.log, 'utf8')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\?/);
      await bin('profile', 'add', 'dev', '--role', 'dev-readonly', '--region', STACK_REGION);
      await bin('refresh');
      const { stdout } = await execFileAsync(
        '/usr/bin/aws',
        [
          'sts',
          'get-caller-identity',
          '--profile',
          'dev',
          '--endpoint-url',
          stack.aws.url,
          '--output',
          'json',
        ],
        { env: { PATH: process.env.PATH, HOME: cli.home } },
      );
      expect((JSON.parse(stdout) as { Arn: string }).Arn).toMatch(
        /assumed-role\/DevReadOnly\/vault-oidc-alice@example\.com-dev-readonly-/,
      );
    },
    60_000,
  );
});
