/**
 * AWS's console federation endpoint, as the IAM User Guide describes it ("Enable custom identity
 * broker access to the AWS console"): `getSigninToken` trades temporary keys for a sign-in token,
 * `login` trades the token for a console session, and `/console` stands in for the console. It
 * runs on the STS emulator's server and checks keys against the emulator's record of them. What
 * AWS answers, and where that is said, is in docs/test-stack.md.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../../src/core/ports.js';
import type { AwsKeyKind, AwsRequestRecord } from './emulator.js';
import { escapeXml as escapeHtml } from './xml.js';

export const FEDERATION_PATH = '/federation';
export const CONSOLE_PATH = '/console';
/** The cookie that holds a console session, set by `login` and read by `/console`. */
export const CONSOLE_COOKIE = 'aws-emulator-console';
/** "The URL is valid for 15 minutes from the time it is created." */
export const SIGNIN_TOKEN_TTL_MS = 15 * 60 * 1000;
const MIN_SESSION_DURATION = 900;
const MAX_SESSION_DURATION = 43200;

/** What the endpoint needs to know of an issued key (the emulator's own record). */
export interface FederationKey {
  kind: AwsKeyKind;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiresAt?: number;
  arn: string;
  accountId: string;
  /** An assumed role whose AssumeRole call was signed with temporary keys (role chaining). */
  chained?: boolean;
}

export interface FederationHost {
  clock: Clock;
  findKey(accessKeyId: string): FederationKey | undefined;
  record(entry: AwsRequestRecord): void;
}

interface SigninToken {
  key: FederationKey;
  issuedAt: number;
  sessionDurationSeconds?: number;
  used: boolean;
}

interface ConsoleSession {
  key: FederationKey;
  destination: string;
  region?: string;
  issuer?: string;
  expiresAt: number;
}

interface Reply {
  status: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
  /** Our label for a refusal, for `requests`; AWS sends no code. */
  code?: string;
}

const html = (status: number, body: string, code?: string): Reply => ({
  status,
  contentType: 'text/html;charset=utf-8',
  body,
  code,
});

/** The status page AWS shows (AWS Knowledge Center, "invalid-credentials-parameter"). */
function statusPage(code: string, message = 'Invalid credentials parameter'): Reply {
  const title = `HTTP Status 400 - ${escapeHtml(message)}`;
  return html(
    400,
    `<!DOCTYPE html><html><head><title>${title}</title></head><body><h1>${title}</h1><hr>` +
      `<p><b>type</b> Status report</p><p><b>message</b> <u>${escapeHtml(message)}</u></p>` +
      '<p><b>description</b> <u>The request sent by the client was syntactically incorrect.</u></p>' +
      '<hr></body></html>',
    code,
  );
}

function signinPage(status: number, code: string, text: string, issuer?: string): Reply {
  const back =
    issuer && /^https?:\/\//.test(issuer)
      ? `<p><a id="issuer" href="${escapeHtml(issuer)}">Sign in again</a></p>`
      : '';
  return html(
    status,
    '<!DOCTYPE html><html><head><title>Amazon Web Services Sign-In</title></head><body>' +
      `<h1>Amazon Web Services Sign-In</h1><p id="error">${escapeHtml(text)}</p>${back}</body></html>`,
    code,
  );
}

const INVALID_TOKEN = 'The sign-in token is invalid or has expired.';
// AWS's words for GetSessionToken keys (99designs/aws-vault issue 1191).
const NOT_FEDERATION_OR_ROLE =
  'Only federation tokens or assume role tokens may be used for federated login. Please contact your administrator.';

