import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionKeeper, SignInRefusedError } from '../../../src/core/engine/session-keeper.js';
import type { SessionSnapshot } from '../../../src/core/engine/session-keeper.js';
import type { BrowserOpener, SecretStore } from '../../../src/core/ports.js';
import { VaultClient } from '../../../src/core/vault/client.js';
import { oidcLogin } from '../../../src/core/vault/oidc-login.js';
import { FakeClock } from '../../support/fake-clock.js';
import { httpLogin } from '../../support/idp/index.js';
import { startStack } from '../../support/stack.js';
import type { Stack } from '../../support/stack.js';

const MINUTE = 60_000;

class MemorySecrets implements SecretStore {
  readonly values = new Map<string, string>();
  async get(key: string) {
    return this.values.get(key);
  }
  async set(key: string, value: string) {
    this.values.set(key, value);
  }
  async delete(key: string) {
    this.values.delete(key);
  }
}

/** A BrowserOpener that counts what was opened and completes the login as alice. */
function countingBrowser(): BrowserOpener & { opens: number } {
  const browser = {
    opens: 0,
    async open(url: string) {
      browser.opens++;
      void httpLogin(url, { email: 'alice@example.com', password: 'alice-password' });
    },
  };
  return browser;
}

let stack: Stack;
let clock: FakeClock;
beforeAll(async () => {
  clock = new FakeClock();
  stack = await startStack({ clock });
});
afterAll(async () => {
  await stack.stop();
});

function keeper(
  options: {
    secrets?: MemorySecrets;
    browser?: ReturnType<typeof countingBrowser>;
    changes?: SessionSnapshot[];
  } = {},
) {
  const secrets = options.secrets ?? new MemorySecrets();
  const browser = options.browser ?? countingBrowser();
  const client = (token?: string) => new VaultClient({ address: stack.vault.url, token });
  const k = new SessionKeeper({
    address: stack.vault.url,
    namespace: '',
    client,
    secrets,
    clock,
    onChange: (s) => options.changes?.push(s),
  });
  /** The browser sign-in a front end runs before it hands the token over. */
  const signIn = async () =>
    (
      await oidcLogin({
        client: client(),
        port: 0,
        browser,
        clock,
        tell: () => undefined,
        askTotp: async () => undefined,
      })
    ).client_token;
  return { keeper: k, secrets, browser, signIn };
}

/** Walks the fake clock minute by minute, letting the keeper finish what each minute started. */
async function walk(
  k: SessionKeeper,
  minutes: number,
  each: (minute: number) => void,
): Promise<void> {
  for (let minute = 1; minute <= minutes; minute++) {
    clock.advance(MINUTE);
    await k.settled();
    each(minute);
  }
}

const renewals = () => stack.vault.requests.filter((r) => r.path === '/v1/auth/token/renew-self');

