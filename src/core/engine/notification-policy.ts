import { localTime as localTimeText } from '../../shared/time-text.js';
import type { Notice } from '../ports.js';
import type { AppStatus } from './app-status.js';

/** A notice about the same thing is not repeated sooner than this. */
export const NOTICE_THROTTLE_MS = 30 * 60_000;

/** A moment as text; `now` tells whether it is today (a date is added when it is not). */
export type TimeFormat = (ms: number, now: number) => string;

/** Local time as the tray and the window show it (`14:32`, `2026-12-07 09:15`). */
export const localTime: TimeFormat = localTimeText;

const RECOVERED_FROM = new Set(['expiring', 'expired', 'error', 'needs_sign_in']);

/** The credentials in the file have less than the profile's lead left. */
function withinLead(profile: AppStatus['profiles'][number], now: number): boolean {
  if (!profile.expiresAt || profile.leadSeconds === null) return true;
  return Date.parse(profile.expiresAt) - now <= profile.leadSeconds * 1000;
}

/** A notice of trouble with the profile was sent since the last "fresh again" one. */
function troubleTold(sent: ReadonlyMap<string, number>, name: string): boolean {
  const recovered = sent.get(`${name}:fresh`) ?? -Infinity;
  return ['expiring', 'expired', 'error'].some((state) => {
    const told = sent.get(`${name}:${state}`);
    return told !== undefined && told > recovered;
  });
}

function minutesLeft(iso: string | null, now: number): string {
  if (!iso) return 'soon';
  const minutes = Math.max(0, Math.round((Date.parse(iso) - now) / 60_000));
  return minutes <= 1 ? 'in a minute' : `in ${minutes} min`;
}

/**
 * What to tell the user about a change of state: a pure function of the state before, the state
 * after, the time and what was already said. At most one notice per profile and state, and none
 * about the same thing again within {@link NOTICE_THROTTLE_MS}.
 */
export function noticesFor(
  before: AppStatus | undefined,
  after: AppStatus,
  now: number,
  sent: ReadonlyMap<string, number>,
  time: TimeFormat = localTime,
): Notice[] {
  // The first state after a start is not news; only changes from a known state are.
  if (!before) return [];
  const notices: Notice[] = [];
  const add = (notice: Notice) => {
    const last = sent.get(notice.key);
    if (last === undefined || now - last >= NOTICE_THROTTLE_MS) notices.push(notice);
  };

  const session = after.session;
  if (session.state !== before.session.state) {
    if (session.state === 'ending_soon' && session.expiresAt) {
      add({
        key: 'session:ending_soon',
        title: `Vault session ends at ${time(Date.parse(session.expiresAt), now)}`,
        body: 'Sign in again before then to keep your AWS profiles fresh.',
        urgency: 'normal',
      });
    }
    if (session.state === 'needs_sign_in' && after.profiles.length > 0) {
      const expiries = after.profiles
        .map((p) => p.expiresAt)
        .filter((e): e is string => e !== null)
        .map(Date.parse);
      const until = expiries.length > 0 ? Math.min(...expiries) : undefined;
      add({
        key: 'session:needs_sign_in',
        title: 'Sign in to Vault',
        body:
          until !== undefined && until > now
            ? `Your AWS profiles can no longer be refreshed; they stop working at ${time(until, now)}.`
            : 'Your AWS profiles can no longer be refreshed until you sign in.',
        urgency: 'critical',
      });
    }
  }

  for (const profile of after.profiles) {
    const was = before.profiles.find((p) => p.name === profile.name);
    const previous = was?.state;
    if (previous === profile.state) continue;
    const reason = profile.lastError?.message;
    switch (profile.state) {
      case 'expiring':
        // Earlier, with more than the lead left, the tray, the window and `status` say it.
        if (!withinLead(profile, now)) break;
        add({
          key: `${profile.name}:expiring`,
          title: `AWS profile ${profile.name} expires ${minutesLeft(profile.expiresAt, now)}`,
          body: `Refreshing it from Vault is failing${reason ? `: ${reason}` : ''}.`,
          urgency: 'critical',
        });
        break;
      case 'expired':
        add({
          key: `${profile.name}:expired`,
          title: `AWS profile ${profile.name} has expired`,
          body: reason
            ? `The last refresh failed: ${reason}.`
            : 'Its credentials are no longer valid.',
          urgency: 'critical',
        });
        break;
      case 'error':
        add({
          key: `${profile.name}:error`,
          title: `AWS profile ${profile.name} cannot be refreshed`,
          body: reason ?? 'Check its Vault role and your policies.',
          urgency: 'critical',
        });
        break;
      case 'fresh':
        // A retry shows as refreshing first; its error says it was in trouble before. Trouble
        // that was never told (an early failure) needs no news of its end.
        if (
          was &&
          (RECOVERED_FROM.has(was.state) || (was.state === 'refreshing' && was.lastError)) &&
          (was.state === 'needs_sign_in' || troubleTold(sent, profile.name))
        ) {
          add({
            key: `${profile.name}:fresh`,
            title: `AWS profile ${profile.name} is fresh again`,
            body: profile.expiresAt
              ? `Valid until ${time(Date.parse(profile.expiresAt), now)}.`
              : 'Refreshed from Vault.',
            urgency: 'normal',
          });
        }
        break;
      default:
        break;
    }
  }
  return notices;
}
