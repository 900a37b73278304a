import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ProfileBook } from '../../../src/core/engine/profile-book.js';
import type { ProfileEntry } from '../../../src/core/engine/profile-book.js';
import {
  DRIFT_CHECK_MS,
  Scheduler,
  dueProfiles,
  firstDueAt,
  nextWakeAt,
  retriesDueNow,
  takeAlongMs,
} from '../../../src/core/engine/scheduler.js';
import type { Logger, PowerEvents } from '../../../src/core/ports.js';
import { profileSettingsSchema } from '../../../src/shared/settings.js';
import { FakeClock } from '../../support/fake-clock.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const START = Date.parse('2030-01-01T00:00:00Z');

/** A book with the given entries (each starting from an empty one). */
function bookOf(entries: Record<string, Partial<ProfileEntry>>): ProfileBook {
  const book = new ProfileBook();
  for (const [name, fields] of Object.entries(entries)) Object.assign(book.entry(name), fields);
  return book;
}

describe('takeAlongMs', () => {
  it('is 1% of the granted lifetime, at most 5 s, and nothing without a lifetime', () => {
    expect(takeAlongMs(bookOf({ a: { record: { grantedTtlSeconds: 100 } } }).get('a')!)).toBe(1000);
    expect(takeAlongMs(bookOf({ a: { record: { grantedTtlSeconds: 3600 } } }).get('a')!)).toBe(
      5000,
    );
    expect(takeAlongMs(bookOf({ a: { record: {} } }).get('a')!)).toBe(0);
  });
});

describe('dueProfiles', () => {
  const now = START;

  it('takes along a profile due within its window, and not one just outside it', () => {
    const book = bookOf({
      // 100 s lifetime: a 1 s window.
      inside: { record: { grantedTtlSeconds: 100 }, due: now + 1000 },
      outside: { record: { grantedTtlSeconds: 100 }, due: now + 1001 },
      // An hour's 1% is 36 s, but the window stops at 5 s.
      capped: { record: { grantedTtlSeconds: 3600 }, due: now + 5000 },
      pastCap: { record: { grantedTtlSeconds: 3600 }, due: now + 5001 },
      late: { record: { grantedTtlSeconds: 100 }, due: now - HOUR },
      noLifetime: { record: {}, due: now + 1 },
      noLifetimeNow: { record: {}, due: now },
    });
    expect(dueProfiles(book, now)).toEqual(['inside', 'capped', 'late', 'noLifetimeNow']);
  });

  it('never counts a profile being refreshed or one waiting for a user', () => {
    const book = bookOf({
      busy: { record: { grantedTtlSeconds: 100 }, due: now - MINUTE, refreshing: true },
      waiting: { record: { grantedTtlSeconds: 100 } },
      ready: { record: { grantedTtlSeconds: 100 }, due: now - MINUTE },
    });
    expect(dueProfiles(book, now)).toEqual(['ready']);
  });
});

describe('nextWakeAt', () => {
  const now = START;

  it('is the earliest due refresh while the session can refresh', () => {
    const book = bookOf({
      a: { record: { expiresAt: now + 20 * MINUTE }, due: now + 10 * MINUTE },
      b: { record: { expiresAt: now + 30 * MINUTE }, due: now + 7 * MINUTE },
      busy: { record: { expiresAt: now + 30 * MINUTE }, due: now + MINUTE, refreshing: true },
    });
    expect(nextWakeAt(book, now, true)).toBe(now + 7 * MINUTE);
  });

  it('returns an overdue refresh as it is, so the timer fires at once', () => {
    const book = bookOf({ a: { record: { expiresAt: now + HOUR }, due: now - MINUTE } });
    expect(nextWakeAt(book, now, true)).toBe(now - MINUTE);
  });

  it('is an expiry when it comes before any due refresh', () => {
    const book = bookOf({
      a: { record: { expiresAt: now + 3 * MINUTE }, due: now + 10 * MINUTE },
    });
    expect(nextWakeAt(book, now, true)).toBe(now + 3 * MINUTE);
  });

  it('is the next expiry when no session can refresh, so states change on time', () => {
    const book = bookOf({
      a: { record: { expiresAt: now + 20 * MINUTE }, due: now + MINUTE },
      b: { record: { expiresAt: now + 15 * MINUTE }, due: now + 2 * MINUTE },
    });
    expect(nextWakeAt(book, now, false)).toBe(now + 15 * MINUTE);
  });

  it('ignores expiries already past (or at this very instant)', () => {
    const book = bookOf({
      gone: { record: { expiresAt: now - MINUTE } },
      atNow: { record: { expiresAt: now } },
      later: { record: { expiresAt: now + HOUR } },
    });
    expect(nextWakeAt(book, now, false)).toBe(now + HOUR);
    expect(nextWakeAt(bookOf({ gone: { record: { expiresAt: now - 1 } } }), now, false)).toBe(
      undefined,
    );
  });

  it('is nothing for an empty book, or one with nothing due and nothing to expire', () => {
    expect(nextWakeAt(new ProfileBook(), now, true)).toBe(undefined);
    expect(nextWakeAt(bookOf({ waiting: { record: {} } }), now, true)).toBe(undefined);
  });
});

