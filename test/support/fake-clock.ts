import type { Clock, TimerHandle } from '../../src/core/ports.js';

interface PendingTimer {
  id: number;
  at: number;
  callback: () => void;
}

/**
 * A clock that moves only when told to. Timers fire in deadline order while `advance` walks
 * through them, so the engine and the emulators that share one FakeClock see the same instants.
 */
export class FakeClock implements Clock {
  private current: number;
  private nextId = 1;
  private timers: PendingTimer[] = [];

  // Starts at the real time by default: the OpenID provider stamps tokens with the real clock, so a
  // fake clock far from it would make every id_token look expired or issued in the future. Half
  // a second past a whole second, always: STS prints expiries in whole seconds and Vault counts
  // whole seconds, so "3599 s left" must not turn into 3600 in the run that starts on a second.
  constructor(start: number | Date = Math.floor(Date.now() / 1000) * 1000 + 500) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, at: this.current + Math.max(0, ms), callback };
    this.timers.push(timer);
    return timer.id as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    const id = handle as unknown as number;
    this.timers = this.timers.filter((t) => t.id !== id);
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = this.timers
        .filter((t) => t.at <= target)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.callback();
    }
    this.current = target;
  }

  /** Jumps the wall clock without firing timers, as a clock change does. */
  jump(ms: number): void {
    this.current += ms;
  }

  /**
   * A suspend of `ms`: the wall clock moves on, but pending timers, which run on the monotonic
   * clock in Node, are pushed back by as much, so they fire late, as after a real sleep.
   */
  sleep(ms: number): void {
    this.current += ms;
    for (const timer of this.timers) timer.at += ms;
  }

  pendingTimers(): number {
    return this.timers.length;
  }
}
