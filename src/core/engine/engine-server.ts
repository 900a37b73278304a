/**
 * The engine's local socket (docs/engine.md "The engine's socket"): a Unix socket, mode 0600, in
 * the 0700 settings folder (a named pipe on Windows). Every request carries the secret from a
 * 0600 file written at start and the protocol version, is at most MAX_REQUEST_BYTES, and its
 * arguments are checked for shape before the engine, which checks their meaning, sees them.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { z } from '../../shared/zod.js';
import type { Logger } from '../ports.js';
import { writePrivateFile } from '../private-file.js';
import { ENGINE_OPERATIONS } from './engine-api.js';
import type { EngineApi, EngineOperation } from './engine-api.js';
import { refusalOf } from './engine-errors.js';
import {
  engineSocketPath,
  engineTokenPath,
  MAX_REQUEST_BYTES,
  PROTOCOL_VERSION,
  versionMismatch,
} from './engine-protocol.js';
import type { EngineErrorCode, WireReply } from './engine-protocol.js';

const MAX_SOCKET_PATH_BYTES = 103;
const text = z.string();
const fields = z.record(z.string(), z.unknown());

/**
 * The shape of each operation's arguments. Only the shape: what they mean (a profile name's
 * rule, a region, a binding) is the engine's to check, so a refusal reads the same whichever
 * engine gives it.
 */
const ARGUMENTS = {
  status: z.tuple([]),
  listProfiles: z.tuple([]),
  refresh: z.tuple([z.array(text).optional()]),
  credentials: z.tuple([text]),
  addProfiles: z.tuple([
    z.array(z.object({ name: text, binding: fields })),
    z.object({ refresh: z.boolean() }),
  ]),
  setProfile: z.tuple([text, fields]),
  removeProfile: z.tuple([text, z.object({ keepSections: z.boolean() })]),
  signIn: z.tuple([z.object({ token: text, vault: fields })]),
  signOut: z.tuple([]),
  doctor: z.tuple([fields.optional()]),
  discoverRoles: z.tuple([]),
  checkProfile: z.tuple([text]),
} satisfies Record<EngineOperation, z.ZodType>;

export interface EngineServerOptions {
  configDir: string;
  platform: string;
  engine: EngineApi;
  logger: Logger;
  /** A client that sends nothing for this long is dropped. */
  idleMs?: number;
}

export interface EngineServer {
  readonly path: string;
  close(): Promise<void>;
}

const refusal = (code: EngineErrorCode, message: string): WireReply => ({
  v: PROTOCOL_VERSION,
  ok: false,
  code,
  message,
});

function sameSecret(given: unknown, secret: Buffer): boolean {
  if (typeof given !== 'string') return false;
  const bytes = Buffer.from(given);
  return bytes.length === secret.length && timingSafeEqual(bytes, secret);
}

/** Calls the engine for one request; `progress` sends lines before the answer. */
async function dispatch(
  engine: EngineApi,
  raw: Record<string, unknown>,
  progress: (line: string) => void,
  logger: Logger,
): Promise<WireReply> {
  const version = typeof raw.v === 'number' ? raw.v : 1;
  if (version !== PROTOCOL_VERSION)
    return refusal('version_mismatch', versionMismatch(version, PROTOCOL_VERSION));
  const op = raw.op;
  if (typeof op !== 'string' || !Object.hasOwn(ENGINE_OPERATIONS, op))
    return refusal('bad_request', `unknown operation ${JSON.stringify(op)}`);
  const operation = op as EngineOperation;
  const parsed = ARGUMENTS[operation].safeParse(raw.args ?? []);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return refusal(
      'bad_request',
      `${op}: ${issue.path.join('.') || 'arguments'}: ${issue.message}`,
    );
  }
  // Progress goes after the wire arguments, whatever the operation takes.
  const args: unknown[] = [...parsed.data];
  args.length = ENGINE_OPERATIONS[operation];
  try {
    const method = engine[operation] as (...a: unknown[]) => Promise<unknown>;
    const result = await method.call(engine, ...args, progress);
    return { v: PROTOCOL_VERSION, ok: true, result };
  } catch (error) {
    const known = refusalOf(error);
    if (known) return refusal(known.code, known.message);
    logger.warn(`a ${op} request failed: ${(error as Error).message}`);
    return refusal('failure', (error as Error).message);
  }
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

  const answer = async (line: string, progress: (text: string) => void): Promise<WireReply> => {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      return refusal('bad_request', 'the request is not JSON');
    }
    if (!raw || typeof raw !== 'object' || Array.isArray(raw))
      return refusal('bad_request', 'the request is not a JSON object');
    const request = raw as Record<string, unknown>;
    if (!sameSecret(request.token, secret))
      return refusal('unauthorized', 'the request does not carry the engine token');
    return dispatch(options.engine, request, progress, options.logger);
  };

  const serve = (socket: Socket) => {
    let received = '';
    let done = false;
    const send = (value: object) => socket.write(`${JSON.stringify(value)}\n`);
    const reply = (value: WireReply) => {
      done = true;
      socket.end(`${JSON.stringify(value)}\n`);
    };
    socket.setEncoding('utf8');
    socket.setTimeout(options.idleMs ?? 10_000, () => socket.destroy());
    socket.on('error', () => undefined);
    socket.on('data', (chunk: string) => {
      if (done) return;
      received += chunk;
      const newline = received.indexOf('\n');
      if (newline < 0 && Buffer.byteLength(received) <= MAX_REQUEST_BYTES) return;
      if (newline < 0 || newline > MAX_REQUEST_BYTES) {
        reply(refusal('too_large', `a request is at most ${MAX_REQUEST_BYTES} bytes`));
        return;
      }
      done = true;
      socket.setTimeout(0);
      const progress = (line: string) => {
        if (!socket.destroyed) send({ v: PROTOCOL_VERSION, progress: line });
      };
      void answer(received.slice(0, newline), progress).then(reply);
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