describe('retriesDueNow', () => {
  it('pulls only failed profiles’ future retries to now', () => {
    const now = START;
    const book = bookOf({
      retry: { failures: 2, due: now + 10 * MINUTE },
      healthy: { failures: 0, due: now + 10 * MINUTE },
      overdue: { failures: 1, due: now - MINUTE },
      waiting: { failures: 3 },
    });
    retriesDueNow(book, now);
    expect(book.get('retry')!.due).toBe(now);
    expect(book.get('healthy')!.due).toBe(now + 10 * MINUTE);
    expect(book.get('overdue')!.due).toBe(now - MINUTE);
    expect(book.get('waiting')!.due).toBe(undefined);
  });
});

describe('firstDueAt', () => {
  const now = START;
  const written = profileSettingsSchema.parse({ role: 'r', written: true });
  const planned = vi.fn((expiresAt: number, ttl: number) => expiresAt - (ttl * 1000) / 3);
  beforeEach(() => planned.mockClear());

  const entryWith = (record: ProfileEntry['record']) => bookOf({ p: { record } }).get('p')!;
  const valid = { expiresAt: now + HOUR, grantedTtlSeconds: 3600 };

  it('is now for a profile never written', () => {
    const binding = profileSettingsSchema.parse({ role: 'r' });
    expect(firstDueAt(binding, entryWith(valid), now, planned)).toBe(now);
    expect(planned).not.toHaveBeenCalled();
  });

  it('is now for a process profile, whose credentials live in memory only', () => {
    const binding = profileSettingsSchema.parse({ role: 'r', written: true, delivery: 'process' });
    expect(firstDueAt(binding, entryWith(valid), now, planned)).toBe(now);
  });

  it('is now for an expired profile or one whose expiry or lifetime is unknown', () => {
    for (const record of [
      { expiresAt: now - 1, grantedTtlSeconds: 3600 },
      { expiresAt: now, grantedTtlSeconds: 3600 },
      { grantedTtlSeconds: 3600 },
      { expiresAt: now + HOUR },
      {},
    ])
      expect(firstDueAt(written, entryWith(record), now, planned)).toBe(now);
    expect(planned).not.toHaveBeenCalled();
  });

  it('is the planned instant for a valid profile', () => {
    expect(firstDueAt(written, entryWith(valid), now, planned)).toBe(now + HOUR - 1200 * SECOND);
    expect(planned).toHaveBeenCalledWith(now + HOUR, 3600);
  });

  it('keeps the refresh instant stored in the state file', () => {
    const stored = now + 17 * MINUTE;
    expect(firstDueAt(written, entryWith({ ...valid, nextRefreshAt: stored }), now, planned)).toBe(
      stored,
    );
    expect(planned).not.toHaveBeenCalled();
  });
});

class FakePower implements PowerEvents {
  readonly resumes = new Set<() => void>();
  readonly suspends = new Set<() => void>();
  onSuspend(listener: () => void) {
    this.suspends.add(listener);
    return () => this.suspends.delete(listener);
  }
  onResume(listener: () => void) {
    this.resumes.add(listener);
    return () => this.resumes.delete(listener);
  }
  suspend() {
    for (const listener of this.suspends) listener();
  }
  resume() {
    for (const listener of this.resumes) listener();
  }
}

function scheduler(options: { driftCheck?: boolean; power?: PowerEvents } = {}) {
  const clock = new FakeClock(START);
  const ticks: number[] = [];
  const wakes: string[] = [];
  const infos: string[] = [];
  const logger: Logger = {
    debug: () => undefined,
    info: (message) => infos.push(message),
    warn: () => undefined,
    error: () => undefined,
  };
  const s = new Scheduler({
    clock,
    logger,
    tick: () => ticks.push(clock.now()),
    woke: (why) => wakes.push(why),
    ...options,
  });
  return { scheduler: s, clock, ticks, wakes, infos };
}

