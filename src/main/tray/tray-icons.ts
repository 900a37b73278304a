/**
 * Which tray icon file to show for a state on a platform, and where those files live. The files are
 * drawn by scripts/make-icons.ts into assets/tray and shipped unrenamed (electron-builder
 * `extraResources`), because macOS finds a template's @2x variant by its file name.
 */
import { join } from 'node:path';

export type TrayIconState = 'signed_out' | 'fresh' | 'refreshing' | 'warning' | 'error';

export const TRAY_ICON_STATES: readonly TrayIconState[] = [
  'signed_out',
  'fresh',
  'refreshing',
  'warning',
  'error',
];

/** The icon file for `state` on `platform` (a `process.platform` value) under `assetsDir`. */
export function trayIconPath(state: TrayIconState, platform: string, assetsDir: string): string {
  switch (platform) {
    case 'darwin':
      // A template image (black + alpha) that macOS tints for light and dark menu bars; Electron
      // loads `<state>Template@2x.png` beside it on Retina screens.
      return join(assetsDir, 'mac', `${state}Template.png`);
    case 'win32':
      // The .ico holds 16–48 px, so Windows picks the size that matches the DPI scale.
      return join(assetsDir, 'win', `${state}.ico`);
    default:
      // 22 px is the freedesktop panel icon size that GNOME's AppIndicator extension, KDE and Xfce
      // draw status icons at, so the usual panel shows it 1:1 instead of resampling a larger one.
      return join(assetsDir, 'linux', `${state}-22.png`);
  }
}

/** The folder holding the tray icons: `assets/tray` in a checkout, `resources/tray` when packaged. */
export function assetsDirectory({
  packaged,
  resourcesPath,
  appPath,
}: {
  packaged: boolean;
  resourcesPath: string;
  appPath: string;
}): string {
  return packaged ? join(resourcesPath, 'tray') : join(appPath, 'assets', 'tray');
}
