/**
 * The window end to end without Electron: the built preload bundle runs in Node with a fake
 * contextBridge and ipcRenderer whose invoke reaches the app's real ipcMain handlers (through the
 * electron fake), with the served page as the sender; the API it exposes is handed to a
 * Chromium page as `window.api`, and what main pushes reaches the page's listeners.
 */
import { readFileSync } from 'node:fs';
import { runInThisContext } from 'node:vm';
import type { Page } from 'playwright-core';
import { IPC_SUBSCRIPTIONS } from '../../src/shared/ipc.js';
import type { Api } from '../../src/shared/ipc.js';
import { fake, invoke } from './fake-electron.js';

const PRELOAD = 'out/preload/index.cjs';

/** Runs the built preload as a sandboxed preload would, with `electron` answered by fakes. */
export function loadPreload(sender: { id: number; url: string }): Api {
  let exposed: Api | undefined;
  const window = fake.windows.find((w) => w.webContents.id === sender.id);
  if (!window) throw new Error(`no window with webContents ${sender.id}`);
  const listeners = new Map<string, Set<(event: unknown, value: unknown) => void>>();
  window.webContents.receivers.add((channel, value) => {
    for (const listener of listeners.get(channel) ?? []) listener({ sender: 'main' }, value);
  });
  const electron = {
    contextBridge: {
      exposeInMainWorld: (key: string, api: Api) => {
        if (key !== 'api') throw new Error(`unexpected key ${key}`);
        exposed = api;
      },
    },
    ipcRenderer: {
      invoke: (channel: string, payload?: unknown) => invoke(channel, sender, payload),
      on: (channel: string, listener: (event: unknown, value: unknown) => void) => {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel)!.add(listener);
      },
      removeListener: (channel: string, listener: (event: unknown, value: unknown) => void) =>
        listeners.get(channel)?.delete(listener),
    },
  };
  const wrapped = runInThisContext(
    `(function (exports, require, module) {${readFileSync(PRELOAD, 'utf8')}\n})`,
  ) as (exports: object, require: (id: string) => unknown, module: object) => void;
  const module = { exports: {} };
  wrapped(
    module.exports,
    (id) => {
      if (id === 'electron') return electron;
      throw new Error(`a sandboxed preload cannot require ${id}`);
    },
    module,
  );
  if (!exposed) throw new Error('the preload exposed nothing');
  return exposed;
}

/** The methods that subscribe (the rest invoke): pushes come back to the page through them. */
const SUBSCRIPTIONS = Object.keys(IPC_SUBSCRIPTIONS) as Array<keyof typeof IPC_SUBSCRIPTIONS>;

/** Gives the page `window.api`, before its scripts run: calls cross to Node, pushes come back. */
export async function installBridge(page: Page, api: Api): Promise<void> {
  const methods = Object.keys(api).filter((k) => !(SUBSCRIPTIONS as readonly string[]).includes(k));
  await page.exposeBinding('__vatCall', async (_source, method: string, args: unknown[]) => {
    const fn = (api as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!;
    return fn(...args);
  });
  await page.exposeBinding('__vatSubscribe', (_source, kind: string) => {
    (api[kind as (typeof SUBSCRIPTIONS)[number]] as (l: (v: unknown) => void) => void)((value) => {
      void page
        .evaluate(
          ([k, v]) =>
            (window as unknown as { __vatEmit(k: string, v: unknown): void }).__vatEmit(k, v),
          [kind, value] as const,
        )
        .catch(() => undefined);
    });
  });
  await page.addInitScript(
    ({ methods, subscriptions }) => {
      const listeners: Record<string, Set<(value: unknown) => void>> = {};
      const w = window as unknown as Record<string, unknown> & {
        __vatCall(method: string, args: unknown[]): Promise<unknown>;
        __vatSubscribe(kind: string): Promise<void>;
      };
      const api: Record<string, unknown> = {};
      for (const method of methods) api[method] = (...args: unknown[]) => w.__vatCall(method, args);
      for (const kind of subscriptions) {
        listeners[kind] = new Set();
        void w.__vatSubscribe(kind);
        api[kind] = (listener: (value: unknown) => void) => {
          listeners[kind]!.add(listener);
          return () => listeners[kind]!.delete(listener);
        };
      }
      w.__vatEmit = (kind: string, value: unknown) => {
        for (const listener of listeners[kind] ?? []) listener(value);
      };
      w.api = api;
    },
    { methods, subscriptions: [...SUBSCRIPTIONS] },
  );
}
