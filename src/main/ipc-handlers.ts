import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { IPC_CHANNELS } from '../shared/ipc.js';
import type { IpcChannel, IpcContract } from '../shared/ipc.js';
import { IPC_PAYLOADS } from '../shared/ipc-payloads.js';
import type { TrustedSenders } from './trusted-senders.js';

/** One handler per channel of IpcContract, taking its payload and answering with its result. */
export type IpcHandlers = {
  [C in IpcChannel]: (
    payload: IpcContract[C]['payload'],
  ) => IpcContract[C]['result'] | Promise<IpcContract[C]['result']>;
};

/**
 * One `handle()` per channel of the contract, each refusing a sender that is not the app's own
 * page (a null senderFrame included) and a payload its schema does not accept, before the
 * handler runs (Electron's checklist, item 17).
 */
export function registerIpcHandlers(
  ipcMain: Pick<IpcMain, 'handle'>,
  trusted: TrustedSenders,
  pageUrl: () => string,
  handlers: IpcHandlers,
): void {
  for (const channel of IPC_CHANNELS) {
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, payload: unknown) => {
      if (!trusted.isTrusted(event, pageUrl())) throw new Error(`${channel}: untrusted sender`);
      const parsed = IPC_PAYLOADS[channel].safeParse(payload);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new Error(
          `${channel}: invalid payload (${issue.path.join('.') || 'payload'}: ${issue.message})`,
        );
      }
      return (handlers[channel] as (payload: unknown) => unknown)(parsed.data);
    });
  }
}
