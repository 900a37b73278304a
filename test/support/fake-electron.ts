/**
 * A typed fake of the `electron` module for tests of the main process under plain Node: it keeps
 * what the app did (windows and their options, the tray's icon and menu, notifications, opened
 * URLs, the clipboard) and lets a test do what a user or the OS would (fire `ready`, click a menu
 * item or a notification, call an IPC channel from a window). Reset it with `resetFakeElectron()`.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  IpcMainInvokeEvent,
  MenuItemConstructorOptions,
  NotificationConstructorOptions,
  WebPreferences,
} from 'electron';

type Handler = (event: IpcMainInvokeEvent, payload?: unknown) => unknown;

export const fake = {
  root: mkdtempSync(join(tmpdir(), 'fake-electron-')),
  windows: [] as FakeBrowserWindow[],
  trays: [] as FakeTray[],
  notifications: [] as FakeNotification[],
  openedUrls: [] as string[],
  openedPaths: [] as string[],
  clipboard: '',
  /** What safeStorage reports; change before `ready` to simulate each OS keyring. */
  storage: { available: true, backend: 'gnome_libsecret' as string },
  dialogAnswers: [] as number[],
  loginItem: false,
};

export function resetFakeElectron(): void {
  fake.windows.length = 0;
  fake.trays.length = 0;
  fake.notifications.length = 0;
  fake.openedUrls.length = 0;
  fake.openedPaths.length = 0;
  fake.clipboard = '';
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

  whenReady(): Promise<void> {
    return this.ready;
  }
  /** What the OS does once Electron has started. */
  fireReady(): void {
    this.readyResolve();
    this.emit('ready');
  }
  requestSingleInstanceLock(): boolean {
    return true;
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
  getLoginItemSettings() {
    return { openAtLogin: fake.loginItem } as Electron.LoginItemSettings;
  }
  setLoginItemSettings(settings: Electron.Settings): void {
    fake.loginItem = settings.openAtLogin ?? false;
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
class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  readonly sent: Array<[string, unknown]> = [];
  readonly session = { setPermissionRequestHandler: () => undefined };
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
  constructor(readonly options: { webPreferences?: WebPreferences } & Record<string, unknown>) {
    super();
    fake.windows.push(this);
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

export interface FakeMenu {
  items: MenuItemConstructorOptions[];
}
export const Menu = {
  buildFromTemplate: (items: MenuItemConstructorOptions[]): FakeMenu => ({ items }),
};

export class FakeTray {
  image: string;
  tooltip = '';
  menu?: FakeMenu;
  menusSet = 0;
  destroyed = false;
  constructor(image: { path: string }) {
    this.image = image.path;
    fake.trays.push(this);
  }
  setImage(image: { path: string }): void {
    this.image = image.path;
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setContextMenu(menu: FakeMenu): void {
    this.menu = menu;
    this.menusSet++;
  }
  destroy(): void {
    this.destroyed = true;
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

export class FakeNotification extends EventEmitter {
  static isSupported(): boolean {
    return true;
  }
  shown = false;
  constructor(readonly options: NotificationConstructorOptions) {
    super();
  }
  show(): void {
    this.shown = true;
    fake.notifications.push(this);
  }
  click(): void {
    this.emit('click');
  }
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
  async showMessageBox(): Promise<{ response: number; checkboxChecked: boolean }> {
    return { response: fake.dialogAnswers.shift() ?? 1, checkboxChecked: false };
  },
};

export const powerMonitor = new EventEmitter();

/** Reversible "encryption", so a test can see the file never holds the token in clear. */
export const safeStorage = {
  async isAsyncEncryptionAvailable(): Promise<boolean> {
    return fake.storage.available;
  },
  getSelectedStorageBackend: () => fake.storage.backend,
  async encryptStringAsync(text: string): Promise<Buffer> {
    return Buffer.from(Buffer.from(text, 'utf8').map((b) => b ^ 0x5a));
  },
  async decryptStringAsync(data: Buffer) {
    return {
      result: Buffer.from(data.map((b) => b ^ 0x5a)).toString('utf8'),
      shouldReEncrypt: false,
    };
  },
};

export default {
  app,
  ipcMain,
  shell,
  BrowserWindow,
  Menu,
  Tray,
  nativeImage,
  Notification,
  clipboard,
  dialog,
  powerMonitor,
  safeStorage,
};
