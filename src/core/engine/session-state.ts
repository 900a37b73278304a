import type { SessionStateName } from '../../shared/states.js';

/** A session this close to its hard end is `ending_soon`, unless the settings say otherwise. */
export const ENDING_SOON_MS = 15 * 60_000;

/** What is known of the Vault token at an instant. */
export interface SessionKnowledge {
  /** A token is stored (or was just handed over). */
  hasToken: boolean;
  /** Vault refused the token (invalid, revoked): only a new sign-in helps. */
  rejected: boolean;
  /** When the token expires (local clock); null for a token that never does. */
  expiresAt?: number | null;
  /** When renewing can no longer extend it (max TTL, or a token that cannot renew). */
  hardEndAt?: number;
}

/**
 * The one rule for the session's state (docs/engine.md): the keeper, `status`, `doctor`, the tray
 * and the window all take it from here, through the engine's AppStatus.
 */
export function sessionStateAt(
  known: SessionKnowledge,
  now: number,
  endingSoonMs = ENDING_SOON_MS,
): SessionStateName {
  if (!known.hasToken) return 'signed_out';
  if (known.rejected) return 'needs_sign_in';
  if (known.expiresAt !== undefined && known.expiresAt !== null && known.expiresAt <= now)
    return 'needs_sign_in';
  if (known.hardEndAt !== undefined && known.hardEndAt - now <= endingSoonMs) return 'ending_soon';
  return 'active';
}