/** `region=` of a console URL, else the `<region>.console.…` host prefix. */
function regionOf(destination: URL): string | undefined {
  const fromQuery = destination.searchParams.get('region');
  if (fromQuery) return fromQuery;
  return /^([a-z]{2}(?:-[a-z]+)+-\d+)\.console\./.exec(destination.hostname)?.[1];
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

type SessionJson = { sessionId: string; sessionKey: string; sessionToken?: string };

/** The `Session` parameter, or undefined when it is not the JSON object AWS documents. */
function parseSession(raw: string | null): SessionJson | undefined {
  if (raw === null) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { sessionId, sessionKey, sessionToken } = value as Record<string, unknown>;
  if (typeof sessionId !== 'string' || typeof sessionKey !== 'string') return undefined;
  if (sessionToken !== undefined && typeof sessionToken !== 'string') return undefined;
  return { sessionId, sessionKey, sessionToken };
}

export class ConsoleFederation {
  private readonly tokens = new Map<string, SigninToken>();
  private readonly sessions = new Map<string, ConsoleSession>();

  constructor(private readonly host: FederationHost) {}

  /** Whether a request for this URL (path and query) is the federation endpoint's. */
  handles(url: string | undefined): boolean {
    const path = (url ?? '/').split('?')[0];
    return path === FEDERATION_PATH || path === CONSOLE_PATH;
  }

  respond(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const now = this.host.clock.now();
    const url = new URL(req.url ?? '/', 'http://emulator');
    const params = new URLSearchParams(url.search);
    const contentType = req.headers['content-type'] ?? '';
    if (req.method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded')) {
      for (const [name, value] of new URLSearchParams(body.toString('utf8'))) {
        params.set(name, value);
      }
    }
    const record: AwsRequestRecord = { at: now, service: 'signin', status: 0 };
    let reply: Reply;
    if (req.method !== 'GET' && req.method !== 'POST') {
      reply = { ...html(405, ''), headers: { Allow: 'GET, POST' }, code: 'MethodNotAllowed' };
    } else if (url.pathname === CONSOLE_PATH) {
      record.action = 'console';
      reply = this.console(req, now, record);
    } else {
      const action = params.get('Action') ?? undefined;
      record.action = action;
      if (action === 'getSigninToken') reply = this.getSigninToken(params, now, record);
      else if (action === 'login') reply = this.login(params, now, record);
      else reply = statusPage('InvalidAction', 'Invalid Action parameter');
    }
    record.status = reply.status;
    if (reply.code) record.errorCode = reply.code;
    this.host.record(record);
    res.writeHead(reply.status, {
      'Content-Type': reply.contentType,
      'Content-Length': Buffer.byteLength(reply.body),
      'Cache-Control': 'no-store',
      Date: new Date(now).toUTCString(),
      ...reply.headers,
    });
    res.end(reply.body);
  }

  private getSigninToken(params: URLSearchParams, now: number, record: AwsRequestRecord): Reply {
    const session = parseSession(params.get('Session'));
    if (!session) return statusPage('MalformedSession');
    record.accessKeyId = session.sessionId;
    const key = this.host.findKey(session.sessionId);
    if (!key) return statusPage('UnknownKey');
    if (key.kind === 'user') return statusPage('LongTermKey');
    if (key.secretAccessKey !== session.sessionKey || key.sessionToken !== session.sessionToken) {
      return statusPage('KeyMismatch');
    }
    if (key.expiresAt !== undefined && now >= key.expiresAt) return statusPage('ExpiredKey');
    const rawDuration = params.get('SessionDuration');
    let sessionDurationSeconds: number | undefined;
    if (rawDuration !== null) {
      sessionDurationSeconds = Number(rawDuration);
      if (
        !/^\d+$/.test(rawDuration) ||
        sessionDurationSeconds < MIN_SESSION_DURATION ||
        sessionDurationSeconds > MAX_SESSION_DURATION
      ) {
        return statusPage('InvalidSessionDuration');
      }
      // Only for roles assumed with long-term keys (IAM User Guide; AWS Knowledge Center).
      if (key.kind !== 'assumed-role' || key.chained)
        return statusPage('SessionDurationNotAllowed');
    }
    const token = randomBytes(240).toString('base64url');
    this.tokens.set(token, { key, issuedAt: now, sessionDurationSeconds, used: false });
    return {
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ SigninToken: token }),
    };
  }

  private login(params: URLSearchParams, now: number, record: AwsRequestRecord): Reply {
    const issuer = params.get('Issuer') ?? undefined;
    const token = this.tokens.get(params.get('SigninToken') ?? '');
    if (!token) return signinPage(400, 'UnknownSigninToken', INVALID_TOKEN, issuer);
    record.accessKeyId = token.key.accessKeyId;
    if (token.used) return signinPage(400, 'UsedSigninToken', INVALID_TOKEN, issuer);
    if (now - token.issuedAt >= SIGNIN_TOKEN_TTL_MS) {
      return signinPage(400, 'ExpiredSigninToken', INVALID_TOKEN, issuer);
    }
    let destination: URL;
    try {
      destination = new URL(params.get('Destination') ?? '');
      if (destination.protocol !== 'https:' && destination.protocol !== 'http:') throw new Error();
    } catch {
      return signinPage(400, 'InvalidDestination', 'The Destination parameter is not a URL.');
    }
    token.used = true;
    if (token.key.kind === 'session') {
      return signinPage(400, 'NotFederationOrRoleKey', NOT_FEDERATION_OR_ROLE, issuer);
    }
    const expiresAt =
      token.sessionDurationSeconds !== undefined
        ? now + token.sessionDurationSeconds * 1000
        : (token.key.expiresAt ?? now + 3600 * 1000);
    const id = randomBytes(24).toString('base64url');
    this.sessions.set(id, {
      key: token.key,
      destination: destination.href,
      region: regionOf(destination),
      issuer,
      expiresAt,
    });
    return {
      ...html(302, ''),
      headers: {
        Location: CONSOLE_PATH,
        'Set-Cookie': `${CONSOLE_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax`,
      },
    };
  }

  private console(req: IncomingMessage, now: number, record: AwsRequestRecord): Reply {
    const session = this.sessions.get(cookieValue(req, CONSOLE_COOKIE) ?? '');
    if (!session) return signinPage(401, 'NotSignedIn', 'You are not signed in.');
    record.accessKeyId = session.key.accessKeyId;
    if (now >= session.expiresAt) {
      return signinPage(401, 'ConsoleSessionExpired', 'Your session has expired.', session.issuer);
    }
    const row = (id: string, label: string, value: string | undefined) =>
      value === undefined ? '' : `<dt>${label}</dt><dd id="${id}">${escapeHtml(value)}</dd>`;
    return html(
      200,
      '<!DOCTYPE html><html><head><title>AWS Management Console</title></head><body>' +
        '<h1>AWS Management Console</h1><dl>' +
        row('arn', 'Signed in as', session.key.arn) +
        row('account', 'Account', session.key.accountId) +
        row('destination', 'Destination', session.destination) +
        row('region', 'Region', session.region) +
        row('issuer', 'Issuer', session.issuer) +
        row('expires', 'Session ends', isoSeconds(session.expiresAt)) +
        '</dl></body></html>',
    );
  }
}
