import { describe, expect, it } from 'vitest';
import type { HandedOutCredentials } from '../../src/core/aws/credential-output.js';
import { SignInNeededError } from '../../src/core/engine/engine-errors.js';
import { CredentialSupply } from '../../src/cli/credentials-server.js';
import { FakeClock } from '../support/fake-clock.js';

const MINUTE = 60_000;

/**
 * The engine as the server sees it (hand-out.ts): the same keys until less than the margin is
 * left, then new ones for `lifetime`; or what a test makes it answer.
 */
function engine(clock: FakeClock, lifetimeMs: number) {
  let n = 0;
  const mint = (): HandedOutCredentials => ({
    accessKeyId: `ASIA${++n}`,
    secretAccessKey: 'secret',
    sessionToken: 'token',
    expiresAt: clock.now() + lifetimeMs,
  });
  let held = mint();
  const e = {
    calls: [] as number[],
    failWith: undefined as unknown,
    /** How many fetches have not been answered yet (the test lets them go). */
    pending: [] as Array<() => void>,
    hold: false,
    first: held,
    fetch: async (): Promise<HandedOutCredentials> => {
      e.calls.push(clock.now());
      if (e.hold) await new Promise<void>((resolve) => e.pending.push(resolve));
      if (e.failWith) throw e.failWith;
      if (held.expiresAt - clock.now() < Math.min(15 * MINUTE, lifetimeMs / 2)) held = mint();
      return held;
    },
  };
  return e;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Moves the clock a step at a time, letting each fetch finish, as real time would. */
async function walk(clock: FakeClock, ms: number, step: number) {
  for (let t = 0; t < ms; t += step) {
    clock.advance(Math.min(step, ms - t));
    await settle();
  }
}

function supplyOf(clock: FakeClock, e: ReturnType<typeof engine>) {
  const warnings: string[] = [];
  const supply = new CredentialSupply({
    first: e.first,
    fetch: e.fetch,
    clock,
    warn: (m) => warnings.push(m),
  });
  return { supply, warnings };
}

describe('the credentials server’s supply (credentials-server.ts)', () => {
  it('1-hour keys: answers from memory; asks a minute before the 15-minute margin, then every 15 s until newer keys come', async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const e = engine(clock, 60 * MINUTE);
    const { supply } = supplyOf(clock, e);
    for (let i = 0; i < 5; i++) expect((await supply.get()).accessKeyId).toBe('ASIA1');
    await walk(clock, 44 * MINUTE - 1000, MINUTE);
    expect(e.calls).toEqual([]);
    await walk(clock, 2 * MINUTE, 1000);
    // 44:00 (16 minutes left: the same keys), 44:15, 44:30, 44:45, then 45:00, when the engine
    // reads Vault because the keys have less than its margin left... or exactly that much.
    const at = e.calls.map((t) => (t - start) / 1000);
    expect(at.slice(0, 4)).toEqual([2640, 2655, 2670, 2685]);
    expect(at.length).toBeLessThanOrEqual(6);
    const fresh = await supply.get();
    expect(fresh.accessKeyId).toBe('ASIA2');
    expect(fresh.expiresAt - clock.now()).toBeGreaterThan(58 * MINUTE);
    // And nothing more until the new keys' turn.
    const calls = e.calls.length;
    await walk(clock, 40 * MINUTE, MINUTE);
    expect(e.calls.length).toBe(calls);
    supply.close();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('30-second keys: halfway is the margin; the served keys never run out', async () => {
    const clock = new FakeClock();
    const e = engine(clock, 30_000);
    const { supply } = supplyOf(clock, e);
    const seen = new Set<string>();
    for (let t = 0; t < 5 * MINUTE; t += 250) {
      const c = await supply.get();
      expect(c.expiresAt - clock.now()).toBeGreaterThan(12_000);
      seen.add(c.accessKeyId);
      await walk(clock, 250, 250);
    }
    expect(seen.size).toBeGreaterThanOrEqual(18);
    // About one fetch a second from 18.75 s left until 15 s left: five or so per key.
    expect(e.calls.length).toBeLessThan(seen.size * 7);
    supply.close();
  });

  it('requests that find no valid keys share one fetch; valid keys never wait on one', async () => {
    const clock = new FakeClock();
    const e = engine(clock, 60 * MINUTE);
    const { supply } = supplyOf(clock, e);
    e.hold = true;
    clock.advance(61 * MINUTE);
    await settle();
    const answers = Promise.all(Array.from({ length: 20 }, () => supply.get()));
    await settle();
    expect(e.calls.length).toBe(1);
    for (const go of e.pending.splice(0)) go();
    const keys = await answers;
    expect(new Set(keys.map((k) => k.accessKeyId))).toEqual(new Set(['ASIA2']));
    expect(e.calls.length).toBe(1);

    // A fetch in flight (the timer's) while valid keys are held: the request does not wait.
    clock.advance(45 * MINUTE);
    await settle();
    expect(e.pending.length).toBe(1);
    expect((await supply.get()).accessKeyId).toBe('ASIA2');
    for (const go of e.pending.splice(0)) go();
    supply.close();
  });

  it('Vault refusing: the held keys until they expire, one warning, then the refusal and never the old keys', async () => {
    const clock = new FakeClock();
    const e = engine(clock, 60 * MINUTE);
    const { supply, warnings } = supplyOf(clock, e);
    e.failWith = new SignInNeededError();
    await walk(clock, 59 * MINUTE, 5000);
    expect(e.calls.length).toBeGreaterThan(10);
    expect((await supply.get()).accessKeyId).toBe('ASIA1');
    expect(warnings).toEqual([
      expect.stringMatching(
        /^credentials server: Vault needs a new sign-in: run `vault-aws-tray login`; handing out the credentials held until (\d{4}-\d\d-\d\d )?\d\d:\d\d$/,
      ),
    ]);
    await walk(clock, 2 * MINUTE, 5000);
    // Expired: no timer; the next request asks, and is told why.
    expect(clock.pendingTimers()).toBe(0);
    await expect(supply.get()).rejects.toMatchObject({ code: 'sign_in_needed' });
    expect(warnings).toHaveLength(1);
    // Signed in again: fresh keys, and the next trouble is told again.
    e.failWith = undefined;
    expect((await supply.get()).accessKeyId).toBe('ASIA2');
    e.failWith = new Error('boom');
    await walk(clock, 50 * MINUTE, 5000);
    expect(warnings).toHaveLength(2);
    supply.close();
  });
});
