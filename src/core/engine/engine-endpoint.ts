/**
 * Where the engine's local socket is and what travels on it (design.md, "One engine per config
 * folder"). Kept free of schemas and HTTP: the `credential-process` fast path loads this file.
 *
 * One request per connection: a line of JSON `{ "token": …, "op": …, … }`, then a line of JSON back.
 */
import { join } from 'node:path';
import type { HandedOutCredentials } from '../aws/credential-output.js';

/** A request larger than this is refused unread: nothing the CLI sends comes near it. */
export const MAX_REQUEST_BYTES = 16 * 1024;
/** The client stops reading an answer larger than this (a status of many profiles fits). */
export const MAX_REPLY_BYTES = 4 * 1024 * 1024;

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

export type EngineErrorCode =
  'unauthorized' | 'too_large' | 'bad_request' | 'not_found' | 'sign_in_needed' | 'failure';

export type EngineReply<T = Record<string, unknown>> =
  ({ ok: true } & T) | { ok: false; code: EngineErrorCode; message: string };

/** Credentials as the socket hands them out; `expiresAt` in ms since the epoch. */
export type WireCredentials = HandedOutCredentials;

/** A refresh's result as the socket carries it (secrets stay in the engine). */
export interface RefreshReport {
  outcomes: Array<
    | {
        profile: string;
        ok: true;
        expiresAt: number;
        grantedTtlSeconds: number;
        warnings: string[];
      }
    | { profile: string; ok: false; kind: string; message: string }
  >;
  shadowing: string[];
  signInNeeded: boolean;
  clockSkewMs?: number;
}
