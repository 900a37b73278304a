/**
 * The tray as data: icon, tooltip and menu are pure functions of AppStatus and the time, so the
 * main process only maps them to Electron (Menu.buildFromTemplate + setContextMenu on every change,
 * which is also what Linux needs: Electron's Tray docs say a changed menu item shows there only
 * after setContextMenu is called again).
 */
import { PRODUCT_NAME } from '../../shared/app.js';
import { localTime } from '../../shared/time-text.js';
import type { ProfileStateName } from '../../shared/states.js';
import type { AppStatus } from '../../shared/app-status.js';
import type { TrayIconState } from './tray-icons.js';

export type { TrayIconState };

/** Where the window opens: notifications about the session lead to sign-in, others to profiles. */
export type WindowScreen = 'sign-in' | 'profiles';

export type TrayAction =
  | { kind: 'refresh'; profile: string }
  | { kind: 'refresh-all' }
  | { kind: 'sign-in' }
  | { kind: 'sign-out' }
  | { kind: 'open-window'; screen?: WindowScreen }
  | { kind: 'copy-exports'; profile: string }
  | { kind: 'open-console'; profile: string }
  | { kind: 'toggle-start-at-login' }
  | { kind: 'open-logs' }
  | { kind: 'quit' };

export interface TrayMenuItem {
  id: string;
  label: string;
  enabled: boolean;
  type: 'normal' | 'separator' | 'checkbox' | 'submenu';
  checked?: boolean;
  action?: TrayAction;
  submenu?: TrayMenuItem[];
}

export interface TrayView {
  icon: TrayIconState;
  tooltip: string;
  statusLine: string;
  items: TrayMenuItem[];
}

type Profile = AppStatus['profiles'][number];
/** A moment as text; `now` tells whether it is today. */
type TimeFormat = (ms: number, now: number) => string;

const MINUTE = 60_000;

/** Up to this many profiles, each has its row and commands in the menu itself; beyond, a submenu. */
export const FLAT_PROFILES_MAX = 3;

/** Windows cuts tray tooltips at 127 characters; cut them ourselves so the end is visible. */
const TOOLTIP_MAX = 127;
const ERROR_MAX = 60;

/** How bad a profile's state is, for the icon and for which profile the status line names. */
const SEVERITY: Record<ProfileStateName, number> = {
  fresh: 0,
  refreshing: 1,
  expiring: 2,
  needs_sign_in: 3,
  error: 4,
  expired: 5,
};

function canRefresh(status: AppStatus): boolean {
  return status.session.state === 'active' || status.session.state === 'ending_soon';
}

/** The worst of the session and the profiles: signed out, then red, yellow, busy, green. */
export function trayIconState(status: AppStatus): TrayIconState {
  const { state } = status.session;
  if (state === 'signed_out') return 'signed_out';
  const worst = Math.max(0, ...status.profiles.map((p) => SEVERITY[p.state]));
  if (state === 'needs_sign_in' || worst >= SEVERITY.needs_sign_in) return 'error';
  if (worst === SEVERITY.expiring || state === 'ending_soon') return 'warning';
  if (worst === SEVERITY.refreshing) return 'refreshing';
  return 'fresh';
}

/** The menu is rebuilt at the next whole minute: time left is shown to the minute. */
export function nextTrayUpdateAt(now: number): number {
  return (Math.floor(now / MINUTE) + 1) * MINUTE;
}

/**
 * Whole minutes left at the next rebuild, so the text stays true until then: it never overstates.
 * `undefined` once the time has passed.
 */
function timeLeft(expiresAt: number, now: number): string | undefined {
  if (expiresAt <= now) return undefined;
  const minutes = Math.floor((expiresAt - nextTrayUpdateAt(now)) / MINUTE);
  if (minutes < 1) return 'less than a minute';
  const hours = Math.floor(minutes / 60);
  if (hours === 0) return `${minutes} min`;
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}

function shortMessage(message: string): string {
  const line = (message.split('\n')[0] ?? '').trim();
  return line.length <= ERROR_MAX ? line : `${line.slice(0, ERROR_MAX - 1).trimEnd()}…`;
}

const expiry = (p: Profile) => (p.expiresAt === null ? undefined : Date.parse(p.expiresAt));