describe('Scheduler timers', () => {
  it('ticks once, at the armed instant', () => {
    const { scheduler: s, clock, ticks } = scheduler();
    s.start();
    s.arm(START + 10 * MINUTE);
    clock.advance(10 * MINUTE - 1);
    expect(ticks).toEqual([]);
    clock.advance(DAY);
    expect(ticks).toEqual([START + 10 * MINUTE]);
  });

  it('fires at once for an instant already past', () => {
    const { scheduler: s, clock, ticks } = scheduler();
    s.arm(START - MINUTE);
    clock.advance(0);
    expect(ticks).toEqual([START]);
  });

  it('replaces the timer armed before: only the last one ticks', () => {
    const { scheduler: s, clock, ticks } = scheduler();
    s.arm(START + 10 * MINUTE);
    s.arm(START + 20 * MINUTE);
    s.arm(START + 5 * MINUTE);
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(DAY);
    expect(ticks).toEqual([START + 5 * MINUTE]);
  });

  it('leaves no timer when armed with nothing', () => {
    const { scheduler: s, clock, ticks } = scheduler();
    s.arm(START + MINUTE);
    s.arm(undefined);
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(DAY);
    expect(ticks).toEqual([]);
  });

  it('does not tick after cancel', () => {
    const { scheduler: s, clock, ticks } = scheduler();
    s.arm(START + MINUTE);
    s.cancel();
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(DAY);
    expect(ticks).toEqual([]);
  });

  it('can be armed again from its own tick', () => {
    const clock = new FakeClock(START);
    const ticks: number[] = [];
    const s: Scheduler = new Scheduler({
      clock,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      tick: () => {
        ticks.push(clock.now());
        if (ticks.length < 3) s.arm(clock.now() + MINUTE);
      },
      woke: () => undefined,
    });
    s.arm(START + MINUTE);
    clock.advance(DAY);
    expect(ticks).toEqual([START + MINUTE, START + 2 * MINUTE, START + 3 * MINUTE]);
  });

  it('leaves no timer at all after stop, and arms none afterwards', () => {
    const power = new FakePower();
    const { scheduler: s, clock, ticks, wakes } = scheduler({ driftCheck: true, power });
    s.start();
    s.arm(START + MINUTE);
    expect(clock.pendingTimers()).toBe(2);
    s.stop();
    expect(clock.pendingTimers()).toBe(0);
    s.arm(START + 2 * MINUTE);
    expect(clock.pendingTimers()).toBe(0);
    clock.sleep(2 * HOUR);
    clock.advance(DAY);
    expect(ticks).toEqual([]);
    expect(wakes).toEqual([]);
  });
});

describe('Scheduler drift check', () => {
  it('stays quiet while time passes normally', () => {
    const { scheduler: s, clock, wakes } = scheduler({ driftCheck: true });
    s.start();
    clock.advance(3 * HOUR);
    expect(wakes).toEqual([]);
    // It keeps checking: its timer is armed again each time.
    expect(clock.pendingTimers()).toBe(1);
    s.stop();
  });

  it('tolerates a check a little late', () => {
    const { scheduler: s, clock, wakes } = scheduler({ driftCheck: true });
    s.start();
    clock.sleep(10 * SECOND);
    clock.advance(DRIFT_CHECK_MS);
    expect(wakes).toEqual([]);
    s.stop();
  });

  it('notices a suspend within one check', () => {
    const { scheduler: s, clock, wakes, ticks } = scheduler({ driftCheck: true });
    s.start();
    clock.advance(5 * MINUTE);
    clock.sleep(2 * HOUR);
    expect(wakes).toEqual([]);
    clock.advance(DRIFT_CHECK_MS);
    expect(wakes).toHaveLength(1);
    expect(wakes[0]).toContain('the clock moved 7200 s more than expected');
    expect(ticks).toEqual([]);
    // And goes on checking afterwards: another sleep is noticed too.
    clock.sleep(HOUR);
    clock.advance(DRIFT_CHECK_MS);
    expect(wakes).toHaveLength(2);
    s.stop();
  });

  it('notices a wall-clock jump within one check', () => {
    const { scheduler: s, clock, wakes } = scheduler({ driftCheck: true });
    s.start();
    clock.advance(30 * SECOND);
    clock.jump(HOUR);
    clock.advance(DRIFT_CHECK_MS);
    expect(wakes).toHaveLength(1);
    expect(wakes[0]).toContain('the clock moved');
    s.stop();
  });

  it('does not run without driftCheck', () => {
    const { scheduler: s, clock, wakes } = scheduler();
    s.start();
    expect(clock.pendingTimers()).toBe(0);
    clock.sleep(2 * HOUR);
    clock.advance(DAY);
    expect(wakes).toEqual([]);
  });
});

describe('Scheduler power events', () => {
  it('wakes on resume, only logs a suspend, and hears nothing after stop', () => {
    const power = new FakePower();
    const { scheduler: s, wakes, infos } = scheduler({ power });
    s.start();
    power.suspend();
    expect(wakes).toEqual([]);
    expect(infos).toContain('the machine is going to sleep');
    power.resume();
    expect(wakes).toEqual(['the machine woke up']);
    s.stop();
    expect(power.resumes.size).toBe(0);
    expect(power.suspends.size).toBe(0);
    power.resume();
    expect(wakes).toHaveLength(1);
  });
});
