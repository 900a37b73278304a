import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain } from 'electron';
import { IPC_CHANNELS } from '../shared/ipc.js';
import type { AppInfo } from '../shared/ipc.js';
import { TrustedSenders } from './trusted-senders.js';
import { secureWebPreferences } from './web-preferences.js';

const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));
const pagePath = fileURLToPath(new URL('../renderer/index.html', import.meta.url));
const pageUrl = pathToFileURL(pagePath).href;
const trusted = new TrustedSenders();
let window: BrowserWindow | undefined;

function openWindow(): void {
  if (window) {
    window.show();
    window.focus();
    return;
  }
  const created = new BrowserWindow({
    width: 720,
    height: 560,
    show: false,
    webPreferences: secureWebPreferences(preloadPath),
  });
  const id = created.webContents.id;
  trusted.add(id);
  created.once('ready-to-show', () => created.show());
  // Closed windows are destroyed, not hidden: no renderer stays alive in the background.
  created.on('closed', () => {
    trusted.remove(id);
    window = undefined;
  });
  window = created;
  void created.loadFile(pagePath);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', openWindow);
  // The app lives in the tray: closing the last window does not quit it.
  app.on('window-all-closed', () => undefined);
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event, url) => {
      if (url !== pageUrl) event.preventDefault();
    });
  });
  ipcMain.handle(IPC_CHANNELS.appInfo, (event): AppInfo => {
    if (!trusted.isTrusted(event, pageUrl)) throw new Error('untrusted sender');
    return { name: app.getName(), version: app.getVersion() };
  });
  void app.whenReady().then(openWindow);
}
