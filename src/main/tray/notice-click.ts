import type { TrayAction } from './tray-menu.js';

const SESSION_KEYS: ReadonlySet<string> = new Set(['session:ending_soon', 'session:needs_sign_in']);

/**
 * What a click on a notification does, from its key (notification-policy.ts): a session notice
 * opens the window to sign in, an expired profile is refreshed at once, a profile in trouble opens
 * the window on the profiles (so does a console that could not be opened). A profile may be named `session`, so the suffix decides.
 */
export function noticeClickAction(key: string): TrayAction | undefined {
  if (SESSION_KEYS.has(key)) return { kind: 'open-window', screen: 'sign-in' };
  const colon = key.indexOf(':');
  // Profile names never contain ':' (shared/profile-name.ts), so a key has exactly one.
  if (colon <= 0 || key.indexOf(':', colon + 1) !== -1) return undefined;
  const profile = key.slice(0, colon);
  switch (key.slice(colon + 1)) {
    case 'expired':
      return { kind: 'refresh', profile };
    case 'expiring':
    case 'error':
    case 'console':
      return { kind: 'open-window', screen: 'profiles' };
    default:
      return undefined;
  }
}
