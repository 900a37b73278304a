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

/** Vault's error strings without the go-multierror decoration ("1 error occurred:\n\t* ..."). */
export function plainVaultErrors(errors: string[]): string[] {
  return errors.flatMap((text) => {
    const bullets = [...text.matchAll(/^\t\* (.*)$/gm)].map((m) => m[1]!);
    return bullets.length > 0 ? bullets : [text.trim()];
  });
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