describe('the Vault token’s life', () => {
  it('renews at two thirds of what is left, detects the max-TTL cap, and changes state on time', async () => {
    const secrets = new MemorySecrets();
    const { keeper: k, browser } = keeper({ secrets });
    // As `vault auth tune -max-lease-ttl=3h token/`: a cap lookup-self does not show.
    const mount = stack.vault.namespace().authMounts.get('token/')!;
    const saved = mount.ttls.maxLeaseTtl;
    mount.ttls.maxLeaseTtl = 3 * 3600;
    try {
      const token = stack.vault.createToken({ policies: [], ttlSeconds: 3600 });
      await secrets.set(k.key, token);
      const start = clock.now();
      const first = await k.start();
      expect(first.state).toBe('active');
      expect(first.nextRenewAt).toBe(start + 40 * MINUTE);
      expect(first.hardEndAt).toBeUndefined();

      const before = renewals().length;
      const renewedAt: number[] = [];
      const states = new Map<string, number>();
      await walk(k, 185, (minute) => {
        if (renewals().length > before + renewedAt.length) renewedAt.push(minute);
        const state = k.snapshot().state;
        if (!states.has(state)) states.set(state, minute);
      });
      expect(renewedAt).toEqual([40, 80, 120, 160]);
      // At 160 min only 20 min were left before the 3 h cap: Vault capped the lease and said so.
      expect(k.snapshot().hardEndAt).toBe(start + 180 * MINUTE);
      expect(states.get('ending_soon')).toBe(165);
      expect(states.get('needs_sign_in')).toBe(180);
      expect(k.currentToken()).toBeUndefined();
      expect(browser.opens).toBe(0);
    } finally {
      mount.ttls.maxLeaseTtl = saved;
    }
  });

  it('knows a token’s explicit max TTL from the start, and renews no further than it', async () => {
    const secrets = new MemorySecrets();
    const { keeper: k } = keeper({ secrets });
    const token = stack.vault.createToken({
      policies: [],
      ttlSeconds: 3600,
      explicitMaxTtlSeconds: 3 * 3600,
    });
    await secrets.set(k.key, token);
    const start = clock.now();
    const first = await k.start();
    // lookup-self counts in whole seconds (creation_time): the end is known to the second.
    expect(Math.abs(first.hardEndAt! - (start + 180 * MINUTE))).toBeLessThan(1000);
    const before = renewals().length;
    const renewedAt: number[] = [];
    const states = new Map<string, number>();
    await walk(k, 185, (minute) => {
      if (renewals().length > before + renewedAt.length) renewedAt.push(minute);
      const state = k.snapshot().state;
      if (!states.has(state)) states.set(state, minute);
    });
    // The renewal at 120 min reaches the cap: none after it could add anything.
    expect(renewedAt).toEqual([40, 80, 120]);
    expect(states.get('ending_soon')).toBe(165);
    expect(states.get('needs_sign_in')).toBe(180);
  });

  it('a one-shot keeper asks Vault nothing at start, and renews a token with a third or less left', async () => {
    const secrets = new MemorySecrets();
    const token = stack.vault.createToken({ policies: [], ttlSeconds: 3600 });
    const running = keeper({ secrets }).keeper;
    await secrets.set(running.key, token);
    // What a previous command saw of the session (state.json).
    const lastSeen = (await running.start()).session!;
    running.stop();
    const oneShot = () =>
      new SessionKeeper({
        address: stack.vault.url,
        namespace: '',
        client: (t) => new VaultClient({ address: stack.vault.url, token: t }),
        secrets,
        clock,
        timers: false,
        lastSeen,
      });
    const timers = clock.pendingTimers();
    const seen = stack.vault.requests.length;
    expect((await oneShot().start({ verify: false })).state).toBe('active');
    expect(stack.vault.requests.length).toBe(seen);

    clock.advance(41 * MINUTE);
    const before = renewals().length;
    const renewed = await oneShot().start({ verify: false });
    expect(renewals().length).toBe(before + 1);
    expect(renewed.session!.expiresAt).toBeGreaterThan(clock.now() + 59 * MINUTE);
    expect(clock.pendingTimers()).toBe(timers);
  });

  it('a stored token Vault no longer accepts means sign in again, quietly', async () => {
    const secrets = new MemorySecrets();
    const { keeper: k, browser } = keeper({ secrets });
    await secrets.set(k.key, 'hvs.revoked-long-ago');
    expect((await k.start()).state).toBe('needs_sign_in');
    expect(browser.opens).toBe(0);
    const none = keeper();
    expect((await none.keeper.start()).state).toBe('signed_out');
  });

  it('keeps trying to renew while Vault is unreachable, then renews', async () => {
    const secrets = new MemorySecrets();
    const { keeper: k, browser } = keeper({ secrets });
    await secrets.set(k.key, stack.vault.createToken({ policies: [], ttlSeconds: 3600 }));
    await k.start();
    stack.vault.injectFault({ path: 'auth/token/renew-self', kind: 'reset', times: 3 });
    const before = renewals().length;
    await walk(k, 41, () => undefined);
    for (let second = 0; second < 120; second++) {
      clock.advance(1000);
      await k.settled();
    }
    expect(renewals().length - before).toBe(4);
    expect(k.snapshot().state).toBe('active');
    expect(k.snapshot().session!.expiresAt).toBeGreaterThan(clock.now() + 55 * MINUTE);
    expect(browser.opens).toBe(0);
  });

  it('a token revoked elsewhere is found out at the next renewal', async () => {
    const secrets = new MemorySecrets();
    const { keeper: k } = keeper({ secrets });
    const token = stack.vault.createToken({ policies: [], ttlSeconds: 3600 });
    await secrets.set(k.key, token);
    await k.start();
    await fetch(`${stack.vault.url}/v1/auth/token/revoke-self`, {
      method: 'POST',
      headers: { 'X-Vault-Token': token },
    });
    await walk(k, 41, () => undefined);
    expect(k.snapshot().state).toBe('needs_sign_in');
  });
});

// On a clock still close to the OpenID provider's real one, so its id_tokens are not seen as expired.
describe('signing in', () => {
  beforeAll(async () => {
    await stack.stop();
    clock = new FakeClock();
    stack = await startStack({ clock });
  });

  it('takes a sign-in’s token after Vault accepts it; refuses one it does not; logout revokes and forgets', async () => {
    const { keeper: k, browser, secrets, signIn } = keeper();
    await expect(k.adopt('hvs.not-a-token')).rejects.toThrow(SignInRefusedError);
    expect(secrets.values.size).toBe(0);
    expect(k.snapshot().state).toBe('signed_out');

    const a = await k.adopt(await signIn());
    expect(browser.opens).toBe(1);
    expect(a.state).toBe('active');
    expect(a.session!.displayName).toBe('oidc-alice@example.com');
    expect(a.session!.user).toBe('alice@example.com');
    const token = k.currentToken()!;
    expect(secrets.values.get(k.key)).toBe(token);
    await k.logout();
    expect(k.snapshot().state).toBe('signed_out');
    expect(secrets.values.size).toBe(0);
    const lookup = await fetch(`${stack.vault.url}/v1/auth/token/lookup-self`, {
      headers: { 'X-Vault-Token': token },
    });
    expect(lookup.status).toBe(403);
  });
});
