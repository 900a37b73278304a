/**
 * A typed fake of the `electron` module for tests of the main process under plain Node: it keeps
 * what the app did (windows and their options, the tray's icon and menu, notifications, opened
 * URLs, the clipboard) and lets a test do what a user or the OS would (fire `ready`, click a menu
 * item or a notification, call an IPC channel from a window). Reset it with `resetFakeElectron()`.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  ActivationArguments,
  IpcMainInvokeEvent,
  MenuItemConstructorOptions,
  NotificationConstructorOptions,
  WebPreferences,
} from 'electron';

type Handler = (event: IpcMainInvokeEvent, payload?: unknown) => unknown;

/**
 * Which key os_crypt_async encrypts with: `keyring` (the OS's: macOS Keychain, Windows DPAPI, a
 * Linux Secret Service such as GNOME Keyring or KWallet), `portal` (Linux's Secret portal),
 * `fixed` (Linux's fallback: Chromium's fixed key), `hang` (a keyring that never answers),
 * `prompting` (a keyring that answers once the user unlocks it: unlockKeyring()).
 */
export type KeyProvider = 'keyring' | 'portal' | 'fixed' | 'hang' | 'prompting';
type StorageBackend = ReturnType<Electron.SafeStorage['getSelectedStorageBackend']>;
const DEFAULT_STORAGE = {
  keyProvider: 'keyring' as KeyProvider,
  /** getSelectedStorageBackend() after ready: from the desktop's name, whatever the provider. */
  backend: 'gnome_libsecret' as StorageBackend,
  /** The `prompting` keyring was unlocked (unlockKeyring). */
  unlocked: false,
};
const DEFAULT_LOGIN = {
  openAtLogin: false,
  /** The `args` Windows starts the app with at login. */
  args: [] as string[],
  /** macOS: the OS started this run at login. */
  wasOpenedAtLogin: false,
};

const REAL_PLATFORM = process.platform;
/**
 * The OS the fake plays. Electron and the app both read `process.platform`, so it is set there;
 * `resetFakeElectron()` puts the real one back.
 */
export function setFakePlatform(platform: NodeJS.Platform): void {
  Object.defineProperty(process, 'platform', {
    value: platform,
    configurable: true,
    enumerable: true,
  });
}

export const fake = {
  root: mkdtempSync(join(tmpdir(), 'fake-electron-')),
  windows: [] as FakeBrowserWindow[],
  trays: [] as FakeTray[],
  notifications: [] as FakeNotification[],
  openedUrls: [] as string[],
  openedPaths: [] as string[],
  clipboard: '',
  /** safeStorage's async encryptor and the sync backend's name (see `safeStorage` below). */
  storage: { ...DEFAULT_STORAGE },
  dialogAnswers: [] as number[],
  /** What the OS keeps of the login item, and whether it started this run (see FakeApp). */
  login: { ...DEFAULT_LOGIN },
  /** What `Notification.isSupported()` answers. */
  notificationsSupported: true,
  /** What `app.requestSingleInstanceLock()` answers: false when another instance holds it. */
  singleInstanceLock: true,
  /** The codes `app.exit` was called with, in order (the fake does not end the process). */
  exitCodes: [] as number[],
  /** The last `Menu.setApplicationMenu` argument; undefined while never set. */
  applicationMenu: undefined as FakeMenu | null | undefined,
  /**
   * What the user picks in the next `dialog.showOpenDialog`s, in order: a path, or undefined to
   * cancel. A dialog nobody queued an answer for fails the test (a user would have to act).
   */
  openDialogAnswers: [] as Array<string | undefined>,
  /** The options each `dialog.showOpenDialog` was shown with, and whether it had a parent. */
  openDialogs: [] as Array<{ options: Electron.OpenDialogOptions; parent: boolean }>,
  /** `dialog.showErrorBox` calls. */
  errorBoxes: [] as Array<{ title: string; content: string }>,
  /** Windows without web contents (`BaseWindow`). */
  baseWindows: [] as FakeBaseWindow[],
};

