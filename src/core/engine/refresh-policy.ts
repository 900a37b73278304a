/**
 * When to refresh (docs/engine.md "When a profile is refreshed"): pure arithmetic on wall-clock
 * instants, so the engine, the daemon and the tests agree on every deadline.
 */

export const BACKOFF_MIN_MS = 5_000;
export const BACKOFF_MAX_MS = 5 * 60_000;
/** A failing refresh is retried at the latest this long before the credentials expire. */
export const LAST_RETRY_BEFORE_EXPIRY_MS = 60_000;
/** Jitter spreads refreshes of profiles that were written together: up to 5 % of the lifetime. */
const JITTER_SHARE = 0.05;

/**
 * `refreshAt = expiresAt − min(lead, lifetime/2) − jitter`, with `lead` a third of the lifetime
 * unless the profile sets one, and jitter 0–5 % of the lifetime.
 */
export function refreshAt(args: {
  expiresAt: number;
  lifetimeMs: number;
  leadMs?: number;
  random?: () => number;
}): number {
  const { expiresAt, lifetimeMs } = args;
  const lead = Math.min(args.leadMs ?? lifetimeMs / 3, lifetimeMs / 2);
  const jitter = (args.random ?? Math.random)() * JITTER_SHARE * lifetimeMs;
  return Math.round(expiresAt - lead - jitter);
}

/**
 * The next try after `failures` failures in a row: 5 s doubling to 5 min, ±10 % jitter, and never
 * later than a minute before the credentials expire (when they still have that long).
 */
export function retryAt(args: {
  now: number;
  failures: number;
  expiresAt?: number;
  random?: () => number;
}): number {
  const base = Math.min(BACKOFF_MIN_MS * 2 ** Math.max(0, args.failures - 1), BACKOFF_MAX_MS);
  const delay = base * (0.9 + (args.random ?? Math.random)() * 0.2);
  let at = args.now + delay;
  if (args.expiresAt !== undefined) {
    const lastChance = args.expiresAt - LAST_RETRY_BEFORE_EXPIRY_MS;
    if (lastChance > args.now) at = Math.min(at, lastChance);
  }
  return Math.round(at);
}
