import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { Logger } from '../../../src/core/ports.js';

export const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A client of the engine's socket as a hostile or broken program would be: raw bytes. */
export interface RawClient {
  socket: Socket;
  /** Resolves once the server has accepted the connection's bytes (the connect completed). */
  connected: Promise<void>;
  /**
   * When the connect began: the server accepts after it, so a server timer counted from accept
   * ends at least that long after this on any machine. (The client's 'connect' event can come
   * after the server's accept on a busy machine, so it is no lower bound.)
   */
  openedAt: number;
  /** Set once the connection is closed (by the server: these clients never close first). */
  closedAt?: number;
  /** Bytes written so far. */
  sent: number;
  /** Everything the server sent back. */
  received: string;
  /** Writes one byte that never completes a request. */
  trickle(): void;
}

export function rawClient(path: string): RawClient {
  const openedAt = Date.now();
  const socket = connect(path);
  const client: RawClient = {
    socket,
    openedAt,
    sent: 0,
    received: '',
    connected: new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    }),
    trickle() {
      if (socket.destroyed || client.closedAt !== undefined) return;
      client.sent++;
      socket.write(' ');
    },
  };
  // A write racing the server's close fails with EPIPE: that is the close, seen early.
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => (client.received += chunk.toString()));
  socket.on('close', () => (client.closedAt ??= Date.now()));
  return client;
}

/**
 * Opens `count` raw clients one after another, appended to `clients` (oldest first) as they open. One per turn of the event loop:
 * Node accepts one connection per turn on a Unix socket, and a listen backlog that fills up
 * refuses connections with EAGAIN.
 */
export async function openClients(
  path: string,
  count: number,
  clients: RawClient[] = [],
): Promise<RawClient[]> {
  for (let opened = 0; opened < count; opened++) {
    const client = rawClient(path);
    clients.push(client);
    await client.connected;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return clients;
}

/** Polls `condition` every 10 ms; fails with `what` after `timeoutMs` (a generous bound). */
export async function waitUntil(
  condition: () => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
