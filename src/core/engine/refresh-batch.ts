import type { Settings } from '../../shared/settings.js';
import type { Clock, Logger } from '../ports.js';
import type { EngineServices } from './engine-services.js';
import type { ProfileBook } from './profile-book.js';
import { refreshAt, retryAt } from './refresh-policy.js';
import { refreshProfiles } from './refresh.js';
import type { RefreshResult } from './refresh.js';

/** What a batch needs of the engine that runs it. */
export interface BatchContext {
  clock: Clock;
  logger: Logger;
  book: ProfileBook;
  services: EngineServices;
  random: () => number;
  settings(): Settings;
  updateSettings(change: (current: Settings) => Settings): void;
  /** The session's token while Vault accepts it. */
  token(): string | undefined;
  /** Vault refused the token during the batch. */
  signInRejected(): void;
  /** Tells listeners and re-arms the scheduler. */
  changed(): void;
  /** Saves the records (state.json) and the credentials held (the one-shot engine's cache). */
  persist(what: string): Promise<void>;
}

/** When to refresh a profile whose credentials expire at `expiresAt` (docs/engine.md). */
export function nextRefreshAt(
  settings: Settings,
  name: string,
  expiresAt: number,
  grantedTtlSeconds: number,
  random: () => number,
): number {
  const lead = settings.profiles[name]?.leadSeconds ?? settings.engine.leadSeconds;
  return refreshAt({
    expiresAt,
    lifetimeMs: grantedTtlSeconds * 1000,
    leadMs: lead === undefined ? undefined : lead * 1000,
    random,
  });
}

/**
 * One batch: reads `names` from Vault, writes the files once (refresh.ts), and books what came
 * of it: new expiries and next refreshes, or failures with their backoff. Every engine (the
 * daemon's, the app's, the one-shot CLI's) refreshes through here.
 */
export async function runBatch(ctx: BatchContext, names: string[]): Promise<RefreshResult> {
  const settings = ctx.settings();
  const targets = names
    .filter((name) => settings.profiles[name])
    .map((profile) => ({ profile, settings: settings.profiles[profile]! }));
  const token = ctx.token();
  if (!token || targets.length === 0) {
    ctx.changed();
    return { outcomes: [], shadowing: [], signInNeeded: !token };
  }
  for (const { profile } of targets) ctx.book.entry(profile).refreshing = true;
  ctx.changed();
  let result: RefreshResult;
  try {
    result = await refreshProfiles(
      {
        client: ctx.services.client(token),
        writer: ctx.services.writer(),
        clock: ctx.clock,
        processLine: (profile) => ctx.services.processLine(profile),
      },
      targets,
    );
  } finally {
    for (const { profile } of targets) ctx.book.entry(profile).refreshing = false;
  }
  book(ctx, result);
  if (result.signInNeeded) ctx.signInRejected();
  const written = result.outcomes.filter((o) => o.ok).map((o) => o.profile);
  if (written.some((n) => !ctx.settings().profiles[n]?.written)) {
    ctx.updateSettings((s) => ({
      ...s,
      profiles: Object.fromEntries(
        Object.entries(s.profiles).map(([n, p]) => [
          n,
          written.includes(n) ? { ...p, written: true, adopt: false } : p,
        ]),
      ),
    }));
  }
  await ctx.persist('refresh');
  ctx.changed();
  return result;
}

/** Records each outcome in the book, and logs it. */
function book(ctx: BatchContext, result: RefreshResult): void {
  const now = ctx.clock.now();
  const settings = ctx.settings();
  // One jitter for the batch: profiles written together stay together, one write each time.
  const draw = ctx.random();
  for (const outcome of result.outcomes) {
    const entry = ctx.book.entry(outcome.profile);
    if (outcome.ok) {
      const { expiresAt, grantedTtlSeconds, accessKeyId } = outcome.credentials;
      const next = nextRefreshAt(
        settings,
        outcome.profile,
        expiresAt,
        grantedTtlSeconds,
        () => draw,
      );
      entry.record = { expiresAt, grantedTtlSeconds, lastRefreshAt: now, nextRefreshAt: next };
      entry.due = next;
      entry.failures = 0;
      entry.held = outcome.credentials;
      // A credential_process profile has no keys in the file to recognise.
      entry.ours =
        settings.profiles[outcome.profile]?.delivery === 'process' ? undefined : accessKeyId;
      ctx.logger.info(
        `${outcome.profile}: refreshed; valid until ${new Date(expiresAt).toISOString()}, next refresh ${new Date(next).toISOString()}`,
      );
      for (const warning of outcome.warnings)
        ctx.logger.warn(`${outcome.profile}: Vault says: ${warning}`);
    } else {
      entry.failures++;
      const ttl = entry.record.grantedTtlSeconds;
      const next = retryAt({
        now,
        failures: entry.failures,
        expiresAt: entry.record.expiresAt,
        lifetimeMs: ttl === undefined ? undefined : ttl * 1000,
        random: ctx.random,
      });
      entry.record = {
        ...entry.record,
        nextRefreshAt: next,
        lastError: { at: now, kind: outcome.kind, message: outcome.message },
      };
      entry.due = next;
      ctx.logger.warn(
        `${outcome.profile}: refresh failed (${outcome.message}); next try ${new Date(next).toISOString()}`,
      );
    }
  }
  for (const finding of result.shadowing) ctx.logger.warn(finding.message);
}

/** Removes the sections of expired profiles, when the settings ask for it. */
export function removeExpired(ctx: BatchContext): void {
  const settings = ctx.settings();
  if (!settings.engine.removeExpired) return;
  const now = ctx.clock.now();
  for (const [name, entry] of ctx.book) {
    const expiresAt = entry.record.expiresAt;
    if (expiresAt === undefined || expiresAt > now || !settings.profiles[name]?.written) continue;
    ctx.logger.info(`${name}: expired; removing its sections as the settings ask`);
    entry.record = { ...entry.record, expiresAt: undefined };
    ctx.services
      .writer()
      .removeProfile(name)
      .catch((error: unknown) =>
        ctx.logger.warn(`${name}: could not remove its sections: ${(error as Error).message}`),
      );
  }
}
