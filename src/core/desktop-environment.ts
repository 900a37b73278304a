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
