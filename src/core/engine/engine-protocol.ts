/**
 * The engine's socket protocol (docs/engine.md "The engine's socket"), shared by the server and
 * every client: where the socket is, what a request and its answer look like, and the version
 * both sides must speak. Kept free of schemas and HTTP: the `credential-process` fast path loads
 * this file.
 *
 * One request per connection: a line of JSON `{ "v", "token", "op", "args" }`; back come zero or
 * more progress lines `{ "v", "progress" }` and then one line `{ "v", "ok", … }`.
 */
import { join } from 'node:path';
import type { EngineOperation } from './engine-api.js';

/**
 * 2: the operations of EngineApi with their arguments. (1 had no `v` and other operations.) The
 * CLI, a standalone binary and the app on one machine may differ: a mismatch is refused in words.
 */
export const PROTOCOL_VERSION = 2;

/** A request larger than this is refused unread: nothing the CLI sends comes near it. */
export const MAX_REQUEST_BYTES = 16 * 1024;
/** The client stops reading an answer larger than this (a status of many profiles fits). */
export const MAX_REPLY_BYTES = 4 * 1024 * 1024;

export type EngineErrorCode =
  | 'unauthorized'
  | 'too_large'
  | 'bad_request'
  | 'version_mismatch'
  | 'not_found'
  | 'sign_in_needed'
  | 'failure';

/**
 * Why the engine refused a request, as every front end shows it: the CLI turns the code into its
 * exit code, the socket carries it, the window shows the message. The same class on both sides
 * of the socket, so a command says the same thing whichever engine answered.
 */
export class EngineError extends Error {
  override readonly name: string = 'EngineError';

  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface WireRequest {
  v: number;
  token: string;
  op: EngineOperation;
  args: unknown[];
}

export type WireReply =
  | { v: number; ok: true; result: unknown }
  | { v: number; ok: false; code: EngineErrorCode; message: string };

export interface WireProgress {
  v: number;
  progress: string;
}

export function engineSocketPath(configDir: string, platform: string): string {
  // Named pipes live in one namespace per machine: name them after the folder.
  if (platform === 'win32') return `\\\\.\\pipe\\vault-aws-tray-${fnv1a(configDir.toLowerCase())}`;
  return join(configDir, 'engine.sock');
}

/** A short stable name for a string; not a secret (node:crypto would slow the fast path down). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** The 0600 file holding the secret that every request must carry. */
export function engineTokenPath(configDir: string): string {
  return join(configDir, 'engine.token');
}

/**
 * What to say when the two sides speak different versions: which one to update. `request` is
 * the client's version (1 when it sent none), `engine` the running engine's.
 */
export function versionMismatch(request: number, engine: number): string {
  return request < engine
    ? `this vault-aws-tray command is older than the running engine (protocol ${request}, the engine speaks ${engine}): update the command`
    : `the running engine is older than this vault-aws-tray command (protocol ${engine}, the command speaks ${request}): update the app or restart the daemon with this version`;
}
