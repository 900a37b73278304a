/**
 * Durations the way Vault reads and prints them: `parseutil.ParseDurationSecond` for request
 * fields (`ttl`, `increment`) and `humanDuration` from `sdk/framework/lease.go` for warnings.
 */

const UNIT_SECONDS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
};

export class DurationError extends Error {}

/** Seconds from a number, a string of seconds, or a Go duration ("15m", "1h30m", "2d"). */
export function parseDurationSecond(input: unknown): number {
  if (input === undefined || input === null || input === '') return 0;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new DurationError(`time: invalid duration "${input}"`);
    return Math.trunc(input);
  }
  if (typeof input !== 'string')
    throw new DurationError(`time: invalid duration "${String(input)}"`);
  const text = input.trim();
  if (/^-?\d+$/.test(text)) return Number(text);
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d)/y;
  let total = 0;
  let at = 0;
  const sign = text.startsWith('-') ? -1 : 1;
  if (text.startsWith('-') || text.startsWith('+')) at = 1;
  if (at >= text.length) throw new DurationError(`time: invalid duration "${text}"`);
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) {
      const unit = /^\d+(?:\.\d*)?([^\d.]+)/.exec(text.slice(at));
      throw new DurationError(
        unit
          ? `time: unknown unit "${unit[1]}" in duration "${text}"`
          : `time: invalid duration "${text}"`,
      );
    }
    total += Number(m[1]) * (UNIT_SECONDS[m[2]!] ?? 0);
    at = re.lastIndex;
  }
  return sign * Math.trunc(total);
}

/** Go's `time.Duration.String()` for whole seconds. */
function goDurationString(seconds: number): string {
  if (seconds === 0) return '0s';
  const sign = seconds < 0 ? '-' : '';
  let rest = Math.abs(seconds);
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  if (h > 0) return `${sign}${h}h${m}m${s}s`;
  if (m > 0) return `${sign}${m}m${s}s`;
  return `${sign}${s}s`;
}

/** Vault's `humanDuration`: Go's format without the zero parts ("8h", "1h5s", "42m17s"). */
export function humanDuration(seconds: number): string {
  let s = goDurationString(seconds);
  if (s.endsWith('m0s')) s = s.slice(0, -2);
  const idx = s.indexOf('h0m');
  if (idx > 0) s = s.slice(0, idx + 1) + s.slice(idx + 3);
  return s;
}
