import { spawn } from 'node:child_process';
import type { BrowserOpener } from '../core/ports.js';

// What a desktop session needs to show a page or a notice (X11, Wayland, D-Bus, locale, and
// Windows' and macOS's own), and nothing else: no VAULT_* token, no AWS_* key reaches a child.
const DESKTOP_NAMES = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LANGUAGE',
  'DISPLAY',
  'WAYLAND_DISPLAY',
  'XAUTHORITY',
  'DBUS_SESSION_BUS_ADDRESS',
  // xdg-open tells the desktop by these when XDG_CURRENT_DESKTOP is not set.
  'DESKTOP_SESSION',
  'KDE_FULL_SESSION',
  'KDE_SESSION_VERSION',
  'GNOME_DESKTOP_SESSION_ID',
  'WSL_DISTRO_NAME',
  'WSL_INTEROP',
  'BROWSER',
  'TMPDIR',
  'SHELL',
  'TERM',
  'SYSTEMROOT',
  'WINDIR',
  'SYSTEMDRIVE',
  'APPDATA',
  'LOCALAPPDATA',
  'USERPROFILE',
  'USERNAME',
  'HOMEDRIVE',
  'HOMEPATH',
  'PATHEXT',
  'COMSPEC',
  'TEMP',
  'TMP',
  'PROGRAMDATA',
  'PROGRAMFILES',
  'PROGRAMFILES(X86)',
  '__CF_USER_TEXT_ENCODING',
]);
const DESKTOP_PREFIXES = ['LC_', 'XDG_'];

/**
 * The environment for a child the app starts for itself (the browser, notify-send): only the
 * desktop session's variables. Names are compared without case, as Windows does.
 */
export function desktopEnvironment(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(([name, value]) => {
      const upper = name.toUpperCase();
      return (
        value !== undefined &&
        (DESKTOP_NAMES.has(upper) || DESKTOP_PREFIXES.some((prefix) => upper.startsWith(prefix)))
      );
    }),
  );
}

/** The command that opens a URL: `$BROWSER` (a `:`-separated list, `%s` for the URL), else the OS's. */
export function browserCommands(
  env: Record<string, string | undefined>,
  platform: string,
): string[][] {
  if (env.BROWSER) {
    return env.BROWSER.split(':')
      .filter(Boolean)
      .map((entry) => entry.trim().split(/\s+/));
  }
  if (platform === 'darwin') return [['open']];
  if (platform === 'win32') return [['rundll32', 'url.dll,FileProtocolHandler']];
  return [['xdg-open']];
}

function launch(command: string[], url: string, env: NodeJS.ProcessEnv): Promise<void> {
  const args = command.slice(1).some((a) => a.includes('%s'))
    ? command.slice(1).map((a) => a.replace('%s', url))
    : [...command.slice(1), url];
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, args, { env, detached: true, stdio: 'ignore' });
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}

/** Opens the sign-in page the way the user's desktop (or `$BROWSER`) does; does not wait for it. */
export function systemBrowser(
  env: Record<string, string | undefined>,
  platform: string,
): BrowserOpener {
  return {
    async open(url) {
      if (!/^https?:\/\//.test(url)) throw new Error('only http and https addresses are opened');
      let lastError: unknown;
      for (const command of browserCommands(env, platform)) {
        try {
          return await launch(command, url, desktopEnvironment(env));
        } catch (error) {
          lastError = error;
        }
      }
      throw lastError instanceof Error ? lastError : new Error('no browser command worked');
    },
  };
}
