/**
 * The engine socket's connections (docs/engine.md "The engine's socket"): each one's request is
 * read under a deadline from accept, at most so many stay open, and closing destroys them all,
 * so that no client, however slow, holds the engine or the process. What a request means is
 * engine-server.ts's.
 */
import type { Socket } from 'node:net';
import { MAX_REQUEST_BYTES, PROTOCOL_VERSION } from './engine-protocol.js';
import type { EngineErrorCode, WireReply } from './engine-protocol.js';

/** The CLI sends its whole request as it connects: 5 s is for a machine under heavy load. */
export const REQUEST_DEADLINE_MS = 5_000;
/** Far above what the CLI opens at once; each one costs a file descriptor. */
export const MAX_CONNECTIONS = 256;

export interface ConnectionLimits {
  /** A client must have sent its whole request this long after it connected. */
  requestDeadlineMs: number;
  /** Open connections above this are closed, the oldest still reading first. */
  maxConnections: number;
}

export const refusal = (code: EngineErrorCode, message: string): WireReply => ({
  v: PROTOCOL_VERSION,
  ok: false,
  code,
  message,
});

/** One request read whole, and the way back to its client. */
export interface Exchange {
  /** A progress line before the answer (dropped once the client is gone). */
  progress(line: string): void;
  /** The answer; the connection ends with it. */
  reply(answer: WireReply): void;
}

/** `busy`: a whole request read and not yet answered; only these are never closed for room. */
type State = 'reading' | 'busy' | 'answered';

export class Connections {
  /** Insertion order is age: the oldest connection comes first. */
  private readonly open = new Map<Socket, State>();
  private busy = 0;
  private roomPending = false;
  private closed = false;

  constructor(
    private readonly limits: ConnectionLimits,
    private readonly onRequest: (line: string, exchange: Exchange) => void,
  ) {}

  readonly accept = (socket: Socket): void => {
    socket.on('error', () => undefined);
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.open.set(socket, 'reading');
    if (this.open.size > this.limits.maxConnections) this.makeRoomSoon();
    this.read(socket);
  };

  /** Destroys every connection, whatever it is waiting for; later ones are destroyed on arrival. */
  closeAll(): void {
    this.closed = true;
    for (const socket of this.open.keys()) socket.destroy();
    this.open.clear();
    this.busy = 0;
  }

  private read(socket: Socket): void {
    let received = '';
    // From accept, not from the last byte: a client trickling a byte at a time is still dropped.
    const deadline = setTimeout(() => this.drop(socket), this.limits.requestDeadlineMs);
    const reply = (answer: WireReply) => {
      if (!this.mark(socket, 'answered')) return;
      socket.end(`${JSON.stringify(answer)}\n`);
    };
    const progress = (line: string) => {
      if (this.open.get(socket) === 'busy')
        socket.write(`${JSON.stringify({ v: PROTOCOL_VERSION, progress: line })}\n`);
    };
    socket.setEncoding('utf8');
    socket.on('close', () => {
      clearTimeout(deadline);
      this.forget(socket);
    });
    socket.on('data', (chunk: string) => {
      if (this.open.get(socket) !== 'reading') return;
      received += chunk;
      const newline = received.indexOf('\n');
      if (newline < 0 && Buffer.byteLength(received) <= MAX_REQUEST_BYTES) return;
      clearTimeout(deadline);
      if (newline < 0 || newline > MAX_REQUEST_BYTES) {
        reply(refusal('too_large', `a request is at most ${MAX_REQUEST_BYTES} bytes`));
        return;
      }
      // Requests in flight are never closed for room, so their number is what the cap holds.
      if (this.busy >= this.limits.maxConnections) {
        reply(refusal('failure', 'the engine is busy with too many requests; try again'));
        return;
      }
      this.mark(socket, 'busy');
      this.onRequest(received.slice(0, newline), { progress, reply });
    });
    socket.on('end', () => {
      if (this.open.get(socket) !== 'reading') return;
      clearTimeout(deadline);
      reply(refusal('bad_request', 'the request ended without a newline'));
    });
  }

  /**
   * Over the cap, the oldest connections not busy with a request are closed, a turn of the event
   * loop later: by then what the newest clients already sent has been read, so a burst of real
   * requests is not taken for idle connections. With every connection busy, the newest go.
   */
  private makeRoomSoon(): void {
    if (this.roomPending) return;
    this.roomPending = true;
    setImmediate(() =>
      setImmediate(() => {
        this.roomPending = false;
        for (const [socket, state] of this.open) {
          if (this.open.size <= this.limits.maxConnections) return;
          if (state !== 'busy') this.drop(socket);
        }
      }),
    );
  }

  private drop(socket: Socket): void {
    this.forget(socket);
    socket.destroy();
  }

  /** False when the connection is gone (dropped, closed): nothing more is sent on it. */
  private mark(socket: Socket, state: State): boolean {
    const before = this.open.get(socket);
    if (before === undefined || socket.destroyed) return false;
    if (before === 'busy') this.busy--;
    if (state === 'busy') this.busy++;
    this.open.set(socket, state);
    return true;
  }

  private forget(socket: Socket): void {
    if (this.open.get(socket) === 'busy') this.busy--;
    this.open.delete(socket);
  }
}
