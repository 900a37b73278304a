/**
 * Start at login on Linux: an XDG autostart entry (a .desktop file in ~/.config/autostart).
 * Electron's setLoginItemSettings covers only macOS and Windows; on Linux the file's presence is
 * the setting.
 */
import { posix } from 'node:path';
import { PRODUCT_NAME } from '../shared/app.js';

/** Passed by the autostart entry: the app starts in the tray without opening its window. */
export const AUTOSTART_ARG = '--autostart';

/** `$XDG_CONFIG_HOME/autostart/vault-aws-tray.desktop`, by default under `~/.config`. */
export function linuxAutostartFile(
  env: Readonly<Record<string, string | undefined>>,
  homedir: string,
): string {
  const configured = env.XDG_CONFIG_HOME;
  // The XDG Base Directory spec says to ignore a relative (or empty) value.
  const configHome =
    configured && posix.isAbsolute(configured) ? configured : posix.join(homedir, '.config');
  return posix.join(configHome, 'autostart', `${PRODUCT_NAME}.desktop`);
}

/** Characters the Desktop Entry spec reserves in Exec arguments: such an argument is quoted. */
const RESERVED = /[\s"'\\<>~|&;$*?#()`]/;

/** One Exec argument, quoted and escaped as the Desktop Entry spec's "The Exec key" asks. */
function execArg(arg: string): string {
  const quoted = RESERVED.test(arg) ? `"${arg.replace(/["`$\\]/g, '\\$&')}"` : arg;
  return quoted.replace(/%/g, '%%');
}

const STRING_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\t': '\\t',
  '\r': '\\r',
};

/** The spec's escapes for string values, applied to the Exec line after quoting. */
function stringValue(value: string): string {
  return value.replace(/[\\\n\t\r]/g, (c) => STRING_ESCAPES[c]!);
}

/**
 * The .desktop text. From an AppImage, `$APPIMAGE` is the file to start: `execPath` then points
 * into a temporary mount that is gone after the app quits.
 */
export function linuxAutostartEntry(options: { execPath: string; appImage?: string }): string {
  const program = options.appImage || options.execPath;
  const exec = stringValue([program, AUTOSTART_ARG].map(execArg).join(' '));
  return [
    '[Desktop Entry]',
    'Type=Application',
    `Name=${PRODUCT_NAME}`,
    'Comment=Keeps AWS profiles fresh from HashiCorp Vault',
    `Exec=${exec}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}
