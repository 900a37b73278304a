import { existsSync, mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, clipboard, dialog, ipcMain, shell } from 'electron';
import { credentialProcessLine } from '../core/aws/credential-process-line.js';
import { credentialVariables, shellLines } from '../core/aws/credential-output.js';
import { systemClock } from '../core/clock.js';
import { Engine } from '../core/engine/engine.js';
import { acquireEngineLock, EngineLockedError } from '../core/engine/engine-lock.js';
import type { EngineLock } from '../core/engine/engine-lock.js';
import { handleEngineRequest } from '../core/engine/engine-requests.js';
import { serveEngine } from '../core/engine/engine-server.js';
import type { EngineServer } from '../core/engine/engine-server.js';
import { StateFile } from '../core/engine/state-file.js';
import type { Logger, Notice, SettingsStore } from '../core/ports.js';
import { noticeClickAction } from '../core/tray/notice-click.js';
import { buildTrayMenu, nextTrayUpdateAt } from '../core/tray/tray-menu.js';
import type { TrayAction, WindowScreen } from '../core/tray/tray-menu.js';
import { PRODUCT_NAME } from '../shared/app.js';
import { IPC_EVENTS } from '../shared/ipc.js';
import { configDir } from '../shared/paths.js';
import { startAtLogin } from './adapters/autostart.js';
import { electronBrowser } from './adapters/browser.js';
import { fileLogger } from './adapters/file-logger.js';
import { electronNotifier } from './adapters/notifier.js';
import { electronPower } from './adapters/power.js';
import {
  MemorySecrets,
  SafeStorageSecrets,
  secureStorageProblem,
} from './adapters/secret-store.js';
import { electronSettingsStore } from './adapters/settings-store.js';
import { ElectronTray } from './adapters/tray.js';
import { appVault } from './app-vault.js';
import type { SignInHooks } from './app-vault.js';
import { registerIpcHandlers } from './ipc-handlers.js';
import type { IpcHandlers } from './ipc-handlers.js';
import { TrustedSenders } from './trusted-senders.js';
import { secureWebPreferences } from './web-preferences.js';
import { windowHandlers } from './window-api.js';

export interface TrayAppFiles {
  preload: string;
  page: string;
  /** The folder of the tray icons (assets/tray, or the packaged resources' copy). */
  trayIcons: string;
  /** The absolute path of a `vault-aws-tray` command credential_process lines may call. */
  cliCommand?: string;
  /** Where the page is loaded from when not the file (end-to-end tests serve it on loopback). */
  pageUrl?: string;
}

/**
 * The composition root of the tray app: the engine of the daemon, with Electron's tray,
 * notifications, safeStorage, electron-store, powerMonitor and a window, and the engine's
 * socket for the CLI. Everything it shows comes from pure functions of AppState.
 */
export class TrayApp {
  private readonly trusted = new TrustedSenders();
  private readonly env = process.env;
  private engine?: Engine;
  private server?: EngineServer;
  private lock?: EngineLock;
  private tray?: ElectronTray;
  private window?: BrowserWindow;
  private trayTimer?: NodeJS.Timeout;
  private logger!: Logger & { file: string };
  private stopping?: Promise<void>;
  private handlers?: IpcHandlers;
  private signInHooks?: SignInHooks;
  private settingsStore?: SettingsStore;
  private readonly autostart = startAtLogin(process.env, homedir());

  constructor(
    private readonly files: TrayAppFiles,
    private readonly options: { startedAtLogin: boolean },
  ) {}

  get pageUrl(): string {
    return this.files.pageUrl ?? pathToFileURL(this.files.page).href;
  }

