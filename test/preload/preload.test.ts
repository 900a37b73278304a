import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Api } from '../../src/shared/ipc.js';

// A typed fake of the two electron modules the preload uses; the real one would download Electron.
const exposed = new Map<string, unknown>();
const invoke = vi.fn(async (channel: string) => ({ channel }));
vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value),
  } satisfies Pick<Electron.ContextBridge, 'exposeInMainWorld'>,
  ipcRenderer: { invoke } satisfies Pick<Electron.IpcRenderer, 'invoke'>,
}));

describe('preload', () => {
  beforeEach(async () => {
    exposed.clear();
    vi.resetModules();
    await import('../../src/preload/index.js');
  });

  it('exposes only the typed api, each call on its own channel', async () => {
    expect([...exposed.keys()]).toEqual(['api']);
    const api = exposed.get('api') as Api;
    expect(Object.keys(api)).toEqual(['getAppInfo']);
    await expect(api.getAppInfo()).resolves.toEqual({ channel: 'app:info' });
    expect(invoke).toHaveBeenCalledWith('app:info');
  });
});
