import type { ProfileSettings } from '../../shared/settings.js';
import type { AppStatus } from '../../shared/app-status.js';
import type { SessionStateName } from '../../shared/states.js';
import type { VaultSession } from '../vault/session.js';
import { profileState } from './profile-state.js';
import type { ProfileRecord } from './profile-state.js';

/** A session this close to its hard end is `ending_soon` (design.md "Timing"). */
export const ENDING_SOON_MS = 15 * 60_000;

export type { AppStatus } from '../../shared/app-status.js';

const iso = (ms: number | undefined | null) =>
  ms === undefined || ms === null ? null : new Date(ms).toISOString();

/** The session's state from what is known of its token: none, rejected, or valid until when. */
export function sessionState(
  session: VaultSession | undefined,
  rejected: boolean,
  now: number,
): SessionStateName {
  if (!session) return 'signed_out';
  if (rejected || (session.expiresAt !== null && session.expiresAt <= now)) return 'needs_sign_in';
  if (session.expiresAt !== null && session.expiresAt - now <= ENDING_SOON_MS) return 'ending_soon';
  return 'active';
}

export function buildStatus(input: {
  now: number;
  session: VaultSession | undefined;
  sessionState: SessionStateName;
  profiles: Record<string, ProfileSettings>;
  records: Record<string, ProfileRecord>;
  /** Profiles being refreshed right now. */
  refreshing?: ReadonlySet<string>;
  engine?: AppStatus['engine'];
}): AppStatus {
  const { now, session } = input;
  return {
    version: 1,
    generatedAt: new Date(now).toISOString(),
    engine: input.engine ?? 'none',
    session: {
      state: input.sessionState,
      address: session?.address ?? null,
      namespace: session ? session.namespace : null,
      displayName: session?.displayName ?? null,
      user: session?.user || null,
      policies: session?.policies ?? [],
      expiresAt: iso(session?.expiresAt),
    },
    profiles: Object.entries(input.profiles).map(([name, binding]) => {
      const record = input.records[name] ?? {};
      return {
        name,
        state: input.refreshing?.has(name)
          ? 'refreshing'
          : profileState(record, input.sessionState, now),
        mount: binding.mount,
        role: binding.role,
        endpoint: binding.endpoint,
        delivery: binding.delivery,
        region: binding.region ?? null,
        expiresAt: iso(record.expiresAt),
        grantedTtlSeconds: record.grantedTtlSeconds ?? null,
        lastRefreshAt: iso(record.lastRefreshAt),
        nextRefreshAt: iso(record.nextRefreshAt),
        lastError: record.lastError
          ? { ...record.lastError, at: new Date(record.lastError.at).toISOString() }
          : null,
      };
    }),
  };
}
