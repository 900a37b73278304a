import { afterAll, describe, expect, it } from 'vitest';
import { localTime } from '../../src/shared/time-text.js';

// localTime reads the process's time zone; each case names its own, so the machine's does not count.
const machineZone = process.env.TZ;
afterAll(() => {
  if (machineZone === undefined) delete process.env.TZ;
  else process.env.TZ = machineZone;
});

/** Node re-reads TZ whenever process.env.TZ is assigned. */
function inZone(zone: string, run: () => void) {
  process.env.TZ = zone;
  run();
}

const utc = (iso: string) => Date.parse(iso);

describe('localTime', () => {
  it('is HH:MM, 24-hour, for a moment on the same local day', () => {
    inZone('Europe/Berlin', () => {
      const now = utc('2026-12-06T08:00:00Z'); // 09:00 in Berlin
      expect(localTime(utc('2026-12-06T13:32:00Z'), now)).toBe('14:32');
      expect(localTime(utc('2026-12-06T00:05:00Z'), now)).toBe('01:05');
      expect(localTime(utc('2026-12-06T22:59:00Z'), now)).toBe('23:59');
    });
  });

  it('puts the local date before the time on any other day, past or future', () => {
    inZone('Europe/Berlin', () => {
      const now = utc('2026-12-06T08:00:00Z');
      expect(localTime(utc('2026-12-06T23:15:00Z'), now)).toBe('2026-12-07 00:15');
      expect(localTime(utc('2026-12-05T22:59:00Z'), now)).toBe('2026-12-05 23:59');
      expect(localTime(utc('2025-01-02T03:04:00Z'), now)).toBe('2025-01-02 04:04');
    });
  });

  it('counts the day in the local zone, not in UTC', () => {
    inZone('America/New_York', () => {
      // 01:30 UTC on the 7th is 20:30 on the 6th in New York: the same local day as 12:00 there.
      const now = utc('2026-12-06T17:00:00Z');
      expect(localTime(utc('2026-12-07T01:30:00Z'), now)).toBe('20:30');
    });
    inZone('Asia/Kolkata', () => {
      expect(localTime(utc('2026-12-06T20:00:00Z'), utc('2026-12-06T12:00:00Z'))).toBe(
        '2026-12-07 01:30',
      );
    });
  });

  it('follows daylight saving time', () => {
    inZone('Europe/Berlin', () => {
      // Clocks go from 02:00 to 03:00 on 29 March 2026.
      const now = utc('2026-03-29T00:30:00Z'); // 01:30 CET
      expect(localTime(utc('2026-03-29T00:59:00Z'), now)).toBe('01:59');
      expect(localTime(utc('2026-03-29T01:00:00Z'), now)).toBe('03:00');
    });
  });
});