export function resetFakeElectron(): void {
  fake.windows.length = 0;
  fake.trays.length = 0;
  fake.notifications.length = 0;
  fake.openedUrls.length = 0;
  fake.openedPaths.length = 0;
  fake.clipboard = '';
  fake.storage = { ...DEFAULT_STORAGE };
  fake.login = { ...DEFAULT_LOGIN, args: [] };
  fake.notificationsSupported = true;
  activation = undefined;
  setFakePlatform(REAL_PLATFORM);
  fake.singleInstanceLock = true;
  fake.exitCodes.length = 0;
  fake.applicationMenu = undefined;
  fake.errorBoxes.length = 0;
  fake.openDialogAnswers.length = 0;
  fake.openDialogs.length = 0;
  fake.baseWindows.length = 0;
  handlers.clear();
  app.removeAllListeners();
  powerMonitor.removeAllListeners();
}

/**
 * The app's own package.json (the repository's), which Electron reads for `app.getName()` and
 * `app.getVersion()` (their doc comments in node_modules/electron/electron.d.ts), so screenshots
 * and logs show the app's real name and version.
 */
const APP_PACKAGE = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8'),
) as { name: string; productName?: string; version: string };

class FakeApp extends EventEmitter {
  isPackaged = false;
  private readyResolve!: () => void;
  private readonly ready = new Promise<void>((resolve) => (this.readyResolve = resolve));
  dock = { hide: () => undefined };
  quitRequested = 0;

  private readyFired = false;

  whenReady(): Promise<void> {
    return this.ready;
  }
  isReady(): boolean {
    return this.readyFired;
  }
  /** What the OS does once Electron has started. */
  fireReady(): void {
    this.readyFired = true;
    this.readyResolve();
    this.emit('ready');
  }
  requestSingleInstanceLock(): boolean {
    return fake.singleInstanceLock;
  }
  /**
   * electron.d.ts: "Exits immediately with `exitCode`... the `before-quit` and `will-quit` events
   * will not be emitted." Recorded, and no event is emitted.
   */
  exit(exitCode = 0): void {
    fake.exitCodes.push(exitCode);
  }
  setAppUserModelId(): void {}
  /** Electron: "the name in the application's package.json", `productName` preferred over `name`. */
  getName(): string {
    return APP_PACKAGE.productName ?? APP_PACKAGE.name;
  }
  /** Electron: "the version of the loaded application", from its package.json. */
  getVersion(): string {
    return APP_PACKAGE.version;
  }
  getAppPath(): string {
    return process.cwd();
  }
  getPath(name: 'userData' | 'logs' | 'home' | 'exe'): string {
    if (name === 'home') return fake.root;
    return join(fake.root, name);
  }
  /**
   * electron.d.ts (getLoginItemSettings, lines 1414-1440; LoginItemSettings, 23366-23393):
   * macOS and Windows only; on Windows `openAtLogin` holds only for the `args` given when set;
   * `wasOpenedAtLogin` is macOS's.
   */
  getLoginItemSettings(options?: Electron.LoginItemSettingsOptions): Electron.LoginItemSettings {
    const os = process.platform;
    const sameArgs = (options?.args ?? []).join('\0') === fake.login.args.join('\0');
    return {
      openAtLogin:
        os === 'darwin'
          ? fake.login.openAtLogin
          : os === 'win32' && fake.login.openAtLogin && sameArgs,
      wasOpenedAtLogin: os === 'darwin' && fake.login.wasOpenedAtLogin,
    } as Electron.LoginItemSettings;
  }
  /** electron.d.ts (Settings, lines 24913-24960): `args` is Windows only; Linux has no login items. */
  setLoginItemSettings(settings: Electron.Settings): void {
    if (process.platform !== 'darwin' && process.platform !== 'win32') return;
    fake.login.openAtLogin = settings.openAtLogin ?? false;
    if (process.platform === 'win32') fake.login.args = [...(settings.args ?? [])];
  }
  quit(): void {
    this.quitRequested++;
    const event = {
      defaultPrevented: false,
      preventDefault: () => (event.defaultPrevented = true),
    };
    this.emit('before-quit', event);
  }
}
export const app = new FakeApp();

const handlers = new Map<string, Handler>();
export const ipcMain = {
  handle(channel: string, handler: Handler): void {
    if (handlers.has(channel)) throw new Error(`a second handler for ${channel}`);
    handlers.set(channel, handler);
  },
  on: () => ipcMain,
};