/** `dev — valid until 14:32 (47 min)` and the like: one disabled row per profile. */
function profileRow(p: Profile, now: number, time: TimeFormat): string {
  const expiresAt = expiry(p);
  const left = expiresAt === undefined ? undefined : timeLeft(expiresAt, now);
  const validUntil =
    expiresAt !== undefined && left !== undefined
      ? `valid until ${time(expiresAt, now)} (${left})`
      : undefined;
  // A status can be older than the clock: a fresh or expiring row past its expiry says expired.
  const expired =
    expiresAt === undefined ? 'no valid credentials' : `expired at ${time(expiresAt, now)}`;
  const text = ((): string => {
    switch (p.state) {
      case 'fresh':
        return validUntil ?? expired;
      case 'expiring':
        return validUntil ? `${validUntil}, refresh failing` : expired;
      case 'refreshing':
        return 'refreshing…';
      case 'expired':
        return expired;
      case 'needs_sign_in':
        return 'needs sign-in';
      case 'error':
        return p.lastError ? `error: ${shortMessage(p.lastError.message)}` : 'error';
    }
  })();
  return `${p.name} — ${text}`;
}

function statusLine(status: AppStatus, now: number, time: TimeFormat): string {
  const { session, profiles } = status;
  if (session.state === 'signed_out') return 'Signed out of Vault';
  if (session.state === 'needs_sign_in') return 'Vault needs a new sign-in';

  // The first profile in the worst state speaks for all; the others in trouble are counted.
  const worst = profiles.reduce<Profile | undefined>(
    (w, p) => (w === undefined || SEVERITY[p.state] > SEVERITY[w.state] ? p : w),
    undefined,
  );
  if (worst && SEVERITY[worst.state] >= SEVERITY.expiring) {
    const others = profiles.filter(
      (p) => p !== worst && SEVERITY[p.state] >= SEVERITY.expiring,
    ).length;
    const more = others > 0 ? ` (+${others} more)` : '';
    return `${troubleSentence(worst, now, time)}${more}`;
  }
  if (session.state === 'ending_soon') {
    const left = session.expiresAt ? timeLeft(Date.parse(session.expiresAt), now) : undefined;
    return `Vault session ends ${left ? `in ${left}` : 'soon'} — sign in again`;
  }
  const refreshing = profiles.filter((p) => p.state === 'refreshing');
  if (refreshing.length === 1) return `Refreshing ${refreshing[0]!.name}…`;
  if (refreshing.length > 1) return `Refreshing ${refreshing.length} profiles…`;
  if (profiles.length === 0) return 'No AWS profiles yet';
  if (profiles.length === 1) return `${profiles[0]!.name} is fresh`;
  return `All ${profiles.length} profiles fresh`;
}

/** The status line for a profile that is expiring, needs sign-in, failed or expired. */
function troubleSentence(p: Profile, now: number, time: TimeFormat): string {
  const expiresAt = expiry(p);
  const left = expiresAt === undefined ? undefined : timeLeft(expiresAt, now);
  const failing = p.lastError ? ' — refresh failing' : '';
  if (p.state === 'error') {
    const why = p.lastError ? `: ${shortMessage(p.lastError.message)}` : '';
    return `${p.name} cannot be refreshed${why}`;
  }
  if (p.state === 'needs_sign_in') return `${p.name} needs a Vault sign-in`;
  if (p.state === 'expiring' && left !== undefined) return `${p.name} expires in ${left}${failing}`;
  if (expiresAt === undefined) return `${p.name} has no valid credentials${failing}`;
  return `${p.name} expired at ${time(expiresAt, now)}${failing}`;
}

function identityLine(session: AppStatus['session']): string | undefined {
  if (session.address === null) return undefined;
  const who = session.user ?? session.displayName;
  let host: string;
  try {
    host = new URL(session.address).host;
  } catch {
    host = session.address;
  }
  const where = session.namespace ? `${host} (namespace ${session.namespace})` : host;
  return who ? `${who} at ${where}` : `Signed in at ${where}`;
}

const separator = (id: string): TrayMenuItem => ({
  id,
  label: '',
  enabled: true,
  type: 'separator',
});

const info = (id: string, label: string): TrayMenuItem => ({
  id,
  label,
  enabled: false,
  type: 'normal',
});

const command = (id: string, label: string, action: TrayAction, enabled = true): TrayMenuItem => ({
  id,
  label,
  enabled,
  type: 'normal',
  action,
});

/** What a profile offers: refresh, its console, its export commands (ids as in the flat menu). */
function profileCommands(p: Profile, signedIn: boolean, now: number) {
  // The console and the exports take credentials the app holds; the console can also read new
  // ones while signed in. Only credentials that still work are worth copying.
  const expiresAt = expiry(p);
  const valid = expiresAt !== undefined && expiresAt > now;
  return {
    refresh: command(
      `refresh:${p.name}`,
      `Refresh ${p.name} creds`,
      { kind: 'refresh', profile: p.name },
      signedIn && p.state !== 'refreshing',
    ),
    console: command(
      `console:${p.name}`,
      `Open ${p.name} console`,
      { kind: 'open-console', profile: p.name },
      signedIn || valid,
    ),
    copy: (label: string) =>
      command(`copy-exports:${p.name}`, label, { kind: 'copy-exports', profile: p.name }, valid),
  };
}

