/**
 * The engine's local socket (design.md, "One engine per config folder"): a Unix socket, mode
 * 0600, in the 0700 settings folder (a named pipe on Windows). Every request carries the secret
 * from a 0600 file written at start, is at most MAX_REQUEST_BYTES and is validated before the
 * engine sees it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { profileSettingsSchema } from '../../shared/settings.js';
import { z } from '../../shared/zod.js';
import type { Logger } from '../ports.js';
import { writePrivateFile } from '../private-file.js';
import { engineSocketPath, engineTokenPath, MAX_REQUEST_BYTES } from './engine-endpoint.js';
import type { EngineErrorCode, EngineReply } from './engine-endpoint.js';

const profileName = z.string().min(1).max(128);
const MAX_SOCKET_PATH_BYTES = 103;

export const engineRequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('status') }),
  z.object({ op: z.literal('credentials'), profile: profileName }),
  z.object({ op: z.literal('refresh'), profiles: z.array(profileName).max(1000).optional() }),
  z.object({ op: z.literal('profile-add'), name: profileName, binding: profileSettingsSchema }),
  z.object({ op: z.literal('profile-remove'), name: profileName }),
  z.object({
    op: z.literal('profile-delivery'),
    name: profileName,
    delivery: z.enum(['file', 'process']),
  }),
  z.object({ op: z.literal('logout') }),
]);

export type EngineRequest = z.infer<typeof engineRequestSchema>;

/** A refusal the handler means: its code and message reach the client as they are. */
export class EngineRequestError extends Error {
  override readonly name = 'EngineRequestError';

  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface EngineServerOptions {
  configDir: string;
  platform: string;
  handle(request: EngineRequest): Promise<Record<string, unknown>>;
  logger: Logger;
  /** A client that sends nothing for this long is dropped. */
  idleMs?: number;
}

export interface EngineServer {
  readonly path: string;
  close(): Promise<void>;
}

const refusal = (code: EngineErrorCode, message: string): EngineReply => ({
  ok: false,
  code,
  message,
});

function sameSecret(given: unknown, secret: Buffer): boolean {
  if (typeof given !== 'string') return false;
  const bytes = Buffer.from(given);
  return bytes.length === secret.length && timingSafeEqual(bytes, secret);
}

/** Serves the engine's socket until closed. The caller holds the engine lock. */
export async function serveEngine(options: EngineServerOptions): Promise<EngineServer> {
  const path = engineSocketPath(options.configDir, options.platform);
  // sun_path holds 104 bytes on macOS, 108 on Linux; a longer path fails with a misleading error.
  if (options.platform !== 'win32' && Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES)
    throw new Error(
      `the settings folder's path is too long for the engine's socket (${path}); use a shorter --config-dir`,
    );
  const tokenPath = engineTokenPath(options.configDir);
  const secret = Buffer.from(randomBytes(32).toString('hex'));
  await writePrivateFile(tokenPath, `${secret.toString()}\n`);

  const answer = async (line: string): Promise<EngineReply> => {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      return refusal('bad_request', 'the request is not JSON');
    }
    if (!sameSecret((raw as { token?: unknown } | null)?.token, secret))
      return refusal('unauthorized', 'the request does not carry the engine token');
    const { token: _secret, ...fields } = raw as Record<string, unknown>;
    const parsed = engineRequestSchema.safeParse(fields);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return refusal('bad_request', `${issue.path.join('.') || 'request'}: ${issue.message}`);
    }
    try {
      return { ok: true, ...(await options.handle(parsed.data)) };
    } catch (error) {
      if (error instanceof EngineRequestError) return refusal(error.code, error.message);
      options.logger.warn(`a ${parsed.data.op} request failed: ${(error as Error).message}`);
      return refusal('failure', (error as Error).message);
    }
  };

  const serve = (socket: Socket) => {
    let text = '';
    let done = false;
    const reply = (value: EngineReply) => {
      done = true;
      socket.end(`${JSON.stringify(value)}\n`);
    };
    socket.setEncoding('utf8');
    socket.setTimeout(options.idleMs ?? 10_000, () => socket.destroy());
    socket.on('error', () => undefined);
    socket.on('data', (chunk: string) => {
      if (done) return;
      text += chunk;
      const newline = text.indexOf('\n');
      if (newline < 0 && Buffer.byteLength(text) <= MAX_REQUEST_BYTES) return;
      if (newline < 0 || newline > MAX_REQUEST_BYTES) {
        reply(refusal('too_large', `a request is at most ${MAX_REQUEST_BYTES} bytes`));
        return;
      }
      done = true;
      socket.setTimeout(0);
      void answer(text.slice(0, newline)).then(reply);
    });
    socket.on('end', () => {
      if (!done) reply(refusal('bad_request', 'the request ended without a newline'));
    });
  };

  const server = createServer({ allowHalfOpen: true }, serve);
  // The lock says no other engine runs: a socket file left behind belongs to a dead one.
  if (options.platform !== 'win32') await rm(path, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  if (options.platform !== 'win32') await chmod(path, 0o600);
  return {
    path,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(tokenPath, { force: true });
    },
  };
}
