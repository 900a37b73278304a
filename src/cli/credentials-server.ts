/**
 * `exec --server`'s credentials endpoint (docs/engine.md "A credentials server for long-running
 * commands"): the container credentials endpoint the AWS SDKs and CLI ask through
 * AWS_CONTAINER_CREDENTIALS_FULL_URI, on loopback, for one child and only while it runs.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HandedOutCredentials } from '../core/aws/credential-output.js';
import { failure, refusalOf } from '../core/engine/engine-errors.js';
import { HAND_OUT_MIN_MS } from '../core/engine/hand-out.js';
import type { Clock, TimerHandle } from '../core/ports.js';
import { stripControlChars } from '../shared/strip-control.js';
import { localTime } from '../shared/time-text.js';

/** The one path that answers; the token, not the path, is what keeps others out. */
export const CREDENTIALS_PATH = '/credentials';

export interface SupplyOptions {
  /** Credentials as the engine hands them out (its 15-minute rule, hand-out.ts). */
  fetch(): Promise<HandedOutCredentials>;
  /** What the engine gave before the child started. */
  first: HandedOutCredentials;
  clock: Clock;
  /** One line when credentials cannot be had, and none again until they could. */
  warn(message: string): void;
}

/** UTC with `Z` and whole seconds, rounded down: botocore and the JS SDK both parse it. */
const utc = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The credentials the server holds and when it asks the engine again. SDKs give the endpoint a
 * second or two, so a request is answered from memory whenever valid keys are held; fresh ones
 * are asked for ahead of need, one fetch at a time, shared by every request that waits on it.
 */
export class CredentialSupply {
  private held: { credentials: HandedOutCredentials; firstSeenAt: number };
  /** Fetches since the held keys came, none of which gave other keys. */
  private tries = 0;
  private inflight?: Promise<void>;
  private timer?: TimerHandle;
  private lastError: unknown;
  private troubled = false;
  private closed = false;

  constructor(private readonly options: SupplyOptions) {
    this.held = { credentials: options.first, firstSeenAt: options.clock.now() };
    this.arm();
  }

  /** Valid keys now, without waiting while there are some; else the fetch's refusal. */
  async get(): Promise<HandedOutCredentials> {
    if (this.valid()) return this.held.credentials;
    await this.refresh();
    if (this.valid()) return this.held.credentials;
    throw this.lastError ?? failure('the engine gave no valid credentials');
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private valid(): boolean {
    return this.held.credentials.expiresAt > this.options.clock.now();
  }

  private refresh(): Promise<void> {
    this.inflight ??= this.options
      .fetch()
      .then(
        (credentials) => this.accept(credentials),
        (error: unknown) => this.failed(error),
      )
      .finally(() => {
        this.inflight = undefined;
        this.arm();
      });
    return this.inflight;
  }

  private accept(credentials: HandedOutCredentials): void {
    this.lastError = undefined;
    this.troubled = false;
    // Other keys are what the engine hands out now (the profile moved to another role, say).
    const { accessKeyId, expiresAt } = this.held.credentials;
    if (credentials.accessKeyId !== accessKeyId || credentials.expiresAt > expiresAt) {
      this.held = { credentials, firstSeenAt: this.options.clock.now() };
      this.tries = 0;
    } else this.tries++;
  }

  private failed(error: unknown): void {
    this.lastError = error;
    this.tries++;
    if (this.troubled || this.closed) return;
    this.troubled = true;
    const still = this.valid()
      ? `; handing out the credentials held until ${localTime(this.held.credentials.expiresAt, this.options.clock.now())}`
      : '';
    this.options.warn(`credentials server: ${messageOf(error)}${still}`);
  }

  /**
   * The engine hands out the same keys until less than its margin is left (hand-out.ts): the
   * first try is a minute before that margin, then one every few seconds until newer keys come,
   * so the keys served dip below the margin for seconds at most when Vault answers.
   */
  private arm(): void {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed) return;
    const now = this.options.clock.now();
    const { credentials, firstSeenAt } = this.held;
    // Expired keys are never served: the next request asks, and waits.
    if (credentials.expiresAt <= now) return;
    const margin = Math.min(HAND_OUT_MIN_MS, (credentials.expiresAt - firstSeenAt) / 2);
    const firstTry = credentials.expiresAt - margin - Math.min(60_000, margin / 4);
    const pause = Math.min(15_000, Math.max(1000, margin / 60));
    const at = this.tries === 0 ? firstTry : Math.max(firstTry, now + pause);
    this.timer = this.options.clock.setTimeout(
      () => {
        this.timer = undefined;
        void this.refresh();
      },
      Math.max(0, at - now),
    );
  }
}

function messageOf(error: unknown): string {
  const refusal = refusalOf(error);
  if (refusal) return stripControlChars(refusal.message);
  return stripControlChars(error instanceof Error ? error.message : String(error));
}

/** botocore prints the body in its error; the JS SDK does not, so `exec` warns on stderr too. */
function errorAnswer(error: unknown): [status: number, body: { code: string; message: string }] {
  const refusal = refusalOf(error);
  if (refusal?.code === 'sign_in_needed')
    return [503, { code: 'SignInNeeded', message: stripControlChars(refusal.message) }];
  if (refusal)
    return [503, { code: 'CredentialsUnavailable', message: stripControlChars(refusal.message) }];
  return [500, { code: 'InternalError', message: 'no credentials: see the exec command’s stderr' }];
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(JSON.stringify(body));
}

/** Equal-length digests, so the comparison takes as long whatever the header holds. */
function sameToken(given: string, token: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(token));
}

export interface CredentialsServer {
  /** What AWS_CONTAINER_CREDENTIALS_FULL_URI names. */
  url: string;
  /** What AWS_CONTAINER_AUTHORIZATION_TOKEN holds. */
  token: string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 at a port the system picks; SDKs take plain HTTP only on loopback. */
export async function startCredentialsServer(options: SupplyOptions): Promise<CredentialsServer> {
  const token = randomBytes(32).toString('base64url');
  const supply = new CredentialSupply(options);
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const given = req.headers.authorization;
    if (given === undefined)
      return send(res, 401, { code: 'Unauthorized', message: 'an Authorization header is needed' });
    if (!sameToken(given, token))
      return send(res, 403, { code: 'AccessDenied', message: 'this token is not accepted here' });
    if (req.method !== 'GET')
      return send(res, 405, { code: 'MethodNotAllowed', message: 'GET only' }, { Allow: 'GET' });
    if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== CREDENTIALS_PATH)
      return send(res, 404, { code: 'NotFound', message: `only ${CREDENTIALS_PATH} answers` });
    supply.get().then(
      (c) =>
        send(res, 200, {
          AccessKeyId: c.accessKeyId,
          SecretAccessKey: c.secretAccessKey,
          // The JS SDK refuses an answer without a string Token; an empty one signs nothing.
          Token: c.sessionToken ?? '',
          Expiration: utc(c.expiresAt),
        }),
      (error: unknown) => send(res, ...errorAnswer(error)),
    );
  };
  const server = createServer(handle);
  // A client that never finishes its request does not hold a socket for long.
  server.headersTimeout = 5000;
  server.requestTimeout = 10_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    supply.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${CREDENTIALS_PATH}`,
    token,
    async close() {
      supply.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // SDK clients keep their connections alive; they would hold close() open.
        server.closeAllConnections();
      });
    },
  };
}