/**
 * Up to FLAT_PROFILES_MAX profiles: their rows, then their commands, in the menu itself. Beyond,
 * the flat menu would grow by three items a profile: each profile's row opens a submenu of its
 * commands instead, with its own "Copy export commands".
 */
function profileSection(
  profiles: Profile[],
  signedIn: boolean,
  now: number,
  time: TimeFormat,
): TrayMenuItem[] {
  const items: TrayMenuItem[] = [];
  if (profiles.length <= FLAT_PROFILES_MAX) {
    for (const p of profiles) items.push(info(`profile:${p.name}`, profileRow(p, now, time)));
    for (const p of profiles) {
      const commands = profileCommands(p, signedIn, now);
      items.push(commands.refresh, commands.console);
    }
  } else {
    for (const p of profiles) {
      const commands = profileCommands(p, signedIn, now);
      items.push({
        id: `profile:${p.name}`,
        label: profileRow(p, now, time),
        enabled: true,
        type: 'submenu',
        submenu: [commands.refresh, commands.console, commands.copy('Copy export commands')],
      });
    }
  }
  if (profiles.length >= 2) {
    const enabled = signedIn && profiles.some((p) => p.state !== 'refreshing');
    items.push(command('refresh-all', 'Refresh all', { kind: 'refresh-all' }, enabled));
  }
  return items;
}

/**
 * The tray while the engine starts (a keyring asked for the token may take seconds to answer):
 * it says so, and Quit works.
 */
export function startingTrayMenu(): TrayView {
  const line = `${PRODUCT_NAME} is starting…`;
  return {
    icon: 'signed_out',
    tooltip: line,
    statusLine: line,
    items: [
      info('status', line),
      separator('separator:quit'),
      command('quit', 'Quit', { kind: 'quit' }),
    ],
  };
}

export function buildTrayMenu(
  status: AppStatus,
  now: number,
  options: { startAtLogin: boolean; timeFormat?: TimeFormat },
): TrayView {
  const time = options.timeFormat ?? localTime;
  const { session, profiles } = status;
  const line = statusLine(status, now, time);
  const signedIn = canRefresh(status);
  const items: TrayMenuItem[] = [info('status', line)];

  const identity = signedIn ? identityLine(session) : undefined;
  if (identity) items.push(info('identity', identity));

  if (profiles.length > 0) {
    items.push(separator('separator:profiles'));
    items.push(...profileSection(profiles, signedIn, now, time));
  }

  items.push(separator('separator:actions'));
  if (!signedIn) items.push(command('sign-in', 'Sign in…', { kind: 'sign-in' }));
  else {
    // The status line asks for a new sign-in before the session ends; offer it right here.
    if (session.state === 'ending_soon') {
      items.push(command('sign-in', 'Sign in again…', { kind: 'sign-in' }));
    }
    items.push(command('sign-out', 'Sign out', { kind: 'sign-out' }));
  }
  items.push(command('open-window', `Open ${PRODUCT_NAME}…`, { kind: 'open-window' }));

  // With submenus per profile, each has its own "Copy export commands".
  if (profiles.length <= FLAT_PROFILES_MAX) {
    const copies = profiles.map((p) => profileCommands(p, signedIn, now).copy(p.name));
    items.push({
      id: 'copy-exports',
      label: 'Copy export commands',
      enabled: copies.length > 0,
      type: 'submenu',
      submenu: copies,
    });
  }
  items.push({
    id: 'start-at-login',
    label: 'Start at login',
    enabled: true,
    type: 'checkbox',
    checked: options.startAtLogin,
    action: { kind: 'toggle-start-at-login' },
  });
  items.push(command('open-logs', 'Open logs', { kind: 'open-logs' }));
  items.push(separator('separator:quit'));
  items.push(command('quit', 'Quit', { kind: 'quit' }));

  const tooltip = `${PRODUCT_NAME}: ${line}`;
  return {
    icon: trayIconState(status),
    tooltip: tooltip.length <= TOOLTIP_MAX ? tooltip : `${tooltip.slice(0, TOOLTIP_MAX - 1)}…`,
    statusLine: line,
    items,
  };
}
