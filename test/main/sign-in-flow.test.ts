/**
 * The app's "Sign in" from the tray, a notice or the window (src/main/sign-in-flow.ts) against
 * the real engine, Vault emulator and OpenID provider: one sign-in at a time, whoever asks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInFlow } from '../../src/main/sign-in-flow.js';
import type { SignInEvent } from '../../src/shared/ipc.js';
import { engineHarness } from '../core/engine/engine-harness.js';
import { FakeClock } from '../support/fake-clock.js';
import { httpLogin } from '../support/idp/http-login.js';
import { freePort } from '../support/ports.js';
import { startStack } from '../support/stack.js';
import type { Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

async function app() {
  const clock = new FakeClock();
  const h = await engineHarness(stack, clock, {
    profiles: {},
    token: '',
    settings: {
      vault: {
        address: stack.vault.url,
        namespace: '',
        skipVerify: false,
        authMethod: 'oidc',
        authMount: stack.info.oidc.mount,
        authRole: stack.info.oidc.role,
        callbackPort: await freePort(),
      },
    },
  });
  await h.engine.start();
  const opened: string[] = [];
  const events: SignInEvent[] = [];
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const flow = signInFlow({
    engine: h.engine,
    host: {
      configDir: h.dir,
      env: {},
      platform: 'linux',
      homedir: h.dir,
      cwd: h.dir,
      clock,
      logger: quiet,
    },
    settings: () => h.settings.read(),
    browser: { open: async (url) => void opened.push(url) },
    tell: (event) => events.push(event),
    showSignIn: () => undefined,
  });
  return { h, flow, opened, events };
}

async function until<T>(check: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const value = check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('signing in from the app', () => {
  it('a second "Sign in" while the page waits opens the same page again and shares the result', async () => {
    const { h, flow, opened, events } = await app();
    const callbacks = () =>
      stack.vault.requests.filter((r) => r.path.endsWith('/oidc/callback')).length;
    const before = callbacks();
    const first = flow.signIn();
    const url = await until(() => opened[0], 'the sign-in page');
    const second = flow.signIn();
    expect(opened).toEqual([url, url]);
    expect(events.filter((e) => e.kind === 'waiting-for-browser')).toHaveLength(2);
    const user = stack.info.idp.users[0]!;
    await httpLogin(url, { email: user.email, password: user.password });
    const [a, b] = await Promise.all([first, second]);
    expect(a.session.state).toBe('active');
    expect(b).toBe(a);
    expect(callbacks() - before).toBe(1);
    expect(events.filter((e) => e.kind === 'failed')).toEqual([]);
    await h.engine.stop();
  });

  it('only Cancel cancels: the attempt ends in words, and the next "Sign in" starts afresh', async () => {
    const { h, flow, opened } = await app();
    const first = flow.signIn();
    await until(() => opened[0], 'the sign-in page');
    flow.cancel();
    await expect(first).rejects.toThrow('Sign-in cancelled.');
    expect(h.engine.snapshot().session.state).toBe('signed_out');
    const again = flow.signIn();
    const url = await until(() => opened[1], 'a new sign-in page');
    expect(url).not.toBe(opened[0]);
    flow.cancel();
    await expect(again).rejects.toThrow('Sign-in cancelled.');
    await h.engine.stop();
  });
});
