/**
 * When credentials held in memory (or in the one-shot engine's cache) may be handed out without
 * asking Vault again. Imports nothing: the `credential-process` fast path loads it.
 */

/**
 * At least this long left (or half the lifetime, when Vault grants less): the AWS CLI asks its
 * credential_process again when 15 minutes are left, so less would mean a call per command.
 */
export const HAND_OUT_MIN_MS = 15 * 60_000;

export interface HeldCredentials {
  /** ms since the epoch */
  expiresAt: number;
  grantedTtlSeconds: number;
}

export function handOutMargin(credentials: HeldCredentials): number {
  return Math.min(HAND_OUT_MIN_MS, (credentials.grantedTtlSeconds * 1000) / 2);
}

/** Fresh enough to hand out as they are. */
export function canHandOut(credentials: HeldCredentials, now: number): boolean {
  return credentials.expiresAt - now >= handOutMargin(credentials);
}
