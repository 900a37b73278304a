import { fileURLToPath } from 'node:url';
import { app } from 'electron';
import { AUTOSTART_ARG } from '../core/autostart.js';
import { assetsDirectory } from '../core/tray/tray-icons.js';
import { TrayApp } from './tray-app.js';

const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

const trayApp = new TrayApp(
  {
    preload: here('../preload/index.cjs'),
    page: here('../renderer/index.html'),
    trayIcons: assetsDirectory({
      packaged: app.isPackaged,
      resourcesPath: process.resourcesPath,
      appPath: app.getAppPath(),
    }),
    // From a checkout, the CLI's bin; the packaged app's own command is listed in the docs.
    cliCommand: app.isPackaged ? undefined : here('../../bin/vault-aws-tray.cjs'),
  },
  { startedAtLogin: process.argv.includes(AUTOSTART_ARG) },
);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // A menu-bar app: no Dock icon (LSUIElement covers the packaged app; this covers the rest).
  app.dock?.hide();
  if (process.platform === 'win32') app.setAppUserModelId('io.github.vault-aws-tray');
  app.on('second-instance', () => trayApp.openWindow());
  // The app lives in the tray: closing the last window does not quit it.
  app.on('window-all-closed', () => undefined);
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event, url) => {
      if (url !== trayApp.pageUrl) event.preventDefault();
    });
    contents.session.setPermissionRequestHandler((_contents, _permission, callback) =>
      callback(false),
    );
  });
  let stopped = false;
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    void trayApp.stop().finally(() => {
      stopped = true;
      app.quit();
    });
  });
  void app.whenReady().then(() => trayApp.start());
}
