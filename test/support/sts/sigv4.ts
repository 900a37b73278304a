/**
 * Server-side AWS Signature Version 4 verification with node:crypto only, in the order of
 * AWS's published SigV4 steps (docs/test-stack.md). The canonical request is rebuilt from what the client says it signed (its
 * SignedHeaders list) and from the bytes as they arrived; nothing is re-signed with a client library.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import {
  expiredToken,
  incompleteSignature,
  invalidClientTokenId,
  signatureDoesNotMatch,
} from './errors.js';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_SKEW_MS = 15 * 60_000;
const MAX_PRESIGNED_SECONDS = 604_800;

/** An HTTP request as it reached the server. */
export interface ReceivedRequest {
  method: string;
  /** The path exactly as received, still percent-encoded, without the query. */
  path: string;
  /** Query parameters, percent-decoded, in the order received. */
  query: Array<[string, string]>;
  /** Lower-case header name → every raw value received under that name, in order. */
  headers: Map<string, string[]>;
  body: Buffer;
}

/** What a request claims about its signature, from the Authorization header or the query. */
export interface RequestAuth {
  via: 'header' | 'query';
  accessKeyId: string;
  scopeDate: string;
  region: string;
  service: string;
  /** Exactly as sent: the canonical request uses this string, not a normalised copy. */
  signedHeaders: string;
  signature: string;
  /** ISO 8601 basic format, e.g. 20261128T093000Z. */
  amzDate: string;
  signedAt: number;
  /** The header the time came from (header auth only); it must be signed. */
  dateHeader?: 'x-amz-date' | 'date';
  expiresSeconds?: number;
  securityToken?: string;
}

/** The server's record of a key, as far as verification needs it. */
export interface SigningKeyRecord {
  secretAccessKey: string;
  sessionToken?: string;
  expiresAt?: number;
}

export const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

const hmac = (key: string | Buffer, data: string) =>
  createHmac('sha256', key).update(data).digest();

/** RFC 3986: everything but A-Z a-z 0-9 - _ . ~ is %XX-encoded (space is %20, never +). */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export function formatAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

export function parseAmzDate(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return formatAmzDate(ms) === text ? ms : undefined; // rejects 20261399T…, which Date.UTC would roll over
}

function header(req: ReceivedRequest, name: string): string | undefined {
  return req.headers.get(name)?.join(',');
}

function queryParam(req: ReceivedRequest, name: string): string | undefined {
  return req.query.find(([key]) => key === name)?.[1];
}

const badDate = (text: string) =>
  incompleteSignature(
    `Date must be in ISO-8601 'basic format'. Got '${text}'. See http://en.wikipedia.org/wiki/ISO_8601`,
  );

