import type { ProfileSettings } from '../../shared/settings.js';
import type { AppStatus } from '../../shared/app-status.js';
import type { SessionStateName } from '../../shared/states.js';
import type { VaultSession } from '../vault/session.js';
import { profileState } from './profile-state.js';
import { effectiveLeadMs } from './refresh-policy.js';
import type { ProfileRecord } from './profile-state.js';

export type { AppStatus } from '../../shared/app-status.js';

const iso = (ms: number | undefined | null) =>
  ms === undefined || ms === null ? null : new Date(ms).toISOString();

/** The session as AppStatus shows it (its state comes from session-state.ts, via the keeper). */
export function sessionStatus(snapshot: {
  state: SessionStateName;
  session?: VaultSession;
}): AppStatus['session'] {
  const { session } = snapshot;
  return {
    state: snapshot.state,
    address: session?.address ?? null,
    namespace: session ? session.namespace : null,
    displayName: session?.displayName ?? null,
    user: session?.user || null,
    policies: session?.policies ?? [],
    expiresAt: iso(session?.expiresAt),
  };
}

const leadMs = (seconds: number | undefined) =>
  seconds === undefined ? undefined : seconds * 1000;

export function buildStatus(input: {
  now: number;
  session: { state: SessionStateName; session?: VaultSession };
  profiles: Record<string, ProfileSettings>;
  records: Record<string, ProfileRecord>;
  /** Profiles being refreshed right now. */
  refreshing?: ReadonlySet<string>;
  /** The settings' lead for profiles without their own. */
  defaultLeadSeconds?: number;
  engine?: AppStatus['engine'];
}): AppStatus {
  const { now } = input;
  return {
    version: 1,
    generatedAt: new Date(now).toISOString(),
    engine: input.engine ?? 'none',
    session: sessionStatus(input.session),
    profiles: Object.entries(input.profiles).map(([name, binding]) => {
      const record = input.records[name] ?? {};
      return {
        name,
        state: input.refreshing?.has(name)
          ? 'refreshing'
          : profileState(record, input.session.state, now),
        mount: binding.mount,
        role: binding.role,
        endpoint: binding.endpoint,
        delivery: binding.delivery,
        region: binding.region ?? null,
        expiresAt: iso(record.expiresAt),
        grantedTtlSeconds: record.grantedTtlSeconds ?? null,
        leadSeconds: record.grantedTtlSeconds
          ? Math.round(
              effectiveLeadMs(
                record.grantedTtlSeconds * 1000,
                leadMs(binding.leadSeconds ?? input.defaultLeadSeconds),
              ) / 1000,
            )
          : null,
        lastRefreshAt: iso(record.lastRefreshAt),
        nextRefreshAt: iso(record.nextRefreshAt),
        lastError: record.lastError
          ? { ...record.lastError, at: new Date(record.lastError.at).toISOString() }
          : null,
      };
    }),
  };
}