/** Calls a channel's handler as a window's invoke would reach it. */
export function invoke(
  channel: string,
  sender: { id: number; url: string | null },
  payload?: unknown,
): Promise<unknown> {
  const handler = handlers.get(channel);
  if (!handler) return Promise.reject(new Error(`no handler for ${channel}`));
  const event = {
    sender: { id: sender.id },
    senderFrame: sender.url === null ? null : { url: sender.url },
  } as unknown as IpcMainInvokeEvent;
  return Promise.resolve().then(() => handler(event, payload));
}
export const ipcChannels = () => [...handlers.keys()];

let nextId = 1;
/** A session's permission handlers (electron.d.ts: setPermissionRequestHandler, -CheckHandler). */
class FakeSession {
  requestHandler?: (contents: unknown, permission: string, callback: (ok: boolean) => void) => void;
  checkHandler?: ((contents: unknown, permission: string, origin: string) => boolean) | null;
  setPermissionRequestHandler(handler: FakeSession['requestHandler']): void {
    this.requestHandler = handler;
  }
  setPermissionCheckHandler(handler: FakeSession['checkHandler']): void {
    this.checkHandler = handler;
  }
}

class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  readonly sent: Array<[string, unknown]> = [];
  readonly session = new FakeSession();
  /** What a renderer's ipcRenderer.on would receive (the window bridge listens here). */
  readonly receivers = new Set<(channel: string, value: unknown) => void>();
  send(channel: string, value: unknown): void {
    this.sent.push([channel, value]);
    for (const receive of this.receivers) receive(channel, value);
  }
  setWindowOpenHandler(): void {}
}

export class FakeBrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents();
  loaded?: string;
  /** The `#screen` the window was opened on, if any. */
  hash?: string;
  shown = false;
  /** The IPC channels with a handler when the window was made (its page calls them at once). */
  readonly channelsAtCreation = [...handlers.keys()];
  constructor(readonly options: { webPreferences?: WebPreferences } & Record<string, unknown>) {
    super();
    fake.windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  async loadFile(file: string, options?: { hash?: string }): Promise<void> {
    this.loaded = file;
    this.hash = options?.hash;
    this.emit('ready-to-show');
  }
  async loadURL(url: string): Promise<void> {
    const [page, hash] = url.split('#');
    this.loaded = page;
    this.hash = hash;
    this.emit('ready-to-show');
  }
  show(): void {
    this.shown = true;
  }
  focus(): void {}
  close(): void {
    this.emit('closed');
  }
}
export const BrowserWindow = FakeBrowserWindow;

/** electron.d.ts `BaseWindow`: a window without web contents; on win32 it emits 'session-end'. */
export class FakeBaseWindow extends EventEmitter {
  constructor(readonly options: Record<string, unknown> = {}) {
    super();
    fake.baseWindows.push(this);
  }
}
export const BaseWindow = FakeBaseWindow;

export interface FakeMenu {
  items: MenuItemConstructorOptions[];
}
export const Menu = {
  buildFromTemplate: (items: MenuItemConstructorOptions[]): FakeMenu => ({ items }),
  /** electron.d.ts: `null` suppresses the default menu (and the menu bar on Windows and Linux). */
  setApplicationMenu(menu: FakeMenu | null): void {
    fake.applicationMenu = menu;
  },
};

/**
 * A tray icon. Like Electron's, it throws once destroyed (electron.d.ts `Tray.isDestroyed`; the
 * real object throws "Object has been destroyed" from every method), so a redraw after quit
 * shows up in tests as it would on a desktop.
 */
