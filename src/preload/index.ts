import { contextBridge, ipcRenderer } from 'electron';
import { IPC_CHANNELS } from '../shared/ipc.js';
import type { Api } from '../shared/ipc.js';

// Each channel is wrapped in a named function; ipcRenderer itself never crosses the bridge.
const api: Api = {
  getAppInfo: () => ipcRenderer.invoke(IPC_CHANNELS.appInfo),
};

contextBridge.exposeInMainWorld('api', api);
