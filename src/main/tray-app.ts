import { existsSync, mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { app, clipboard, dialog, ipcMain, shell } from 'electron';
import { profileEnvironment, shellLines } from '../core/aws/credential-output.js';
import { systemClock } from '../core/clock.js';
import type { Engine } from '../core/engine/engine.js';
import type { EngineHost } from '../core/engine/engine-services.js';
import { hostEngine } from '../core/engine/host-engine.js';
import type { HostedEngine } from '../core/engine/host-engine.js';
import type { EngineLock } from '../core/engine/engine-lock.js';
import { CredentialCacheFile } from '../core/engine/credential-cache.js';
import { federationEndpoints, profileConsoleUrl } from '../core/profile-console.js';
import { StateFile } from '../core/engine/state-file.js';
import { applySystemDefaults } from '../core/system-defaults.js';
import type { Logger, Notice, Notifier, SettingsStore } from '../core/ports.js';
import { PRODUCT_NAME } from '../shared/app.js';
import { IPC_EVENTS } from '../shared/ipc.js';
import { configDir, systemDefaultsFile } from '../shared/paths.js';
import { startAtLogin, wasStartedAtLogin } from './adapters/autostart.js';
import { electronBrowser } from './adapters/browser.js';
import type { ElectronBrowser } from './adapters/browser.js';
import { fileLogger } from './adapters/file-logger.js';
import { electronNotifier } from './adapters/notifier.js';
import { electronPower } from './adapters/power.js';
import { appTokenStore, deferredSecrets, secureStorageProblem } from './adapters/secret-store.js';
import { electronSettingsStore } from './adapters/settings-store.js';
import { AppWindow } from './app-window.js';
import type { CliCommandChoice } from './cli-command.js';
import { registerIpcHandlers } from './ipc-handlers.js';
import { profileHandlers } from './ipc/profile-handlers.js';
import { sessionHandlers } from './ipc/session-handlers.js';
import { setupHandlers } from './ipc/setup-handlers.js';
import { teamHandlers } from './ipc/team-handlers.js';
import { signInFlow } from './sign-in-flow.js';
import type { SignInFlow } from './sign-in-flow.js';
import { takeEngineLock, TakeoverRefused } from './takeover.js';
import { TrayController } from './tray-controller.js';
import { noticeClickAction } from './tray/notice-click.js';
import type { TrayAction, WindowScreen } from './tray/tray-menu.js';

/** Whether the settings keep the credential cache (off while the file cannot be read). */
function caching(settings: SettingsStore): boolean {
  try {
    return settings.read().engine.credentialCache;
  } catch {
    return false;
  }
}

export interface TrayAppFiles {
  preload: string;
  page: string;
  /** The folder of the tray icons (assets/tray, or the packaged resources' copy). */
  trayIcons: string;
  /** The `vault-aws-tray` command credential_process lines call (cli-command.ts), asked at start. */
  cliCommand?: () => CliCommandChoice;
  /** Where the page is loaded from when not the file (end-to-end tests serve it on loopback). */
  pageUrl?: string;
  /** The machine's defaults file (systemDefaultsFile in src/shared/paths.ts when absent). */
  systemDefaults?: string;
}

/**
 * The composition root of the tray app: the engine hosted as the daemon hosts it
 * (host-engine.ts), with Electron's tray, notifications, safeStorage, electron-store,
 * powerMonitor and a window. Everything it shows comes from pure functions of AppState.
 */
export class TrayApp {
  private readonly window: AppWindow;
  private readonly autostart = startAtLogin(process.env, homedir());
  private hosted?: HostedEngine;
  private tray?: TrayController;
  private flow?: SignInFlow;
  private settings?: SettingsStore;
  private browser?: ElectronBrowser;
  private notifier?: Notifier;
  private logger!: Logger & { file: string };
  private starting?: Promise<void>;
  private stopping?: Promise<void>;
  private unfollow?: () => void;
  /** Set once the IPC handlers are registered: no window opens before (openWindow). */
  private handlersReady = false;
  private windowWanted?: { screen?: WindowScreen };

  constructor(
    private readonly files: TrayAppFiles,
    private readonly options: { startedAtLogin: boolean },
  ) {
    this.window = new AppWindow(files);
  }

  get pageUrl(): string {
    return this.window.pageUrl;
  }

  start(): Promise<void> {
    this.starting ??= this.startOnce();
    return this.starting;
  }

  private async startOnce(): Promise<void> {
    const platform = process.platform;
    const env = process.env;
    const dir = configDir(undefined, { platform, env, homedir: homedir() });
    this.logger = fileLogger(app.getPath('logs'));
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // The engine lock first: a running daemon is offered to stop (takeover.ts), or the app quits
    // before it shows anything.
    let lock: EngineLock;
    try {
      lock = await takeEngineLock(dir);
    } catch (error) {
      if (error instanceof TakeoverRefused) return;
      throw error;
    }
    // Then the tray: the keyring asked below may take seconds (a prompt, a hung Secret Service),
    // and the icon says meanwhile that the app is starting, with Quit.
    let started: Engine | undefined;
    this.tray = new TrayController(
      this.files.trayIcons,
      platform,
      () => started && { status: started.snapshot(), startAtLogin: this.autostart.enabled() },
      (action) => this.act(action),
      this.logger,
    );
    this.tray.render();
    // The engine's first read of the stored token waits for this probe, bounded by its timeout.
    const protection = secureStorageProblem(platform);
    const secrets = deferredSecrets(
      protection.then((problem) => appTokenStore(join(dir, 'tokens.safe.json'), platform, problem)),
    );
    const settings = electronSettingsStore(dir);
    this.settings = settings;
    const browser = electronBrowser();
    this.browser = browser;
    const notifier = electronNotifier((notice) => this.noticeClicked(notice));
    this.notifier = notifier;
    const cli = this.files.cliCommand?.();
    if (cli?.problem) this.logger.warn(cli.problem);
    const host: EngineHost = {
      configDir: dir,
      env,
      platform,
      homedir: homedir(),
      cwd: homedir(),
      clock: systemClock,
      logger: this.logger,
      // Desktop apps see no VAULT_CACERT: the OS store is trusted as well as a configured CA.
      trustSystem: true,
      command: cli?.command,
      commandProblem: cli?.problem,
    };
    try {
      this.hosted = await hostEngine({
        takeLock: async () => lock,
        engine: {
          kind: 'app',
          host,
          settings,
          settingsPath: settings.path,
          secrets,
          state: new StateFile(dir),
          // What credential-process answers from without asking the app (credential-cache.ts).
          memory: new CredentialCacheFile(dir, () => caching(settings), 'share'),
          notifier,
          power: electronPower,
        },
        beforeStart: (engine) => {
          started = engine;
          this.follow(engine);
        },
      });
    } catch (error) {
      // hostEngine has let the lock go; the tray goes too, and the error says why.
      this.tray.destroy();
      this.tray = undefined;
      throw error;
    }
    const storageProblem = await protection;
    const engine = this.hosted.engine;
    // Before the window and the tray: they show the preset Vault from the first moment.
    await applySystemDefaults(engine, {
      file: this.files.systemDefaults ?? systemDefaultsFile({ platform, env }),
      settings: settings.read(),
      configDir: dir,
      home: homedir(),
      env,
      logger: this.logger,
    });
    this.flow = signInFlow({
      engine,
      host,
      settings: () => settings.read(),
      browser: browser.signIn,
      tell: (event) => this.window.send(IPC_EVENTS.signIn, event),
      showSignIn: () => this.openWindow('sign-in'),
    });
    this.tray.render();
    registerIpcHandlers(ipcMain, this.window.trusted, () => this.pageUrl, {
      ...sessionHandlers({ engine, flow: this.flow }),
      ...setupHandlers({
        host,
        settings,
        engine,
        awsPaths: () => engine.awsPaths(),
        reloadSettings: () => engine.reloadSettings(),
        startAtLogin: this.autostart,
        appInfo: () => ({
          name: app.getName(),
          version: app.getVersion(),
          vaultAddrFromEnv: env.VAULT_ADDR,
        }),
      }),
      ...profileHandlers({
        engine,
        copyExports: (profile) => this.copyExports(profile),
        openConsole: (profile) => this.openConsole(profile),
      }),
      ...teamHandlers({
        engine,
        host,
        settings,
        chooseTeamFile: () => this.chooseTeamFile(),
      }),
    });
    this.handlersReady = true;
    if (this.windowWanted) this.window.open(this.windowWanted.screen);
    this.windowWanted = undefined;
    this.logger.info(`${PRODUCT_NAME} ${app.getVersion()} started; settings in ${dir}`);
    if (storageProblem) await this.tellOnce(dir, storageProblem, notifier);
    const session = engine.snapshot().session.state;
    // macOS drops a login item's `args`: the OS is asked too (autostart.ts).
    const atLogin = this.options.startedAtLogin || wasStartedAtLogin(process.argv, platform);
    if (!atLogin && (!settings.read().vault || session === 'signed_out')) this.openWindow();
  }

  /**
   * Stops everything the app started, in order: no change reaches the tray or the window any
   * more, the tray goes, then the engine (its writes in flight finish), the socket and the lock
   * (host-engine.ts). The credentials file keeps what was last written.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      // Quit from the starting tray: the start finishes first, so its engine and lock are
      // stopped too (the quit's deadline in app-lifecycle.ts bounds the wait).
      await this.starting?.catch(() => undefined);
      this.unfollow?.();
      this.tray?.destroy();
      await this.hosted?.stop();
    })();
    return this.stopping;
  }

  /**
   * Shows the window; asked before the IPC handlers exist (a second launch, a notice, the engine
   * signing out while it starts), it opens once they do: the page calls them as it loads.
   */
  openWindow(screen?: WindowScreen): void {
    if (this.handlersReady) this.window.open(screen);
    else this.windowWanted = { screen: screen ?? this.windowWanted?.screen };
  }

  /** A line in the app's log (the quit's deadline says why it exited anyway). */
  warn(message: string): void {
    (this.logger as Logger | undefined)?.warn(message);
  }

  /** The tray, the window and (signed out) the window opening, on every change of state. */
  private follow(engine: Engine): void {
    let session = engine.snapshot().session.state;
    this.unfollow = engine.onChange((status) => {
      this.tray?.render();
      this.window.send(IPC_EVENTS.statusChanged, status);
      // Signed out: the window is the way back in (GNOME may not show the tray at all).
      if (status.session.state === 'signed_out' && session !== 'signed_out') this.openWindow();
      session = status.session.state;
    });
  }

  private async act(action: TrayAction): Promise<void> {
    if (action.kind === 'quit') {
      app.quit();
      return;
    }
    // While the engine starts, the tray offers Quit alone.
    const engine = this.hosted?.engine;
    if (!engine) return;
    switch (action.kind) {
      case 'refresh':
        await engine.refresh([action.profile]);
        break;
      case 'refresh-all':
        await engine.refresh();
        break;
      case 'sign-in': {
        // The window shows the progress, asks for an MFA code, and takes a token.
        const byToken = this.settings?.read().vault?.authMethod === 'token';
        if (engine.snapshot().session.state === 'signed_out' || byToken) this.openWindow('sign-in');
        if (!byToken) await this.flow!.signIn();
        break;
      }
      case 'sign-out':
        await engine.signOut();
        break;
      case 'open-window':
        this.openWindow(action.screen);
        break;
      case 'copy-exports':
        await this.copyExports(action.profile);
        break;
      case 'open-console':
        await this.openConsole(action.profile).catch((error: unknown) => {
          // A menu click has no window to answer in: the refusal is said in a notice.
          this.notifier?.notify({
            key: `${action.profile}:console`,
            title: `Cannot open the ${action.profile} console`,
            body: (error as Error).message,
            urgency: 'normal',
          });
          throw error;
        });
        break;
      case 'toggle-start-at-login':
        await this.autostart.set(!this.autostart.enabled());
        this.tray?.render();
        break;
      case 'open-logs':
        await shell.openPath(app.getPath('logs'));
        break;
    }
  }

  /** The profile's credentials as shell lines on the clipboard (PowerShell on Windows). */
  /** The OS file picker for "Use team settings…", on top of the window. */
  private async chooseTeamFile(): Promise<string | undefined> {
    const options: Electron.OpenDialogOptions = {
      title: 'Use team settings',
      buttonLabel: 'Use',
      properties: ['openFile'],
      filters: [
        { name: 'Team settings', extensions: ['json'] },
        { name: 'All files', extensions: ['*'] },
      ],
    };
    const parent = this.window.current();
    const chosen = parent
      ? await dialog.showOpenDialog(parent, options)
      : await dialog.showOpenDialog(options);
    return chosen.canceled ? undefined : chosen.filePaths[0];
  }

  private async copyExports(profile: string): Promise<void> {
    const { credentials, region } = await this.hosted!.engine.credentials(profile);
    const format = process.platform === 'win32' ? 'powershell' : 'env';
    clipboard.writeText(
      shellLines(profileEnvironment(profile, credentials, region ?? undefined), format),
    );
  }

  /** The profile's AWS console in the browser, as `vault-aws-tray console` opens it. */
  private async openConsole(profile: string): Promise<void> {
    const env = process.env;
    const settings = this.settings!.read();
    const url = await profileConsoleUrl(
      this.hosted!.engine,
      profile,
      {},
      { env, proxy: settings.vault?.proxy },
    );
    await this.browser!.console(url, federationEndpoints(env), settings.console.browser, env);
  }

  private noticeClicked(notice: Notice): void {
    const action = noticeClickAction(notice.key);
    if (action) void this.tray?.run(action);
  }

  /** Said once per settings folder: the token lives in memory, so a restart means a sign-in. */
  private async tellOnce(dir: string, problem: string, notifier: Notifier): Promise<void> {
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
