import type { ProfileSettings } from '../../shared/settings.js';
import type { Clock, Logger, PowerEvents, TimerHandle } from '../ports.js';
import type { ProfileBook, ProfileEntry } from './profile-book.js';

/** The daemon looks at the wall clock this often to notice a suspend or a clock change. */
export const DRIFT_CHECK_MS = 60_000;
/** A drift check this late means the machine slept or the clock was changed. */
const DRIFT_TOLERANCE_MS = 15_000;
/**
 * A profile due within this share of its lifetime (at most 5 s) joins a batch that runs anyway:
 * profiles written together get expiries a second or so apart, and should not wake us twice.
 */
const TAKE_ALONG_SHARE = 0.01;
const TAKE_ALONG_MAX_MS = 5_000;

/** How much earlier than its own time a profile may join a batch that is running anyway. */
export function takeAlongMs(entry: ProfileEntry): number {
  const ttl = entry.record.grantedTtlSeconds;
  return ttl ? Math.min(TAKE_ALONG_MAX_MS, ttl * 1000 * TAKE_ALONG_SHARE) : 0;
}

/**
 * When a profile is first due after a start: at once when it is missing, expired, never written
 * or to be rewritten from changed settings (and a process profile, whose credentials live in
 * memory only), else when planned.
 */
export function firstDueAt(
  binding: ProfileSettings,
  entry: ProfileEntry,
  now: number,
  planned: (expiresAt: number, grantedTtlSeconds: number) => number,
): number {
  const { expiresAt, grantedTtlSeconds, nextRefreshAt, rewrite } = entry.record;
  if (!binding.written || binding.delivery === 'process' || rewrite) return now;
  if (!expiresAt || !grantedTtlSeconds || expiresAt <= now) return now;
  return nextRefreshAt ?? planned(expiresAt, grantedTtlSeconds);
}

/** The profiles to refresh in the batch that starts now. */
export function dueProfiles(book: ProfileBook, now: number): string[] {
  const due: string[] = [];
  for (const [name, entry] of book)
    if (entry.due !== undefined && !entry.refreshing && entry.due - takeAlongMs(entry) <= now)
      due.push(name);
  return due;
}

/**
 * The next instant anything happens: a due refresh (only while a session can refresh), or an
 * expiry, so that states change on time.
 */
export function nextWakeAt(
  book: ProfileBook,
  now: number,
  canRefresh: boolean,
): number | undefined {
  let next: number | undefined;
  const consider = (at: number) => (next = next === undefined ? at : Math.min(next, at));
  for (const [, entry] of book) {
    if (canRefresh && entry.due !== undefined && !entry.refreshing) consider(entry.due);
    const expiry = entry.record.expiresAt;
    if (expiry !== undefined && expiry > now) consider(expiry);
  }
  return next;
}

/** After a wake-up, retries waiting on backoff are due at once: the network may just be back. */
export function retriesDueNow(book: ProfileBook, now: number): void {
  for (const [, entry] of book)
    if (entry.failures > 0 && entry.due !== undefined && entry.due > now) entry.due = now;
}

export interface SchedulerOptions {
  clock: Clock;
  logger: Logger;
  /** Called when the armed instant comes. */
  tick(): void;
  /** Called after a suspend or a clock jump (the engine makes what is due run). */
  woke(why: string): void;
  /** The app hears suspend and resume from the OS. */
  power?: PowerEvents;
  /** The plain-Node daemon has no powerMonitor: it checks the wall clock once a minute instead. */
  driftCheck?: boolean;
}

/**
 * The engine's timers (docs/engine.md "When a profile is refreshed"): one for the next instant
 * anything happens, and the ways of noticing that the machine slept. Deadlines are wall-clock
 * instants, re-armed from `clock.now()` each time.
 */
export class Scheduler {
  private timer?: TimerHandle;
  private driftTimer?: TimerHandle;
  private lastDriftCheck = 0;
  private unsubscribe: Array<() => void> = [];
  private stopped = false;

  constructor(private readonly options: SchedulerOptions) {}

  start(): void {
    const { power, logger } = this.options;
    if (power) {
      this.unsubscribe.push(power.onResume(() => this.options.woke('the machine woke up')));
      this.unsubscribe.push(power.onSuspend(() => logger.info('the machine is going to sleep')));
    }
    if (this.options.driftCheck) {
      this.lastDriftCheck = this.options.clock.now();
      this.armDriftCheck();
    }
  }

  /** One timer, for `at` (replacing the one set before); none when `at` is undefined. */
  arm(at: number | undefined): void {
    this.cancel();
    if (this.stopped || at === undefined) return;
    const { clock } = this.options;
    this.timer = clock.setTimeout(
      () => {
        this.timer = undefined;
        this.options.tick();
      },
      Math.max(0, at - clock.now()),
    );
  }

  /** Drops the pending timer (a tick run directly must not run again when it fires). */
  cancel(): void {
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  stop(): void {
    this.stopped = true;
    this.cancel();
    if (this.driftTimer) this.options.clock.clearTimeout(this.driftTimer);
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private armDriftCheck(): void {
    const { clock } = this.options;
    this.driftTimer = clock.setTimeout(() => {
      const now = clock.now();
      const late = now - this.lastDriftCheck - DRIFT_CHECK_MS;
      this.lastDriftCheck = now;
      if (late > DRIFT_TOLERANCE_MS)
        this.options.woke(
          `the clock moved ${Math.round(late / 1000)} s more than expected (a suspend, or a clock change)`,
        );
      if (!this.stopped) this.armDriftCheck();
    }, DRIFT_CHECK_MS);
  }
}
