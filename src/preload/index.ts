import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { IPC_CHANNELS, IPC_EVENTS } from '../shared/ipc.js';
import type { Api } from '../shared/ipc.js';

/**
 * One invoke; a refusal reaches the window as main's own sentence, without the "Error invoking
 * remote method" wrapping Electron adds.
 */
function call<T>(channel: string, payload?: unknown): Promise<T> {
  return ipcRenderer.invoke(channel, payload).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(message.replace(/^Error invoking remote method '[^']*': (?:Error: )?/, ''));
  });
}

function subscribe<T>(event: string, listener: (value: T) => void): () => void {
  const forward = (_event: IpcRendererEvent, value: T) => listener(value);
  ipcRenderer.on(event, forward);
  return () => ipcRenderer.removeListener(event, forward);
}

const C = IPC_CHANNELS;

// Each channel is wrapped in a named function; ipcRenderer itself never crosses the bridge.
const api: Api = {
  getAppInfo: () => call(C.appInfo),
  getStatus: () => call(C.status),
  onStatus: (listener) => subscribe(IPC_EVENTS.statusChanged, listener),
  getSetup: () => call(C.getSetup),
  saveConnection: (connection) => call(C.saveConnection, connection),
  savePreferences: (preferences) => call(C.saveSettings, preferences),
  signIn: (token) => call(C.signIn, token === undefined ? {} : { token }),
  cancelSignIn: () => call(C.cancelSignIn),
  submitTotp: (code) => call(C.submitTotp, { code }),
  onSignInEvent: (listener) => subscribe(IPC_EVENTS.signIn, listener),
  signOut: () => call(C.signOut),
  discoverRoles: () => call(C.discoverRoles),
  checkProfile: (name) => call(C.checkProfile, { name }),
  addProfiles: (profiles) => call(C.addProfiles, { profiles }),
  removeProfile: (name, deleteSections) => call(C.removeProfile, { name, deleteSections }),
  refresh: (profiles) => call(C.refresh, profiles === undefined ? {} : { profiles }),
  copyExports: (profile) => call(C.copyExports, { profile }),
};

contextBridge.exposeInMainWorld('api', api);
