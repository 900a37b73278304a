import type { ProfileStateName, SessionStateName } from '../../shared/states.js';
import type { VaultErrorKind } from '../vault/errors.js';

/** What the last refreshes of a profile left behind; kept between CLI runs. */
export interface ProfileRecord {
  /** Local-clock ms. */
  expiresAt?: number;
  grantedTtlSeconds?: number;
  lastRefreshAt?: number;
  /** When the engine will refresh it next (persisted so `status` can show it). */
  nextRefreshAt?: number;
  /** The last refresh's failure; the next success clears it. */
  lastError?: { at: number; kind: string; message: string };
  /**
   * Its settings changed since its files were written (by hand, in the window, or while signed
   * out): the next write, at the latest at sign-in, follows them. Until then, what the files say
   * is not someone else's edit.
   */
  rewrite?: boolean;
}

/** Errors a retry will not fix: the binding or the policies must change. */
const LASTING: ReadonlySet<string> = new Set<VaultErrorKind | string>([
  'permission_denied',
  'not_found',
  'bad_request',
  'broken-file',
  'not-ours',
  'invalid-profile-name',
  'unsafe-command',
  'unsupported-layout',
  'not-writable',
  'too-large',
]);

/** A session at or past this state cannot refresh anything. */
function cannotRefresh(session: SessionStateName): boolean {
  return session === 'signed_out' || session === 'needs_sign_in';
}

/** The state of a profile (the table in docs/engine.md), a pure function of what is known. */
export function profileState(
  record: ProfileRecord,
  session: SessionStateName,
  now: number,
): ProfileStateName {
  const valid = record.expiresAt !== undefined && record.expiresAt > now;
  if (cannotRefresh(session)) return 'needs_sign_in';
  if (!valid) return record.lastError && LASTING.has(record.lastError.kind) ? 'error' : 'expired';
  // A success clears lastError, so one that is there came after the last good refresh.
  if (record.lastError) return LASTING.has(record.lastError.kind) ? 'error' : 'expiring';
  return 'fresh';
}
