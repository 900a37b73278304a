import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { app } from 'electron';
import { AUTOSTART_ARG, linuxAutostartEntry, linuxAutostartFile } from '../autostart-entry.js';
import { writePrivateFile } from '../../core/private-file.js';

/**
 * Start at login: login items on macOS and Windows, an XDG autostart entry on Linux (Electron
 * has none there), pointing at the AppImage rather than its temporary mount when there is one.
 */
export function startAtLogin(env: NodeJS.ProcessEnv, homedir: string) {
  const file = linuxAutostartFile(env, homedir);
  return {
    enabled(): boolean {
      if (process.platform === 'linux') return existsSync(file);
      return app.getLoginItemSettings({ args: [AUTOSTART_ARG] }).openAtLogin;
    },
    async set(on: boolean): Promise<void> {
      if (process.platform !== 'linux') {
        app.setLoginItemSettings({ openAtLogin: on, args: [AUTOSTART_ARG] });
        return;
      }
      if (!on) await rm(file, { force: true });
      else
        await writePrivateFile(
          file,
          linuxAutostartEntry({ execPath: process.execPath, appImage: env.APPIMAGE }),
        );
    },
  };
}

/**
 * Whether the OS started this run at login. Windows hands the login item's `args` over and Linux
 * runs the autostart entry's Exec line, both carrying AUTOSTART_ARG; macOS ignores `args`
 * (Settings.args is win32 only in node_modules/electron/electron.d.ts) and says it instead in
 * getLoginItemSettings().wasOpenedAtLogin (LoginItemSettings, darwin only, same file).
 */
export function wasStartedAtLogin(argv: readonly string[], platform: string): boolean {
  if (platform === 'darwin') return app.getLoginItemSettings().wasOpenedAtLogin;
  return argv.includes(AUTOSTART_ARG);
}