  async start(): Promise<void> {
    const platform = process.platform;
    const dir = configDir(undefined, { platform, env: this.env, homedir: homedir() });
    this.logger = fileLogger(app.getPath('logs'));
    const logger = this.logger;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const lock = await this.takeLock(dir);
    if (!lock) return;
    this.lock = lock;

    const storageProblem = await secureStorageProblem(platform);
    const secrets = storageProblem
      ? new MemorySecrets()
      : new SafeStorageSecrets(join(dir, 'tokens.safe.json'));
    const settings = electronSettingsStore(dir);
    this.settingsStore = settings;
    const browser = electronBrowser();
    const vault = appVault(this.env, logger);
    const notifier = electronNotifier((notice) => this.noticeClicked(notice));
    const engine = new Engine({
      role: 'app',
      settings,
      settingsPath: settings.path,
      secrets,
      state: new StateFile(dir),
      clock: systemClock,
      logger,
      notifier,
      power: electronPower,
      client: vault.client,
      writer: vault.writer,
      awsPaths: vault.awsPaths,
      processLine: this.files.cliCommand
        ? (profile) => credentialProcessLine(this.files.cliCommand!, profile)
        : undefined,
      signIn: (s) =>
        vault.signIn(
          s,
          this.signInHooks ?? { browser: browser.signIn, askTotp: async () => undefined },
        ),
    });
    this.engine = engine;
    let session = engine.status().session.state;
    engine.onChange((status) => {
      this.renderTray();
      this.window?.webContents.send(IPC_EVENTS.statusChanged, status);
      // Signed out: the window is the way back in (GNOME may not show the tray at all).
      if (status.session.state === 'signed_out' && session !== 'signed_out') this.openWindow();
      session = status.session.state;
    });
    await engine.start();
    this.server = await serveEngine({
      configDir: dir,
      platform,
      handle: (request) => handleEngineRequest(engine, request),
      logger,
    });
    this.tray = new ElectronTray(this.files.trayIcons, platform, (action) => void this.act(action));
    this.renderTray();
    this.handlers = windowHandlers({
      engine,
      settings,
      awsPaths: vault.awsPaths,
      writer: vault.writer,
      client: (s) => vault.client(s),
      send: (event, value) => this.window?.webContents.send(event, value),
      startAtLogin: this.autostart,
      copyExports: (profile) => this.copyExports(profile),
      signInBrowser: browser.signIn,
      signIn: async (hooks) => {
        this.signInHooks = hooks;
        try {
          await engine.signIn();
          return engine.status();
        } finally {
          this.signInHooks = undefined;
        }
      },
      showSignIn: () => this.openWindow('sign-in'),
      appInfo: () => ({
        name: app.getName(),
        version: app.getVersion(),
        vaultAddrFromEnv: this.env.VAULT_ADDR,
      }),
    });
    registerIpcHandlers(ipcMain, this.trusted, () => this.pageUrl, this.handlers);
    logger.info(`${PRODUCT_NAME} ${app.getVersion()} started; settings in ${dir}`);
    if (storageProblem) await this.tellOnce(dir, storageProblem, notifier);
    const firstLaunch = !settings.read().vault;
    if (
      !this.options.startedAtLogin &&
      (firstLaunch || engine.status().session.state === 'signed_out')
    )
      this.openWindow();
  }

  /** Stops everything the app started; the credentials file keeps what was last written. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.trayTimer) clearTimeout(this.trayTimer);
      this.tray?.destroy();
      await this.server?.close();
      await this.engine?.stop();
      await this.lock?.release();
    })();
    return this.stopping;
  }

  /** The window, on a screen of its own when a notice asked for one (`#sign-in`, `#profiles`). */
  openWindow(screen?: WindowScreen): void {
    if (this.window) {
      this.window.show();
      this.window.focus();
      return;
    }
    const created = new BrowserWindow({
      width: 720,
      height: 560,
      show: false,
      webPreferences: secureWebPreferences(this.files.preload),
    });
    const id = created.webContents.id;
    this.trusted.add(id);
    created.once('ready-to-show', () => created.show());
    // Closed windows are destroyed, not hidden: no renderer stays alive in the background.
    created.on('closed', () => {
      this.trusted.remove(id);
      this.window = undefined;
    });
    this.window = created;
    const hash = screen ? { hash: screen } : undefined;
    void (this.files.pageUrl
      ? created.loadURL(this.files.pageUrl + (screen ? `#${screen}` : ''))
      : created.loadFile(this.files.page, hash));
  }

