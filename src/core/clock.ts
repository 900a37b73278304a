import type { Clock, TimerHandle } from './ports.js';

/**
 * Node fires a timer longer than this (about 24.8 days) at once, with only a warning; Vault's
 * default token TTL is 32 days, so long deadlines are reached in steps of at most this much.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

interface LongTimer {
  current?: NodeJS.Timeout;
}

/** The real clock: `Date.now()` and Node's timers, for any delay. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const timer: LongTimer = {};
    const due = Date.now() + ms;
    const arm = (left: number) => {
      timer.current = setTimeout(
        () => (left > MAX_TIMER_MS ? arm(due - Date.now()) : callback()),
        Math.min(Math.max(0, left), MAX_TIMER_MS),
      );
    };
    arm(ms);
    return timer as unknown as TimerHandle;
  },
  clearTimeout: (handle) => clearTimeout((handle as unknown as LongTimer).current),
};
