import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_MS, systemClock } from '../../src/core/clock.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('the system clock', () => {
  it('waits the whole of a delay longer than Node’s timers allow (a 32-day token), not 1 ms', () => {
    vi.useFakeTimers({ now: Date.parse('2026-11-29T00:00:00Z') });
    const fired = vi.fn();
    const days32 = 32 * 24 * 3600_000;
    systemClock.setTimeout(fired, days32);
    vi.advanceTimersByTime(1);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(MAX_TIMER_MS);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(days32 - MAX_TIMER_MS - 2);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('a long timer can be cleared in either of its steps', () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    const handle = systemClock.setTimeout(fired, MAX_TIMER_MS + 10_000);
    vi.advanceTimersByTime(MAX_TIMER_MS + 1);
    systemClock.clearTimeout(handle);
    vi.advanceTimersByTime(20_000);
    expect(fired).not.toHaveBeenCalled();
    const short = systemClock.setTimeout(fired, 5);
    systemClock.clearTimeout(short);
    vi.advanceTimersByTime(10);
    expect(fired).not.toHaveBeenCalled();
  });
});
