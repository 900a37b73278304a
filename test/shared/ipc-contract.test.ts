import { describe, expect, it } from 'vitest';
import { registerIpcHandlers } from '../../src/main/ipc-handlers.js';
import type { IpcHandlers } from '../../src/main/ipc-handlers.js';
import type { TrustedSenders } from '../../src/main/trusted-senders.js';
import { IPC_CHANNELS, IPC_EVENTS, IPC_METHODS, IPC_SUBSCRIPTIONS } from '../../src/shared/ipc.js';
import { IPC_PAYLOADS } from '../../src/shared/ipc-payloads.js';

const sorted = (values: Iterable<string>) => [...values].sort();

// tsc checks each table against IpcContract; these check the tables against each other as they
// are at runtime, where a duplicate or a stray key would go unnoticed by the types.
describe('the IPC contract', () => {
  it('gives every channel exactly one method, one payload schema and one handler', () => {
    const channels = Object.values(IPC_METHODS);
    expect(new Set(channels).size, 'two methods on one channel').toBe(channels.length);
    expect(sorted(IPC_CHANNELS)).toEqual(sorted(channels));
    expect(sorted(Object.keys(IPC_PAYLOADS))).toEqual(sorted(IPC_CHANNELS));

    const registered: string[] = [];
    registerIpcHandlers(
      { handle: (channel: string) => void registered.push(channel) },
      {} as TrustedSenders,
      () => 'file:///index.html',
      {} as IpcHandlers,
    );
    expect(registered).toEqual([...IPC_CHANNELS]);
  });

  it('gives every pushed event one subscription, named apart from the methods', () => {
    expect(sorted(Object.values(IPC_SUBSCRIPTIONS))).toEqual(sorted(Object.values(IPC_EVENTS)));
    const methods = Object.keys(IPC_METHODS);
    expect(Object.keys(IPC_SUBSCRIPTIONS).filter((name) => methods.includes(name))).toEqual([]);
  });

  it('refuses a payload where a channel takes none, and an unknown field where it takes one', () => {
    for (const channel of IPC_CHANNELS) {
      expect(IPC_PAYLOADS[channel].safeParse({ surprise: 1 }).success, channel).toBe(false);
    }
  });
});
