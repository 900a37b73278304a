import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
// The contract only: the payload schemas (and zod) stay in main (test/repo/preload-bundle.test.ts).
import { IPC_METHODS, IPC_SUBSCRIPTIONS } from '../shared/ipc.js';
import type { Api } from '../shared/ipc.js';

/**
 * One invoke; a refusal reaches the window as main's own sentence, without the "Error invoking
 * remote method" wrapping Electron adds.
 */
function call(channel: string, payload?: unknown): Promise<unknown> {
  return ipcRenderer.invoke(channel, payload).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(message.replace(/^Error invoking remote method '[^']*': (?:Error: )?/, ''));
  });
}

function subscribe(event: string, listener: (value: unknown) => void): () => void {
  const forward = (_event: IpcRendererEvent, value: unknown) => listener(value);
  ipcRenderer.on(event, forward);
  return () => ipcRenderer.removeListener(event, forward);
}

// Each channel and event gets a function of its own, named after its method (a computed key names
// the arrow it holds); ipcRenderer itself never crosses the bridge.
const api: Record<string, unknown> = {};
for (const [method, channel] of Object.entries(IPC_METHODS))
  api[method] = { [method]: (payload?: unknown) => call(channel, payload) }[method];
for (const [method, event] of Object.entries(IPC_SUBSCRIPTIONS))
  api[method] = {
    [method]: (listener: (value: unknown) => void) => subscribe(event, listener),
  }[method];

contextBridge.exposeInMainWorld('api', api as Api);
