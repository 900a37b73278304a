/**
 * Times and durations as text: UTC to the second, local wall-clock time, how far away, and the
 * flags' durations.
 */
export function instant(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function span(seconds: number): string {
  const s = Math.round(Math.abs(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}h${m ? `${m}m` : ''}`;
}

export function until(ms: number, now: number): string {
  const seconds = (ms - now) / 1000;
  return seconds >= 0 ? `in ${span(seconds)}` : `${span(seconds)} ago`;
}

/** "15m", "1h", "900s" or "900" as seconds (the flags' duration format). */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)(s|m|h)?$/.exec(text.trim());
  if (!m) return undefined;
  const factor = { s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 's' | 'm' | 'h'];
  return Number(m[1]) * factor;
}

const two = (n: number) => String(n).padStart(2, '0');

/**
 * A moment as people read it, in the local time zone: `14:32` when it falls on the same local
 * day as `now`, else `2026-12-06 14:32`. One form for the tray, the window and the notices.
 * The date is year-month-day because that order is read alike in every locale (no 6/12 vs 12/6,
 * no month names), keeps the year for old errors, and is the order `status --json` uses. Built
 * from Date's local getters, not Intl, whose text differs between machines and runtimes
 * (Chromium's 2-digit hour gave "01:19 AM").
 */
export function localTime(ms: number, now: number): string {
  const d = new Date(ms);
  const today = new Date(now);
  const time = `${two(d.getHours())}:${two(d.getMinutes())}`;
  const sameDay =
    d.getFullYear() === today.getFullYear() &&
    d.getMonth() === today.getMonth() &&
    d.getDate() === today.getDate();
  return sameDay ? time : `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${time}`;
}
