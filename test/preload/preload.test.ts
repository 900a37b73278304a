import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Api } from '../../src/shared/ipc.js';

// A typed fake of the two electron modules the preload uses; the real one would download Electron.
const exposed = new Map<string, unknown>();
const invoke = vi.fn(async (channel: string, payload?: unknown) => ({ channel, payload }));
const listeners = new Map<string, (event: unknown, value: unknown) => void>();
vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value),
  } satisfies Pick<Electron.ContextBridge, 'exposeInMainWorld'>,
  ipcRenderer: {
    invoke,
    on: (channel: string, listener: (event: unknown, value: unknown) => void) => {
      listeners.set(channel, listener);
    },
    removeListener: (channel: string) => {
      listeners.delete(channel);
    },
  } as unknown as Pick<Electron.IpcRenderer, 'invoke' | 'on' | 'removeListener'>,
}));

describe('preload', () => {
  beforeEach(async () => {
    exposed.clear();
    vi.resetModules();
    await import('../../src/preload/index.js');
  });

  it('exposes only the typed api, each call on its own channel with its payload', async () => {
    expect([...exposed.keys()]).toEqual(['api']);
    const api = exposed.get('api') as Api;
    expect(Object.keys(api).sort()).toEqual(
      [
        'getAppInfo',
        'getStatus',
        'onStatus',
        'getSetup',
        'saveConnection',
        'savePreferences',
        'chooseTeamFile',
        'applyTeamFile',
        'signIn',
        'cancelSignIn',
        'submitTotp',
        'onSignInEvent',
        'signOut',
        'discoverRoles',
        'checkProfile',
        'addProfiles',
        'removeProfile',
        'refresh',
        'copyExports',
        'openConsole',
      ].sort(),
    );
    await expect(api.getAppInfo()).resolves.toEqual({ channel: 'app:info' });
    expect(invoke).toHaveBeenCalledWith('app:info', undefined);
    await expect(api.refresh({ profiles: ['dev'] })).resolves.toEqual({
      channel: 'profiles:refresh',
      payload: { profiles: ['dev'] },
    });
    await expect(api.refresh({})).resolves.toEqual({ channel: 'profiles:refresh', payload: {} });
    await expect(api.submitTotp({ code: '123456' })).resolves.toEqual({
      channel: 'session:totp',
      payload: { code: '123456' },
    });
    // Each is a function of its own, named after its method (what a stack trace shows).
    expect(api.checkProfile.name).toBe('checkProfile');
    expect(api.onSignInEvent.name).toBe('onSignInEvent');
  });

  it('hands main’s refusal to the window as main’s own sentence', async () => {
    const api = exposed.get('api') as Api;
    invoke.mockRejectedValueOnce(
      new Error(
        "Error invoking remote method 'profiles:remove': Error: no managed profile named dev",
      ),
    );
    await expect(api.removeProfile({ name: 'dev', deleteSections: true })).rejects.toThrow(
      /^no managed profile named dev$/,
    );
    expect(invoke).toHaveBeenLastCalledWith('profiles:remove', {
      name: 'dev',
      deleteSections: true,
    });
  });

  it('passes pushed status to the listener, without the event, until it stops', () => {
    const api = exposed.get('api') as Api;
    const seen: unknown[] = [];
    const stop = api.onStatus((status) => seen.push(status));
    listeners.get('status:changed')!({ sender: 'ipc' }, { engine: 'app' });
    expect(seen).toEqual([{ engine: 'app' }]);
    stop();
    expect(listeners.has('status:changed')).toBe(false);
  });
});
