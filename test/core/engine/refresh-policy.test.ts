import { describe, expect, it } from 'vitest';
import {
  BACKOFF_MAX_MS,
  backoffCapMs,
  refreshAt,
  retryAt,
} from '../../../src/core/engine/refresh-policy.js';

const HOUR = 3600_000;
const MINUTE = 60_000;

describe('refreshAt', () => {
  it('leaves a third of the lifetime by default, minus up to 5 % jitter', () => {
    expect(refreshAt({ expiresAt: 10 * HOUR, lifetimeMs: HOUR, random: () => 0 })).toBe(
      10 * HOUR - 20 * MINUTE,
    );
    expect(refreshAt({ expiresAt: 10 * HOUR, lifetimeMs: HOUR, random: () => 1 })).toBe(
      10 * HOUR - 23 * MINUTE,
    );
  });

  it('takes a profile’s own lead, but never more than half the lifetime', () => {
    expect(
      refreshAt({ expiresAt: 10 * HOUR, lifetimeMs: HOUR, leadMs: 10 * MINUTE, random: () => 0 }),
    ).toBe(10 * HOUR - 10 * MINUTE);
    expect(
      refreshAt({ expiresAt: 10 * HOUR, lifetimeMs: HOUR, leadMs: 50 * MINUTE, random: () => 0 }),
    ).toBe(10 * HOUR - 30 * MINUTE);
  });
});

describe('retryAt', () => {
  it('backs off from 5 s, doubling, to 5 min', () => {
    const mid = () => 0.5;
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((failures) =>
      retryAt({ now: 0, failures, random: mid }),
    );
    expect(delays).toEqual([
      5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000,
    ]);
    expect(retryAt({ now: 0, failures: 20, random: () => 1 })).toBeLessThanOrEqual(
      BACKOFF_MAX_MS * 1.1,
    );
  });

  it('caps the backoff at a twelfth of the credentials’ lifetime, between 5 s and 5 min', () => {
    const mid = () => 0.5;
    const longest = (lifetimeMs: number) =>
      retryAt({ now: 0, failures: 20, lifetimeMs, random: mid });
    expect(longest(15 * MINUTE)).toBe(75_000);
    expect(longest(60 * MINUTE)).toBe(BACKOFF_MAX_MS);
    expect(longest(12 * 60 * MINUTE)).toBe(BACKOFF_MAX_MS);
    expect(longest(30_000)).toBe(5_000);
    expect(backoffCapMs(undefined)).toBe(BACKOFF_MAX_MS);
    // The doubling itself is unchanged below the cap.
    expect(retryAt({ now: 0, failures: 3, lifetimeMs: 15 * MINUTE, random: mid })).toBe(20_000);
  });

  it('never later than a minute before expiry, while there is that long', () => {
    expect(retryAt({ now: 0, failures: 7, expiresAt: 2 * MINUTE, random: () => 0.5 })).toBe(MINUTE);
    // Under a minute left: the plain backoff.
    expect(retryAt({ now: 0, failures: 1, expiresAt: 30_000, random: () => 0.5 })).toBe(5_000);
  });
});
