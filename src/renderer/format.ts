import type { ProfileStateName } from '../shared/states.js';
import { localTime } from '../shared/time-text.js';

/** The profile states in words; the colour of the badge only repeats them. */
export const PROFILE_STATE_WORDS: Record<ProfileStateName, string> = {
  fresh: 'Fresh',
  refreshing: 'Refreshing',
  expiring: 'Expiring (refresh failing, still valid)',
  expired: 'Expired',
  needs_sign_in: 'Needs sign-in',
  error: 'Error',
};

const UNITS: Array<[seconds: number, name: string]> = [
  [86_400, 'd'],
  [3_600, 'h'],
  [60, 'min'],
  [1, 's'],
];

/** "47 min 12 s", "2 h 5 min", "1 d": the largest unit and the next one when it is not zero. */
export function formatDuration(ms: number): string {
  let rest = Math.max(0, Math.floor(ms / 1000));
  const amounts = UNITS.map(([size, name]) => {
    const amount = Math.floor(rest / size);
    rest -= amount * size;
    return { amount, name };
  });
  const first = amounts.findIndex((unit) => unit.amount > 0);
  if (first === -1) return '0 s';
  return amounts
    .slice(first, first + 2)
    .filter((unit) => unit.amount > 0)
    .map((unit) => `${unit.amount} ${unit.name}`)
    .join(' ');
}

/** "expires in 47 min 12 s" or "expired 3 min ago", counted from `now`. */
export function describeExpiry(expiresAt: string, now: number): string {
  const left = Date.parse(expiresAt) - now;
  return left > 0 ? `expires in ${formatDuration(left)}` : `expired ${formatDuration(-left)} ago`;
}

/** A moment in local time as the tray and notices say it: `14:32` today, else `2026-12-07 09:15`. */
export function formatWhen(iso: string, now: number): string {
  return localTime(Date.parse(iso), now);
}

/** The sentence an API call was refused with (the preload passes main's own words through). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