function parseCredential(
  credential: string,
  services: readonly string[],
): Pick<RequestAuth, 'accessKeyId' | 'scopeDate' | 'region' | 'service'> {
  const parts = credential.split('/');
  if (parts.length !== 5) {
    throw incompleteSignature(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  const [accessKeyId, scopeDate, region, service, terminator] = parts as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (terminator !== 'aws4_request') {
    throw signatureDoesNotMatch(
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `,
    );
  }
  if (!services.includes(service)) {
    throw signatureDoesNotMatch(
      `Credential should be scoped to correct service: '${services[0]}'. `,
    );
  }
  if (!/^[a-z0-9-]+$/.test(region)) {
    throw signatureDoesNotMatch(`Credential should be scoped to a valid region, not '${region}'. `);
  }
  return { accessKeyId, scopeDate, region, service };
}

function parseHeaderAuth(
  req: ReceivedRequest,
  authorization: string,
  services: readonly string[],
): RequestAuth {
  const space = authorization.indexOf(' ');
  const algorithm = space < 0 ? authorization : authorization.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw incompleteSignature(`Unsupported AWS 'algorithm': '${algorithm}'`);
  }
  const fields = new Map<string, string>();
  for (const part of authorization.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const amzDate = header(req, 'x-amz-date');
  const date = header(req, 'date');
  const problems = ['Credential', 'Signature', 'SignedHeaders']
    .filter((name) => !fields.get(name))
    .map((name) => `Authorization header requires '${name}' parameter.`);
  if (amzDate === undefined && date === undefined) {
    problems.push(
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  }
  if (problems.length > 0) {
    throw incompleteSignature(`${problems.join(' ')} Authorization=${authorization}`);
  }
  // X-Amz-Date wins over Date, as in every SDK signer.
  let signedAt = amzDate === undefined ? Date.parse(date!) : parseAmzDate(amzDate);
  if (signedAt === undefined || Number.isNaN(signedAt)) throw badDate(amzDate ?? date!);
  signedAt -= signedAt % 1000;
  return {
    via: 'header',
    ...parseCredential(fields.get('Credential')!, services),
    signedHeaders: fields.get('SignedHeaders')!,
    signature: fields.get('Signature')!,
    amzDate: amzDate ?? formatAmzDate(signedAt),
    signedAt,
    dateHeader: amzDate === undefined ? 'date' : 'x-amz-date',
    securityToken: header(req, 'x-amz-security-token'),
  };
}

// X-Amz-Expires is optional: aws4 leaves it out for non-S3 services, and STS applies its own
// 15-minute window anyway (see checkTime).
const QUERY_AUTH_PARAMS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Signature',
  'X-Amz-Date',
  'X-Amz-SignedHeaders',
];

function parseExpires(expires: string | undefined): number | undefined {
  if (expires === undefined) return undefined;
  if (!/^\d+$/.test(expires)) throw incompleteSignature('X-Amz-Expires should be a number');
  if (+expires > MAX_PRESIGNED_SECONDS) {
    throw incompleteSignature(
      `X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGNED_SECONDS}`,
    );
  }
  return +expires;
}

function parseQueryAuth(req: ReceivedRequest, services: readonly string[]): RequestAuth {
  const missing = QUERY_AUTH_PARAMS.filter((name) => !queryParam(req, name));
  if (missing.length > 0) {
    throw incompleteSignature(
      `AWS query-string parameters must include ${missing.map((n) => `'${n}'`).join(', ')}. Re-examine the query-string parameters.`,
    );
  }
  const algorithm = queryParam(req, 'X-Amz-Algorithm')!;
  if (algorithm !== ALGORITHM) {
    throw incompleteSignature(`Unsupported AWS 'algorithm': '${algorithm}'`);
  }
  const expiresSeconds = parseExpires(queryParam(req, 'X-Amz-Expires'));
  const amzDate = queryParam(req, 'X-Amz-Date')!;
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined) throw badDate(amzDate);
  return {
    via: 'query',
    ...parseCredential(queryParam(req, 'X-Amz-Credential')!, services),
    signedHeaders: queryParam(req, 'X-Amz-SignedHeaders')!,
    signature: queryParam(req, 'X-Amz-Signature')!,
    amzDate,
    signedAt,
    expiresSeconds,
    securityToken: queryParam(req, 'X-Amz-Security-Token'),
  };
}

/**
 * Step 1: what the request claims. Undefined when it carries no authentication at all.
 * `services` lists the signing names this endpoint answers; the first is named in errors.
 */
export function parseAuth(
  req: ReceivedRequest,
  services: readonly string[],
): RequestAuth | undefined {
  const authorization = header(req, 'authorization');
  if (authorization !== undefined) return parseHeaderAuth(req, authorization, services);
  const presigned = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature'].some(
    (name) => queryParam(req, name) !== undefined,
  );
  return presigned ? parseQueryAuth(req, services) : undefined;
}

/** The path normalised (no empty or dot segments) and each segment encoded again, as non-S3 signers do. */
function canonicalUri(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '..') segments.pop();
    else if (segment !== '' && segment !== '.') segments.push(segment);
  }
  const trailingSlash = rawPath.endsWith('/') && segments.length > 0 ? '/' : '';
  return `/${segments.map(uriEncode).join('/')}${trailingSlash}`;
}

function canonicalQuery(req: ReceivedRequest, auth: RequestAuth): string {
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return req.query
    .filter(([key]) => !(auth.via === 'query' && key === 'X-Amz-Signature'))
    .map(([key, value]) => [uriEncode(key), uriEncode(value)] as const)
    .sort(([ak, av], [bk, bv]) => compare(ak, bk) || compare(av, bv))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

export function canonicalRequest(req: ReceivedRequest, auth: RequestAuth): string {
  const headers = auth.signedHeaders
    .split(';')
    .map((name) => {
      const values = (req.headers.get(name) ?? []).map((v) => v.trim().replace(/\s+/g, ' '));
      return `${name}:${values.join(',')}\n`;
    })
    .join('');
  // The body is always hashed as received: an X-Amz-Content-Sha256 that differs from it (or
  // UNSIGNED-PAYLOAD) was signed by the client and so no longer matches.
  return [
    req.method,
    canonicalUri(req.path),
    canonicalQuery(req, auth),
    headers,
    auth.signedHeaders,
    sha256Hex(req.body),
  ].join('\n');
}

export function credentialScope(auth: RequestAuth): string {
  return `${auth.scopeDate}/${auth.region}/${auth.service}/aws4_request`;
}

export function stringToSign(auth: RequestAuth, canonical: string): string {
  return [ALGORITHM, auth.amzDate, credentialScope(auth), sha256Hex(canonical)].join('\n');
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

function minutes(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min.` : `${ms / 1000} sec.`;
}

/** Steps 3 and 3b: scope date, clock skew, and a presigned URL's own lifetime. */
function checkTime(auth: RequestAuth, now: number): void {
  const requestDay = auth.amzDate.slice(0, 8);
  if (requestDay !== auth.scopeDate) {
    throw signatureDoesNotMatch(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.scopeDate}' != '${requestDay}', from '${auth.amzDate}'.`,
    );
  }
  const at = (ms: number) => formatAmzDate(ms - (ms % 1000));
  if (auth.signedAt > now + MAX_SKEW_MS) {
    throw signatureDoesNotMatch(
      `Signature not yet current: ${auth.amzDate} is still later than ${at(now + MAX_SKEW_MS)} (${at(now)} + 15 min.)`,
    );
  }
  // STS keeps its 15-minute window for presigned URLs too (a longer X-Amz-Expires does not extend
  // it, aws/aws-sdk-go#2167); a shorter one is honoured.
  const window =
    auth.expiresSeconds === undefined
      ? MAX_SKEW_MS
      : Math.min(auth.expiresSeconds * 1000, MAX_SKEW_MS);
  if (auth.signedAt < now - window) {
    throw signatureDoesNotMatch(
      `Signature expired: ${auth.amzDate} is now earlier than ${at(now - window)} (${at(now)} - ${minutes(window)})`,
    );
  }
}

/** Step 4: SignedHeaders lower-case, sorted, unique, with host and the date header. */
function checkSignedHeaders(auth: RequestAuth): void {
  const names = auth.signedHeaders.split(';');
  if (!names.includes('host')) {
    throw incompleteSignature(
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
  }
  if (auth.dateHeader && !names.includes(auth.dateHeader)) {
    const shown = auth.dateHeader === 'date' ? 'Date' : 'X-Amz-Date';
    throw incompleteSignature(`'${shown}' must be a 'SignedHeader' in the AWS Authorization.`);
  }
  const normal = [...new Set(names.map((n) => n.toLowerCase()))].sort().join(';');
  if (normal !== auth.signedHeaders) throw signatureDoesNotMatch();
}

/** The hex signature the client should have sent, given the secret. */
export function expectedSignature(req: ReceivedRequest, auth: RequestAuth, secret: string): string {
  const key = signingKey(secret, auth.scopeDate, auth.region, auth.service);
  return createHmac('sha256', key)
    .update(stringToSign(auth, canonicalRequest(req, auth)))
    .digest('hex');
}

/**
 * Steps 2–7 for a parsed request: `key` is the server's record for auth.accessKeyId (undefined if
 * unknown). Throws the AwsError AWS would answer with; returns the key when the signature holds.
 */
export function verifyRequest<K extends SigningKeyRecord>(
  req: ReceivedRequest,
  auth: RequestAuth,
  key: K | undefined,
  now: number,
): K {
  // A temporary key needs its own token; a long-term key must come without one.
  if (!key || key.sessionToken !== auth.securityToken) throw invalidClientTokenId();
  if (key.expiresAt !== undefined && now >= key.expiresAt) throw expiredToken();
  checkTime(auth, now);
  checkSignedHeaders(auth);
  const expected = Buffer.from(expectedSignature(req, auth, key.secretAccessKey));
  const given = Buffer.from(auth.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw signatureDoesNotMatch();
  }
  return key;
}
