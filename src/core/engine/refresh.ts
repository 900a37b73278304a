import type { ProfileSettings } from '../../shared/settings.js';
import type { CredentialsFileWriter, ProfileUpdate } from '../aws/credentials-file-writer.js';
import { CredentialsFileError } from '../aws/errors.js';
import type { ShadowingFinding } from '../aws/shadowing.js';
import type { Clock } from '../ports.js';
import { BindingError, readAwsCredentials } from '../vault/aws-credentials.js';
import type { AwsCredentials, CredentialsRead } from '../vault/aws-credentials.js';
import type { VaultClient } from '../vault/client.js';
import { VaultError } from '../vault/errors.js';

/** At most this many reads from Vault at once. */
export const REFRESH_CONCURRENCY = 4;

export interface RefreshTarget {
  profile: string;
  settings: ProfileSettings;
}

export type RefreshOutcome =
  | { profile: string; ok: true; credentials: AwsCredentials; warnings: string[] }
  | { profile: string; ok: false; kind: string; message: string };

export interface RefreshResult {
  outcomes: RefreshOutcome[];
  shadowing: ShadowingFinding[];
  /** The token is no longer accepted: nothing can be refreshed until the user signs in again. */
  signInNeeded: boolean;
  /** Local clock minus Vault's, as measured on the reads (ms). */
  clockSkewMs?: number;
}

export interface RefreshDeps {
  client: VaultClient;
  writer: CredentialsFileWriter;
  clock: Clock;
}

async function mapLimited<T, R>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  });
  await Promise.all(lanes);
  return results;
}

function failure(profile: string, error: unknown): RefreshOutcome {
  if (error instanceof VaultError || error instanceof CredentialsFileError) {
    return { profile, ok: false, kind: error.kind, message: error.message };
  }
  if (error instanceof BindingError)
    return { profile, ok: false, kind: 'bad_request', message: error.message };
  throw error;
}

/**
 * Reads fresh credentials for every target from Vault, then writes the ones that came back in one
 * write of the files (profiles written for the first time are added, or adopted, one by one). A
 * failing role never blocks the others, and writes nothing for itself: its last valid credentials
 * stay in the file until they expire.
 */
export async function refreshProfiles(
  deps: RefreshDeps,
  targets: RefreshTarget[],
): Promise<RefreshResult> {
  const reads = await mapLimited(targets, REFRESH_CONCURRENCY, async (target) => {
    try {
      const read = await readAwsCredentials(
        deps.client,
        { profile: target.profile, ...target.settings },
        deps.clock,
      );
      return { target, read };
    } catch (error) {
      return { target, outcome: failure(target.profile, error) };
    }
  });
  const outcomes = new Map<string, RefreshOutcome>();
  const ready: Array<{ target: RefreshTarget; read: CredentialsRead }> = [];
  for (const r of reads) {
    if (r.outcome) outcomes.set(r.target.profile, r.outcome);
    else ready.push({ target: r.target, read: r.read! });
  }
  const update = ({ target, read }: (typeof ready)[number]): ProfileUpdate => ({
    profile: target.profile,
    credentials: { ...read.credentials, expiresAt: new Date(read.credentials.expiresAt) },
    region: target.settings.region,
  });
  const succeeded = (entry: (typeof ready)[number]) =>
    outcomes.set(entry.target.profile, {
      profile: entry.target.profile,
      ok: true,
      credentials: entry.read.credentials,
      warnings: entry.read.warnings,
    });
  const shadowing: ShadowingFinding[] = [];

  const managed = ready.filter((r) => r.target.settings.written);
  if (managed.length > 0) {
    try {
      shadowing.push(...(await deps.writer.applyProfiles(managed.map(update))).shadowing);
      managed.forEach(succeeded);
    } catch (error) {
      for (const r of managed) outcomes.set(r.target.profile, failure(r.target.profile, error));
    }
  }
  for (const entry of ready.filter((r) => !r.target.settings.written)) {
    try {
      const write = entry.target.settings.adopt
        ? deps.writer.adoptProfile(update(entry))
        : deps.writer.addProfile(update(entry));
      shadowing.push(...(await write).shadowing);
      succeeded(entry);
    } catch (error) {
      outcomes.set(entry.target.profile, failure(entry.target.profile, error));
    }
  }

  const ordered = targets.map((t) => outcomes.get(t.profile)!);
  const skews = ready.map((r) => r.read.clockSkewMs).filter((s): s is number => s !== undefined);
  return {
    outcomes: ordered,
    shadowing,
    signInNeeded: ordered.some((o) => !o.ok && o.kind === 'invalid_token'),
    clockSkewMs: skews.length > 0 ? skews[skews.length - 1] : undefined,
  };
}