  private renderTray(): void {
    const engine = this.engine;
    if (!engine || !this.tray) return;
    const now = Date.now();
    this.tray.render(
      buildTrayMenu(engine.status(), now, { startAtLogin: this.autostart.enabled() }),
    );
    // Time left is shown to the minute: redraw when the minute turns, not more often.
    if (this.trayTimer) clearTimeout(this.trayTimer);
    this.trayTimer = setTimeout(() => this.renderTray(), nextTrayUpdateAt(now) - now);
  }

  private async act(action: TrayAction): Promise<void> {
    const engine = this.engine!;
    try {
      switch (action.kind) {
        case 'refresh':
          await engine.refreshNow([action.profile]);
          break;
        case 'refresh-all':
          await engine.refreshNow();
          break;
        case 'sign-in':
          // The window shows the progress, asks for an MFA code, and takes a token.
          if (engine.status().session.state === 'signed_out' || this.authMethod() === 'token')
            this.openWindow('sign-in');
          if (this.authMethod() !== 'token') await this.handlers!['session:sign-in']({});
          break;
        case 'sign-out':
          await engine.signOut();
          break;
        case 'open-window':
          this.openWindow(action.screen);
          break;
        case 'copy-exports':
          await this.copyExports(action.profile);
          break;
        case 'toggle-start-at-login':
          await this.autostart.set(!this.autostart.enabled());
          this.renderTray();
          break;
        case 'open-logs':
          await shell.openPath(app.getPath('logs'));
          break;
        case 'quit':
          app.quit();
          break;
      }
    } catch (error) {
      this.logger.warn(`${action.kind}: ${(error as Error).message}`);
    }
  }

  private authMethod(): string | undefined {
    return this.settingsStore?.read().vault?.authMethod;
  }

  /** The profile's credentials as shell lines on the clipboard (PowerShell on Windows). */
  private async copyExports(profile: string): Promise<void> {
    const engine = this.engine!;
    const binding = engine.status().profiles.find((p) => p.name === profile);
    const credentials = await engine.credentials(profile);
    const format = process.platform === 'win32' ? 'powershell' : 'env';
    clipboard.writeText(
      shellLines(credentialVariables(credentials, binding?.region ?? undefined), format),
    );
  }

  private noticeClicked(notice: Notice): void {
    const action = noticeClickAction(notice.key);
    if (action) void this.act(action);
  }

  /** The engine lock; when the daemon holds it, the user may stop the daemon and take over. */
  private async takeLock(dir: string): Promise<EngineLock | undefined> {
    try {
      return await acquireEngineLock(dir, 'app');
    } catch (error) {
      if (!(error instanceof EngineLockedError)) throw error;
      const { response } = await dialog.showMessageBox({
        type: 'question',
        buttons: [`Stop the ${error.role} and take over`, 'Quit'],
        defaultId: 0,
        cancelId: 1,
        message: `vault-aws-tray is already running as a ${error.role} (pid ${error.pid}).`,
        detail:
          'One program keeps the profiles of a settings folder fresh. The app can stop it and take over.',
      });
      if (response !== 0) {
        app.quit();
        return undefined;
      }
      process.kill(error.pid, 'SIGTERM');
      for (let waited = 0; waited < 10_000; waited += 200) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        try {
          return await acquireEngineLock(dir, 'app');
        } catch (again) {
          if (!(again instanceof EngineLockedError)) throw again;
        }
      }
      throw error;
    }
  }

  /** Said once per settings folder: the token lives in memory, so a restart means a sign-in. */
  private async tellOnce(
    dir: string,
    problem: string,
    notifier: { notify(notice: Notice): void },
  ): Promise<void> {
    const marker = join(dir, 'memory-only-token.told');
    this.logger.warn(`the Vault token is kept in memory only: ${problem}`);
    if (existsSync(marker)) return;
    notifier.notify({
      key: 'storage:memory-only',
      title: 'Your Vault sign-in lasts until you quit',
      body: `The token is not saved on disk because ${problem}; after a restart, sign in again.`,
      urgency: 'normal',
    });
    await writeFile(marker, '', { mode: 0o600 });
  }
}