export class FakeTray extends EventEmitter {
  image: string;
  tooltip = '';
  menu?: FakeMenu;
  menusSet = 0;
  destroyed = false;
  /** How often the context menu was popped up by the app (`popUpContextMenu`). */
  popUps = 0;
  constructor(image: { path: string }) {
    super();
    this.image = image.path;
    fake.trays.push(this);
  }
  private alive(): void {
    if (this.destroyed) throw new TypeError('Object has been destroyed');
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setImage(image: { path: string }): void {
    this.alive();
    this.image = image.path;
  }
  setToolTip(text: string): void {
    this.alive();
    this.tooltip = text;
  }
  setContextMenu(menu: FakeMenu): void {
    this.alive();
    this.menu = menu;
    this.menusSet++;
  }
  /** electron.d.ts: macOS and Windows; with no menu given, the one setContextMenu set. */
  popUpContextMenu(): void {
    this.alive();
    this.popUps++;
  }
  destroy(): void {
    this.alive();
    this.destroyed = true;
  }
  /** A left click on the icon, as the OS reports it (the tray's 'click' event). */
  leftClick(): void {
    this.emit('click', { preventDefault: () => undefined });
  }
  /** The labels of the menu, top to bottom (separators as '---'). */
  labels(): string[] {
    return (this.menu?.items ?? []).map((i) => (i.type === 'separator' ? '---' : String(i.label)));
  }
  /** Clicks the item with this label, as a user would. */
  click(label: string): void {
    const item = this.menu?.items.find((i) => i.label === label);
    if (!item?.click) throw new Error(`no clickable "${label}" in ${this.labels().join(' | ')}`);
    if (item.enabled === false) throw new Error(`"${label}" is disabled`);
    (item.click as () => void)();
  }
}
export const Tray = FakeTray;

export const nativeImage = { createFromPath: (path: string) => ({ path }) };

let activation: ((details: ActivationArguments) => void) | undefined;

type CloseReason = 'userCanceled' | 'applicationHidden' | 'timedOut';

/**
 * A notification as Electron 45 reports it (electron.d.ts, class Notification, lines 11038-11420):
 * `click`; `close` with a reason (NotificationCloseEventParams, lines 23781-23787); `failed` on
 * macOS and Windows only. On Windows a toast closed by its timeout stays in the Action Center,
 * where a click reaches only the callback of `Notification.handleActivation` (lines 11248-11274),
 * which hears clicks on toasts still in memory too, as `type=click&tag=<id>`. On macOS a banner
 * that times out goes to the Notification Center without `close`; on Linux it is gone.
 */
export class FakeNotification extends EventEmitter {
  static isSupported(): boolean {
    return fake.notificationsSupported;
  }
  static handleActivation(callback: (details: ActivationArguments) => void): void {
    if (process.platform !== 'win32') throw new TypeError('handleActivation is Windows only');
    activation = callback;
  }
  /** electron.d.ts: the `id` option, or a random UUID. */
  readonly id: string;
  shown = false;
  closed?: CloseReason;
  failed?: string;
  constructor(readonly options: NotificationConstructorOptions) {
    super();
    this.id = options.id || randomUUID();
  }
  show(): void {
    this.shown = true;
    fake.notifications.push(this);
  }
  /** The app dismisses it. */
  close(): void {
    this.end('applicationHidden');
  }
  /** The user clicks it, on screen or where the OS keeps it after a timeout. */
  click(): void {
    if (!this.shown || this.failed) throw new Error('nothing was shown to click');
    const inActionCenter = process.platform === 'win32' && this.closed === 'timedOut';
    if (this.closed && !inActionCenter)
      throw new Error(`the notification is gone (${this.closed})`);
    if (!this.closed) this.emit('click', fakeEvent({}));
    if (process.platform === 'win32')
      activation?.({ type: 'click', arguments: `type=click&tag=${this.id}` });
  }
  /** Its time on screen ends. */
  timeOut(): void {
    if (process.platform !== 'darwin') this.end('timedOut');
  }
  /** The user closes it. */
  dismiss(): void {
    this.end('userCanceled');
  }
  /** The OS refuses it, as it does an unsigned macOS build's. */
  fail(error: string): void {
    if (process.platform === 'linux')
      throw new TypeError("'failed' is emitted on macOS and Windows only");
    this.failed = error;
    this.emit('failed', fakeEvent({}), error);
  }
  private end(reason: CloseReason): void {
    if (this.closed) return;
    this.closed = reason;
    this.emit('close', fakeEvent({ reason }));
  }
}

function fakeEvent<T extends object>(params: T): Electron.Event<T> {
  const event = {
    ...params,
    defaultPrevented: false,
    preventDefault: () => (event.defaultPrevented = true),
  };
  return event;
}
export const Notification = FakeNotification;

export const shell = {
  async openExternal(url: string): Promise<void> {
    fake.openedUrls.push(url);
  },
  async openPath(path: string): Promise<string> {
    fake.openedPaths.push(path);
    return '';
  },
};

export const clipboard = {
  writeText(text: string): void {
    fake.clipboard = text;
  },
};

export const dialog = {
  /**
   * `showOpenDialog([window, ]options)` resolves with `{ canceled, filePaths }`, `filePaths`
   * empty when cancelled (node_modules/electron/electron.d.ts, Dialog.showOpenDialog).
   */
  async showOpenDialog(
    ...args: [Electron.OpenDialogOptions] | [unknown, Electron.OpenDialogOptions]
  ): Promise<Electron.OpenDialogReturnValue> {
    const options = args.length === 2 ? args[1] : args[0];
    fake.openDialogs.push({ options, parent: args.length === 2 });
    if (fake.openDialogAnswers.length === 0)
      throw new Error('fake-electron: an open dialog was shown that no test answers');
    const path = fake.openDialogAnswers.shift();
    return path === undefined
      ? { canceled: true, filePaths: [] }
      : { canceled: false, filePaths: [path] };
  },
  showErrorBox(title: string, content: string): void {
    fake.errorBoxes.push({ title, content });
  },
  async showMessageBox(): Promise<{ response: number; checkboxChecked: boolean }> {
    return { response: fake.dialogAnswers.shift() ?? 1, checkboxChecked: false };
  },
};

export const powerMonitor = new EventEmitter();

/**
 * safeStorage's async API as Electron 45 has it (electron.d.ts, interface SafeStorage, lines
 * 12790-12880): the encryptor starts on the first call after `ready` and is then available;
 * what it writes starts with its key provider's tag, as Chromium's os_crypt does
 * (docs/engine.md, "What protects the app's token"). The sync backend's name is independent.
 */
export const safeStorage = {
  async isAsyncEncryptionAvailable(): Promise<boolean> {
    await asyncEncryptor();
    return true;
  },
  getSelectedStorageBackend(): string {
    if (process.platform !== 'linux')
      throw new TypeError('getSelectedStorageBackend is Linux only');
    return app.isReady() ? fake.storage.backend : 'unknown';
  },
  /** Reversible, so a test can see the file never holds the token in clear. */
  async encryptStringAsync(text: string): Promise<Buffer> {
    const tag = await asyncEncryptor();
    return Buffer.concat([Buffer.from(tag), scramble(Buffer.from(text, 'utf8'))]);
  },
  async decryptStringAsync(data: Buffer): Promise<Electron.DecryptStringAsyncReturnValue> {
    const tag = await asyncEncryptor();
    const used = data.subarray(0, 3).toString('latin1');
    if (!['v10', 'v11', 'v12'].includes(used))
      throw new Error('Error while decrypting the ciphertext');
    // A key other than today's: Electron asks for the data to be encrypted again.
    return { result: scramble(data.subarray(3)).toString('utf8'), shouldReEncrypt: used !== tag };
  },
};

function scramble(bytes: Buffer): Buffer {
  return Buffer.from(bytes.map((b) => b ^ 0x5a));
}

/** The tag of the key the encryptor uses; it never answers while the keyring hangs. */
const unlockWaiters: Array<() => void> = [];

/** The user unlocks the keyring the `prompting` key provider waits for; it stays unlocked. */
export function unlockKeyring(): void {
  fake.storage.unlocked = true;
  for (const waiter of unlockWaiters.splice(0)) waiter();
}

function asyncEncryptor(): Promise<string> {
  if (!app.isReady())
    return Promise.reject(new Error('safeStorage: the async encryptor starts only after ready'));
  const provider = fake.storage.keyProvider;
  if (provider === 'hang') return new Promise<string>(() => undefined);
  // A keyring that asks the user to unlock it: it answers once unlockKeyring() is called.
  if (provider === 'prompting')
    return new Promise<string>((resolve) =>
      fake.storage.unlocked ? resolve('v11') : unlockWaiters.push(() => resolve('v11')),
    );
  if (process.platform !== 'linux') {
    if (provider !== 'keyring') throw new TypeError(`no ${provider} key provider off Linux`);
    return Promise.resolve('v10'); // macOS Keychain, Windows DPAPI
  }
  return Promise.resolve({ keyring: 'v11', portal: 'v12', fixed: 'v10' }[provider]);
}

export default {
  app,
  ipcMain,
  shell,
  BrowserWindow,
  BaseWindow,
  Menu,
  Tray,
  nativeImage,
  Notification,
  clipboard,
  dialog,
  powerMonitor,
  safeStorage,
};
