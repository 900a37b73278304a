import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import {
  engineSocketPath,
  engineTokenPath,
  MAX_REPLY_BYTES,
} from '../core/engine/engine-endpoint.js';
import type { EngineReply } from '../core/engine/engine-endpoint.js';

/** No engine listens for this settings folder: the CLI does the work itself. */
export class NoEngineError extends Error {
  override readonly name = 'NoEngineError';
}

export interface EngineRequest {
  op: string;
  [field: string]: unknown;
}

/**
 * One request to the engine (daemon or tray app) of `configDir`, and its answer. Plain node:net
 * and JSON: `credential-process` answers from here without loading the rest of the CLI. (A sync
 * read of the 65-byte token file: node:fs/promises alone costs that path 1.5 ms to load.)
 */
export async function askEngine<T extends object>(
  configDir: string,
  platform: string,
  request: EngineRequest,
  timeoutMs = 60_000,
): Promise<EngineReply<T>> {
  let token: string;
  try {
    token = readFileSync(engineTokenPath(configDir), 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NoEngineError();
    throw error;
  }
  return new Promise((resolve, reject) => {
    const socket = connect(engineSocketPath(configDir, platform));
    let connected = false;
    const chunks: Buffer[] = [];
    let size = 0;
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new Error(`the engine did not answer within ${timeoutMs / 1000} s`)),
    );
    socket.once('connect', () => {
      connected = true;
      socket.end(`${JSON.stringify({ ...request, token })}\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > MAX_REPLY_BYTES) socket.destroy(new Error('the engine answered too much'));
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      // A socket file left by an engine that was killed refuses connections: no engine either.
      const gone = error.code === 'ENOENT' || error.code === 'ECONNREFUSED';
      reject(!connected && gone ? new NoEngineError() : error);
    });
    socket.once('end', () => {
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve(JSON.parse(text.split('\n', 1)[0]!) as EngineReply<T>);
      } catch {
        reject(new Error('the engine answered something that is not JSON'));
      }
    });
  });
}
