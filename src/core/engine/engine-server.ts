/**
 * The engine's local socket (docs/engine.md "The engine's socket"): a Unix socket, 0600 from the
 * moment it exists, in a settings folder made 0700 (a named pipe on Windows). Every request
 * carries the secret from a 0600 file written at start and the protocol version, is at most
 * MAX_REQUEST_BYTES, and its arguments are checked for shape before the engine, which checks
 * their meaning, sees them. Reading, capping and closing connections: engine-server-connections.ts.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { z } from '../../shared/zod.js';
import type { Logger } from '../ports.js';
import { makePrivateFolder, writePrivateFile } from '../private-file.js';
import { ENGINE_OPERATIONS } from './engine-api.js';
import type { EngineApi, EngineOperation } from './engine-api.js';
import { refusalOf } from './engine-errors.js';
import {
  engineSocketPath,
  engineTokenPath,
  PROTOCOL_VERSION,
  versionMismatch,
} from './engine-protocol.js';
import type { WireReply } from './engine-protocol.js';
import {
  Connections,
  MAX_CONNECTIONS,
  refusal,
  REQUEST_DEADLINE_MS,
} from './engine-server-connections.js';

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
  connect: z.tuple([fields]),
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
  /** A client must have sent its whole request this long after connecting (5 s). */
  requestDeadlineMs?: number;
  /** At most this many connections stay open (256). */
  maxConnections?: number;
}

export interface EngineServer {
  readonly path: string;
  /** Every request read from now on is refused: the engine is stopping (host-engine.ts). */
  refuseRequests(): void;
  /** Destroys every open connection (never waits for one), stops listening, deletes the token. */
  close(): Promise<void>;
}

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

/**
 * Others must not reach the socket at all: a settings folder they can read or enter is made 0700
 * when it is ours, and refused when it is another user's (docs/engine.md "The engine's socket").
 */
async function privateFolder(dir: string, logger: Logger): Promise<void> {
  makePrivateFolder(dir);
  const info = await stat(dir);
  if ((info.mode & 0o077) === 0) return;
  const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
  if (info.uid !== process.getuid?.())
    throw new Error(
      `the settings folder ${dir} is mode ${mode} and belongs to another user (uid ${info.uid}), so others could reach the engine's socket: have its owner make it 0700 (chmod 700 ${dir}) or use another --config-dir`,
    );
  await chmod(dir, 0o700);
  logger.warn(`the settings folder ${dir} was mode ${mode}: made it 0700, as only you may use it`);
}

/**
 * On Unix, listens with the umask at 0177 so that bind(2) makes the socket 0600 (0777 & ~0177)
 * from its first instant: a chmod after listening left a moment when others could connect. bind
 * runs within listen(), so the process has its own umask back before any other code runs.
 */
async function listen(server: Server, path: string, unix: boolean): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const restore = unix ? privateUmask() : () => undefined;
    try {
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    } finally {
      restore();
    }
  });
  // Where the umask could not be set; a no-op otherwise.
  if (unix) await chmod(path, 0o600);
}

function privateUmask(): () => void {
  try {
    const before = process.umask(0o177);
    return () => void process.umask(before);
  } catch {
    // Worker threads may not change the umask: the 0700 folder alone keeps others out.
    return () => undefined;
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
  // Windows: a named pipe, which has no file mode; it keeps the pipe's default ACL.
  const unix = options.platform !== 'win32';
  if (unix) await privateFolder(options.configDir, options.logger);
  const tokenPath = engineTokenPath(options.configDir);
  const secret = Buffer.from(randomBytes(32).toString('hex'));
  await writePrivateFile(tokenPath, `${secret.toString()}\n`);

  let refusing = false;
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
    // Nothing reaches an engine that is stopping: its last writes are the ones it finishes.
    if (refusing) return refusal('failure', 'the engine is stopping; run the command again');
    return dispatch(options.engine, request, progress, options.logger);
  };

  const connections = new Connections(
    {
      requestDeadlineMs: options.requestDeadlineMs ?? REQUEST_DEADLINE_MS,
      maxConnections: options.maxConnections ?? MAX_CONNECTIONS,
    },
    (line, exchange) => void answer(line, exchange.progress).then(exchange.reply),
  );
  const server = createServer({ allowHalfOpen: true }, connections.accept);
  // The lock says no other engine runs: a socket file left behind belongs to a dead one.
  if (unix) await rm(path, { force: true });
  await listen(server, path, unix);
  return {
    path,
    refuseRequests() {
      refusing = true;
    },
    async close() {
      refusing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Destroyed, not waited for: server.close() alone waits for every client to hang up.
      connections.closeAll();
      await closed;
      await rm(tokenPath, { force: true });
    },
  };
}
