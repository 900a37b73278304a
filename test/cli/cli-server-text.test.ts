import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../support/fake-clock.js';
import { httpLogin } from '../support/idp/index.js';
import { freePort } from '../support/ports.js';
import { STACK_REGION, startStack } from '../support/stack.js';
import type { Stack } from '../support/stack.js';
import { cliHarness } from './cli-harness.js';

const HOSTILE = '\u001b[31mred\u001b[0m\nsecond line';
const ALICE = { email: 'alice@example.com', password: 'alice-password' };

/** Each stderr line holds no escape or other control character: it reads as it prints. */
function expectPlainLines(stderr: string) {
  expect(stderr.endsWith('\n')).toBe(true);
  for (const line of stderr.slice(0, -1).split('\n')) {
    // eslint-disable-next-line no-control-regex -- looking for control characters
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  }
}

describe('text from a server reaches the terminal as one plain line', () => {
  let stack: Stack;
  let clock: FakeClock;
  let cli: ReturnType<typeof cliHarness>;

  beforeAll(async () => {
    clock = new FakeClock();
    stack = await startStack({ clock });
    cli = cliHarness({ clock });
    const token = stack.vault.createToken({ policies: ['aws-dev-readonly'], ttlSeconds: 86_400 });
    const login = await cli.run(['login', '--method', 'token', '--addr', stack.vault.url], {
      env: { VAULT_TOKEN: token },
    });
    expect(login.code).toBe(0);
    const add = await cli.run([
      'profile',
      'add',
      'dev',
      '--role',
      'dev-readonly',
      '--region',
      STACK_REGION,
    ]);
    expect(add.code).toBe(0);
  });
  afterAll(async () => {
    await stack.stop();
  });
  beforeEach(() => stack.vault.clearFaults());

  it('Vault’s error strings: escapes removed, the newline a space', async () => {
    stack.vault.injectFault({ kind: 'status', status: 500, errors: [HOSTILE] });
    const result = await cli.run(['refresh']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `vault-aws-tray: dev: Vault at ${stack.vault.url} failed with HTTP 500: red second line\n`,
    );
    expectPlainLines(result.stderr);
  });

  it('a 400 whose words are in a go-multierror, and a 503, the same', async () => {
    stack.vault.injectFault({
      kind: 'status',
      status: 400,
      errors: [`1 error occurred:\n\t* ${HOSTILE}\u0007\n\n`],
    });
    const bad = await cli.run(['refresh']);
    expect(bad.stderr).toBe(
      `vault-aws-tray: dev: Vault at ${stack.vault.url} refused the request to aws/creds/dev-readonly: red\n`,
    );
    stack.vault.injectFault({ kind: 'status', status: 503, errors: [HOSTILE] });
    const unavailable = await cli.run(['refresh']);
    expect(unavailable.stderr).toBe(
      `vault-aws-tray: dev: Vault at ${stack.vault.url} is unavailable (red second line)\n`,
    );
  });

  it('the identity provider’s error_description, at the CLI’s last line', async () => {
    const oidc = cliHarness({
      clock,
      browser: {
        async open(url) {
          void (async () => {
            const login = await httpLogin(url, ALICE, { followFinalRedirect: false });
            const back = new URL(login.finalUrl);
            back.searchParams.delete('code');
            back.searchParams.set('error', 'access_denied');
            back.searchParams.set('error_description', `${HOSTILE}\u001b]0;owned\u0007`);
            await fetch(back);
          })();
        },
      },
    });
    const port = await freePort();
    const result = await oidc.run([
      'login',
      '--method',
      'oidc',
      '--addr',
      stack.vault.url,
      '--port',
      String(port),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n').at(-2)).toBe(
      'vault-aws-tray: the identity provider refused the sign-in: red second line (access_denied)',
    );
    expectPlainLines(result.stderr);
  });
});
