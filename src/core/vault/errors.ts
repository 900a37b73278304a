import { stripControlChars } from '../../shared/strip-control.js';

/**
 * Errors from talking to Vault, sorted into kinds a user can act on. The message is one line for a
 * person (what happened, and where); it never carries a token, a key or a request body.
 */
export type VaultErrorKind =
  | 'permission_denied'
  | 'invalid_token'
  | 'not_found'
  | 'bad_request'
  | 'sealed'
  | 'standby'
  | 'unavailable'
  | 'rate_limited'
  | 'server_error'
  | 'network'
  | 'tls'
  | 'timeout'
  | 'malformed_response';

export class VaultError extends Error {
  override readonly name = 'VaultError';

  constructor(
    readonly kind: VaultErrorKind,
    message: string,
    readonly details: {
      /** The request path (after /v1/), never its query or body. */
      path?: string;
      status?: number;
      /** Vault's own error strings, as it sent them. */
      vaultErrors?: string[];
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: details.cause });
  }
}

/**
 * Vault's error strings without the go-multierror decoration ("1 error occurred:\n\t* ..."), and
 * without control characters: they are quoted in messages a terminal prints.
 */
export function plainVaultErrors(errors: string[]): string[] {
  return errors
    .flatMap((text) => {
      const bullets = [...text.matchAll(/^\t\* (.*)$/gm)].map((m) => m[1]!);
      return bullets.length > 0 ? bullets : [text];
    })
    .map(stripControlChars)
    .filter(Boolean);
}

/** Sorts an HTTP error answer from Vault into a kind; the 403 strings are matched by substring. */
export function errorFromResponse(
  status: number,
  errors: string[],
  path: string,
  address: string,
): VaultError {
  const plain = plainVaultErrors(errors);
  const said = plain.join('; ');
  const details = { path, status, vaultErrors: errors };
  const where = `Vault at ${address}`;
  switch (true) {
    case status === 403 && plain.some((e) => e.includes('invalid token')):
      return new VaultError(
        'invalid_token',
        `${where} no longer accepts this token (expired or revoked); sign in again`,
        details,
      );
    case status === 403:
      return new VaultError(
        'permission_denied',
        `${where} denied access to ${path}: your policies do not allow it`,
        details,
      );
    case status === 404:
      return new VaultError(
        'not_found',
        `${where} has nothing at ${path}${said ? ` (${said})` : ''}`,
        details,
      );
    case status === 400 || status === 405:
      return new VaultError(
        'bad_request',
        `${where} refused the request to ${path}: ${said || `HTTP ${status}`}`,
        details,
      );
    case status === 412:
      return new VaultError(
        'unavailable',
        `${where} is not consistent yet (HTTP 412); try again in a moment`,
        details,
      );
    case status === 429:
      return new VaultError(
        'rate_limited',
        `${where} is rate limiting requests (${said || 'HTTP 429'})`,
        details,
      );
    case status === 502 && said.includes('upstream rate limited'):
      return new VaultError(
        'rate_limited',
        `AWS is throttling ${where}; try again in a minute`,
        details,
      );
    case status === 503 && said.includes('sealed'):
      return new VaultError('sealed', `${where} is sealed; an operator must unseal it`, details);
    case status === 503 && said.includes('not active'):
      return new VaultError(
        'standby',
        `${where} is a standby node and knows no active node`,
        details,
      );
    case status === 503:
      return new VaultError(
        'unavailable',
        `${where} is unavailable (${said || 'HTTP 503'})`,
        details,
      );
    default:
      return new VaultError(
        'server_error',
        `${where} failed with HTTP ${status}${said ? `: ${said}` : ''}`,
        details,
      );
  }
}

/** A reply from something that is not Vault: a web server, a portal, the wrong port. */
export function notVaultError(address: string, path: string, status: number): VaultError {
  return new VaultError(
    'malformed_response',
    `the server at ${address} does not answer like Vault (HTTP ${status} for ${path}); check the URL`,
    { path, status },
  );
}

/**
 * Whether a reply has Vault's shape: errors are JSON with an `errors` list, and answers carry a
 * `request_id`. An empty body proves nothing either way; a 2xx with a JSON content type that does
 * not parse is Vault's reply cut short, not another server.
 */
export function looksLikeVault(reply: {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  data: string;
}): boolean {
  if (reply.data.trim() === '') return true;
  let json: unknown;
  try {
    json = JSON.parse(reply.data);
  } catch {
    return reply.status < 400 && /json/i.test(String(reply.headers['content-type'] ?? ''));
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return false;
  return reply.status >= 400
    ? Array.isArray((json as { errors?: unknown }).errors)
    : 'request_id' in json;
}

const CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);
// What OpenSSL (Node) and BoringSSL (Electron) say when the other end answers TLS in plain HTTP.
const PLAIN_HTTP_REPLY =
  /wrong[ _]version[ _]number|packet[ _]length[ _]too[ _]long|http[ _]request/i;

/** A failure to exchange a request with Vault (no HTTP answer), sorted into a kind. */
export function errorFromTransport(raw: unknown, address: string, path: string): VaultError {
  const code = (raw as { code?: string }).code ?? '';
  const causeCode = (raw as { cause?: { code?: string } }).cause?.code ?? '';
  const said = stripControlChars(String((raw as Error).message ?? raw));
  // Keep only the words: nothing of the request (its token) travels with the error.
  const cause = new Error(`${code || causeCode || 'ERROR'}: ${said}`);
  const where = `Vault at ${address}`;
  const tls = (message: string) => new VaultError('tls', message, { path, cause });
  if (code === 'ETIMEDOUT') {
    return new VaultError('timeout', `${where} did not answer ${path} in time`, { path, cause });
  }
  const handshake = code === 'EPROTO' || code.startsWith('ERR_SSL_');
  if (handshake && (PLAIN_HTTP_REPLY.test(said) || PLAIN_HTTP_REPLY.test(code))) {
    return tls(`${where} does not speak TLS: try ${address.replace(/^https:/i, 'http:')}`);
  }
  const certificate = [code, causeCode].find((c) => CERTIFICATE_CODES.has(c));
  if (certificate) {
    const reason =
      certificate === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? 'its certificate is for another name'
        : `its certificate is not trusted (${certificate})`;
    return tls(
      `cannot verify ${where}: ${reason}; set the CA file (VAULT_CACERT) or the server name`,
    );
  }
  if (handshake) {
    // OpenSSL's words are "...:SSL routines:<function>:<reason>:<file>:<line>:".
    const reason = /SSL routines:[^:]*:([^:]+)/.exec(said)?.[1] ?? said;
    return tls(`the TLS handshake with ${where} failed (${reason})`);
  }
  if (NETWORK_CODES.has(code) || NETWORK_CODES.has(causeCode)) {
    return new VaultError('network', `cannot reach ${where} (${code || causeCode})`, {
      path,
      cause,
    });
  }
  return new VaultError('network', `cannot talk to ${where}: ${cause.message}`, { path, cause });
}
