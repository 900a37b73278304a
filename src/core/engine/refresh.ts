import { bindingProblem } from '../../shared/settings.js';
import type { ProfileSettings } from '../../shared/settings.js';
import { updateProblem } from '../aws/credentials-file-writer.js';
import type { CredentialsFileWriter, ProfileUpdate } from '../aws/credentials-file-writer.js';
import { CredentialsFileError } from '../aws/errors.js';
import type { ShadowingFinding } from '../aws/shadowing.js';
import type { Clock } from '../ports.js';
import { BindingError, readAwsCredentials } from '../vault/aws-credentials.js';
import type { AwsCredentials, CredentialsRead } from '../vault/aws-credentials.js';
import type { VaultClient } from '../vault/client.js';
import type { RefreshReport } from './engine-api.js';
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
  /** The `credential_process` value for profiles delivered that way. */
  processLine?: (profile: string) => string;
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

async function isTaken(writer: CredentialsFileWriter, profile: string): Promise<boolean> {
  const found = await writer.inspect(profile).catch(() => undefined);
  return found !== undefined && (found.inCredentialsFile || found.inConfigFile);
}

function notOurs(profile: string): CredentialsFileError {
  return new CredentialsFileError(
    'not-ours',
    `profile ${profile} already exists in the AWS files and the app does not manage it; add it with --adopt to take it over`,
  );
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
 * write of the files (only a profile taken over from someone else gets a write of its own). A
 * failing role never blocks the others, and writes nothing for itself: its last valid credentials
 * stay in the file until they expire.
 */
export async function refreshProfiles(
  deps: RefreshDeps,
  targets: RefreshTarget[],
): Promise<RefreshResult> {
  const reads = await mapLimited(targets, REFRESH_CONCURRENCY, async (target) => {
    // A value saved before a rule refused it fails this profile alone, naming the field.
    const problem = bindingProblem(target.settings);
    if (problem)
      return {
        target,
        outcome: failure(target.profile, new BindingError(`profile ${target.profile}: ${problem}`)),
      };
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
  const update = ({ target, read }: (typeof ready)[number]): ProfileUpdate => {
    const { profile, settings } = target;
    if (settings.delivery !== 'process') {
      const expiresAt = new Date(read.credentials.expiresAt);
      return { profile, credentials: { ...read.credentials, expiresAt }, region: settings.region };
    }
    if (!deps.processLine)
      throw new BindingError(`${profile}: this program cannot deliver by credential_process`);
    return { profile, credentialProcess: deps.processLine(profile), region: settings.region };
  };
  const succeeded = (entry: (typeof ready)[number]) =>
    outcomes.set(entry.target.profile, {
      profile: entry.target.profile,
      ok: true,
      credentials: entry.read.credentials,
      warnings: entry.read.warnings,
    });
  const shadowing: ShadowingFinding[] = [];

  // New profiles whose name is taken by someone else's section fail alone, before the write, so
  // that the batch (managed and new together, one write) still goes through for the others.
  const adopting = ready.filter((r) => !r.target.settings.written && r.target.settings.adopt);
  const batch: Array<(typeof ready)[number] & { update: ProfileUpdate }> = [];
  for (const entry of ready.filter((r) => !adopting.includes(r))) {
    // Credentials handed out by credential_process stay in memory: the files already point there.
    if (entry.target.settings.delivery === 'process' && entry.target.settings.written) {
      succeeded(entry);
      continue;
    }
    if (!entry.target.settings.written && (await isTaken(deps.writer, entry.target.profile))) {
      outcomes.set(
        entry.target.profile,
        failure(entry.target.profile, notOurs(entry.target.profile)),
      );
      continue;
    }
    // A profile whose update cannot be made (a helper path credential_process cannot call)
    // fails alone; the others are still written.
    try {
      const made = update(entry);
      // A value the file cannot hold (a key with a space, from a misbehaving Vault) fails this
      // profile alone, before the write: the others are written and stay fresh.
      const problem = updateProblem(made);
      if (problem) throw problem;
      batch.push({ ...entry, update: made });
    } catch (error) {
      outcomes.set(entry.target.profile, failure(entry.target.profile, error));
    }
  }
  if (batch.length > 0) {
    const adding = new Set(
      batch.filter((r) => !r.target.settings.written).map((r) => r.target.profile),
    );
    try {
      const updates = batch.map((entry) => entry.update);
      shadowing.push(...(await deps.writer.applyProfiles(updates, { adding })).shadowing);
      batch.forEach(succeeded);
    } catch (error) {
      for (const r of batch) outcomes.set(r.target.profile, failure(r.target.profile, error));
    }
  }
  // Taking over someone else's section is a one-time write of its own, with its backup.
  for (const entry of adopting) {
    try {
      shadowing.push(...(await deps.writer.adoptProfile(update(entry))).shadowing);
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

/** What a front end shows of a refresh: expiries and reasons, no key material. */
export function refreshReport(result: RefreshResult): RefreshReport {
  return {
    outcomes: result.outcomes.map((o) =>
      o.ok
        ? {
            profile: o.profile,
            ok: true,
            expiresAt: o.credentials.expiresAt,
            grantedTtlSeconds: o.credentials.grantedTtlSeconds,
            warnings: o.warnings,
          }
        : { profile: o.profile, ok: false, kind: o.kind, message: o.message },
    ),
    shadowing: result.shadowing.map((f) => f.message),
    signInNeeded: result.signInNeeded,
    clockSkewMs: result.clockSkewMs,
  };
}
