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

/** The lead in force: the one asked for (or a third of the lifetime), never more than half of it. */
export function effectiveLeadMs(lifetimeMs: number, leadMs?: number): number {
  return Math.min(leadMs ?? lifetimeMs / 3, lifetimeMs / 2);
}

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
  const lead = effectiveLeadMs(lifetimeMs, args.leadMs);
  const jitter = (args.random ?? Math.random)() * JITTER_SHARE * lifetimeMs;
  return Math.round(expiresAt - lead - jitter);
}

/**
 * The longest wait between tries: min(5 min, max(5 s, lifetime / 12)), so short-lived
 * credentials are not left waiting most of their life (15 minutes: at most 75 s).
 */
export function backoffCapMs(lifetimeMs?: number): number {
  if (!lifetimeMs) return BACKOFF_MAX_MS;
  return Math.min(BACKOFF_MAX_MS, Math.max(BACKOFF_MIN_MS, lifetimeMs / 12));
}

/**
 * The next try after `failures` failures in a row: 5 s doubling up to the cap for the
 * credentials' lifetime, ±10 % jitter, and never later than a minute before the credentials
 * expire (when they still have that long).
 */
export function retryAt(args: {
  now: number;
  failures: number;
  expiresAt?: number;
  /** The credentials' lifetime, which caps the backoff. */
  lifetimeMs?: number;
  random?: () => number;
}): number {
  const cap = backoffCapMs(args.lifetimeMs);
  const base = Math.min(BACKOFF_MIN_MS * 2 ** Math.max(0, args.failures - 1), cap);
  const delay = base * (0.9 + (args.random ?? Math.random)() * 0.2);
  let at = args.now + delay;
  if (args.expiresAt !== undefined) {
    const lastChance = args.expiresAt - LAST_RETRY_BEFORE_EXPIRY_MS;
    if (lastChance > args.now) at = Math.min(at, lastChance);
  }
  return Math.round(at);
}
