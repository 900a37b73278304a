import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, dialog } from 'electron';
import { AUTOSTART_ARG } from './autostart-entry.js';
import { assetsDirectory } from './tray/tray-icons.js';
import { cliArguments } from '../shared/cli-commands.js';
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
    // The packaged binary is the command too (below); an AppImage's mount moves, the file not.
    cliCommand: app.isPackaged
      ? (process.env.APPIMAGE ?? process.execPath)
      : here('../../bin/vault-aws-tray.cjs'),
  },
  { startedAtLogin: process.argv.includes(AUTOSTART_ARG) },
);

/**
 * The app's binary as the `vault-aws-tray` command, for people who installed only the app:
 * `credential-process` answers from the running app's memory, anything else runs the CLI
 * (out/node/cli, packaged with the app), then the process exits without showing anything.
 */
async function runAsCli(args: string[]): Promise<void> {
  const fast = createRequire(import.meta.url)(here('../node/cli/credential-process-fast.cjs')) as {
    fastCredentialProcess(args: string[], environment: object): Promise<number | undefined>;
  };
  let code = await fast.fastCredentialProcess(args, {
    env: process.env,
    platform: process.platform,
    homedir: app.getPath('home'),
  });
  if (code === undefined) {
    // The CLI reads its arguments after the script's path, as under node.
    process.argv = [process.execPath, process.env.APPIMAGE ?? process.execPath, ...args];
    await import(pathToFileURL(here('../node/cli/main.js')).href);
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  }
  app.exit(code);
}

const cli = cliArguments(process.argv, app.isPackaged ? 1 : 2);
if (cli) {
  void runAsCli(cli);
} else if (!app.requestSingleInstanceLock()) {
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
  void app
    .whenReady()
    .then(() => trayApp.start())
    .catch((error: unknown) => {
      // Nothing else can tell the user: there is no tray yet.
      dialog.showErrorBox('vault-aws-tray cannot start', (error as Error).message);
      app.exit(1);
    });
}
