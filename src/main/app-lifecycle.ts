import { app, BaseWindow, dialog, Menu } from 'electron';
import type { MenuItemConstructorOptions, WebContents } from 'electron';
import type { Clock } from '../core/ports.js';

/** What the lifecycle drives: TrayApp, or a stand-in in tests. */
export interface LifecycleApp {
  readonly pageUrl: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  openWindow(): void;
  warn(message: string): void;
}

/**
 * How long a quit may take before the app exits anyway. host-engine.ts bounds the socket's close
 * and lets writes in flight finish; past this, a stuck step must not leave an invisible process
 * holding the engine lock and the single-instance lock.
 */
export const QUIT_DEADLINE_MS = 10_000;

/**
 * The application menu: Electron's default one (Reload, Toggle Developer Tools) would show on
 * the window on Windows and Linux. macOS needs an Edit menu for paste to work in the window's
 * fields (its shortcuts are menu items there), and its first menu is always the app's.
 */
export function applicationMenuTemplate(platform: string): MenuItemConstructorOptions[] | null {
  return platform === 'darwin' ? [{ role: 'appMenu' }, { role: 'editMenu' }] : null;
}

/** Every web contents: no new windows, no navigation away from the page, no permissions. */
function lockDown(contents: WebContents, pageUrl: () => string): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    if (url !== pageUrl()) event.preventDefault();
  });
  contents.session.setPermissionRequestHandler((_contents, _permission, callback) =>
    callback(false),
  );
  // Checks (navigator.permissions.query, some synchronous APIs) bypass the request handler.
  contents.session.setPermissionCheckHandler(() => false);
}

/**
 * Windows ends a session (log off, shut down) with `session-end`, which Electron emits only on
 * windows (BaseWindow in node_modules/electron/electron.d.ts, win32), not on `app`, and then no
 * `before-quit` comes. A tray app often has no window, so a hidden BaseWindow (no web contents,
 * no renderer) listens, and quits the app the same way the tray's Quit does.
 */
function watchSessionEnd(quit: () => void): void {
  const watcher = new BaseWindow({ show: false, skipTaskbar: true, focusable: false });
  watcher.on('session-end', quit);
}

/**
 * The tray app's life in Electron: one instance, the window's lock-down, the application menu,
 * start once ready, and one ordered, bounded quit (`before-quit`, and `session-end` on Windows).
 */
export function runTrayApp(
  trayApp: LifecycleApp,
  options: { platform: NodeJS.Platform; clock: Clock; quitDeadlineMs?: number },
): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  const { platform, clock } = options;
  // A menu-bar app: no Dock icon (LSUIElement covers the packaged app; this covers the rest).
  app.dock?.hide();
  if (platform === 'win32') app.setAppUserModelId('io.github.vault-aws-tray');
  app.on('second-instance', () => trayApp.openWindow());
  // The app lives in the tray: closing the last window does not quit it.
  app.on('window-all-closed', () => undefined);
  app.on('web-contents-created', (_event, contents) => lockDown(contents, () => trayApp.pageUrl));
  let stopped = false;
  let stopping = false;
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    if (stopping) return;
    stopping = true;
    const deadlineMs = options.quitDeadlineMs ?? QUIT_DEADLINE_MS;
    const deadline = clock.setTimeout(() => {
      trayApp.warn(`quitting took longer than ${deadlineMs / 1000} s; exiting now`);
      app.exit(0);
    }, deadlineMs);
    void trayApp
      .stop()
      .catch((error: unknown) => trayApp.warn(`while quitting: ${(error as Error).message}`))
      .finally(() => {
        clock.clearTimeout(deadline);
        stopped = true;
        app.quit();
      });
  });
  void app
    .whenReady()
    .then(() => {
      const menu = applicationMenuTemplate(platform);
      Menu.setApplicationMenu(menu ? Menu.buildFromTemplate(menu) : null);
      if (platform === 'win32') watchSessionEnd(() => app.quit());
      return trayApp.start();
    })
    .catch((error: unknown) => {
      // Nothing else can tell the user: there is no tray yet.
      dialog.showErrorBox('vault-aws-tray cannot start', (error as Error).message);
      app.exit(1);
    });
}
