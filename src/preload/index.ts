import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import type { AppStatus } from '../shared/app-status.js';
import { IPC_CHANNELS, IPC_EVENTS } from '../shared/ipc.js';
import type { Api } from '../shared/ipc.js';

// Each channel is wrapped in a named function; ipcRenderer itself never crosses the bridge.
const api: Api = {
  getAppInfo: () => ipcRenderer.invoke(IPC_CHANNELS.appInfo),
  getStatus: () => ipcRenderer.invoke(IPC_CHANNELS.status),
  refresh: (profiles) =>
    ipcRenderer.invoke(IPC_CHANNELS.refresh, profiles === undefined ? {} : { profiles }),
  signIn: () => ipcRenderer.invoke(IPC_CHANNELS.signIn),
  signOut: () => ipcRenderer.invoke(IPC_CHANNELS.signOut),
  onStatus: (listener) => {
    const forward = (_event: IpcRendererEvent, status: AppStatus) => listener(status);
    ipcRenderer.on(IPC_EVENTS.statusChanged, forward);
    return () => ipcRenderer.removeListener(IPC_EVENTS.statusChanged, forward);
  },
};

contextBridge.exposeInMainWorld('api', api);
