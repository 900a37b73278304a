import { pathToFileURL } from 'node:url';
import { BrowserWindow } from 'electron';
import type { IpcEvent, IpcEventContract } from '../shared/ipc.js';
import type { WindowScreen } from './tray/tray-menu.js';
import { TrustedSenders } from './trusted-senders.js';
import { secureWebPreferences } from './web-preferences.js';

/**
 * The app's one window: created on demand, sandboxed, destroyed when closed (no renderer stays
 * alive in the background), and the only sender IPC trusts.
 */
export class AppWindow {
  readonly trusted = new TrustedSenders();
  private window?: BrowserWindow;

  constructor(
    private readonly files: {
      preload: string;
      page: string;
      /** Where the page is loaded from when not the file (end-to-end tests serve it on loopback). */
      pageUrl?: string;
    },
  ) {}

  get pageUrl(): string {
    return this.files.pageUrl ?? pathToFileURL(this.files.page).href;
  }

  /** Shows the window, on a screen of its own when a notice asked for one (`#sign-in`, ...). */
  open(screen?: WindowScreen): void {
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
    created.on('closed', () => {
      this.trusted.remove(id);
      this.window = undefined;
    });
    this.window = created;
    void (this.files.pageUrl
      ? created.loadURL(this.files.pageUrl + (screen ? `#${screen}` : ''))
      : created.loadFile(this.files.page, screen ? { hash: screen } : undefined));
  }

  /** The window while it is open (a dialog's parent). */
  current(): BrowserWindow | undefined {
    return this.window;
  }

  /** A pushed event, if the window is open; its value as IpcEventContract has it. */
  send<E extends IpcEvent>(event: E, value: IpcEventContract[E]): void {
    this.window?.webContents.send(event, value);
  }
}
