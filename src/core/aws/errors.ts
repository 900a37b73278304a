import type { StrictRule, StrictViolation } from './strict-validate.js';
import { errorCode } from './writer-fs.js';

export type CredentialsFileErrorKind =
  /** The name breaks the profile-name rule (src/shared/profile-name.ts). */
  | 'invalid-profile-name'
  /** A value the files cannot hold as one plain `key = value`, or a profile twice in one batch. */
  | 'invalid-input'
  /** The file breaks botocore's strict rules; it was left exactly as it was. */
  | 'broken-file'
  /** The helper's path cannot go unquoted into a `credential_process` command. */
  | 'unsafe-command'
  /** The profile has sections the app does not manage; only an explicit adoption takes them. */
  | 'not-ours'
  /** The edit would change how botocore reads an unmanaged section that follows. */
  | 'unsupported-layout'
  /** Another writer held the lock for longer than the wait. */
  | 'locked'
  /** Another program kept changing the file while the app tried to write it. */
  | 'file-changing'
  /**
   * The file is read-only or belongs to another user, or (in place) cannot be made 0600; the app
   * will not replace it, and left it as it was.
   */
  | 'not-writable'
  /** The file is larger than the app reads (file-access.ts); it was not read. */
  | 'too-large'
  /** The file system refused (permissions, disk full, ...). */
  | 'io';

/** A refusal or failure a CLI can print in one line; messages never contain key material. */
export class CredentialsFileError extends Error {
  override readonly name = 'CredentialsFileError';
  readonly kind: CredentialsFileErrorKind;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly rule: StrictRule | undefined;

  constructor(
    kind: CredentialsFileErrorKind,
    message: string,
    details: { file?: string; line?: number; rule?: StrictRule; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.file = details.file;
    this.line = details.line;
    this.rule = details.rule;
  }
}

export function brokenFileError(file: string, violation: StrictViolation): CredentialsFileError {
  return new CredentialsFileError(
    'broken-file',
    `${file}:${violation.line}: ${violation.detail} [${violation.rule}]; botocore cannot read this file, so the app left it unchanged`,
    { file, line: violation.line, rule: violation.rule },
  );
}

/** A file-system failure as an `io` error naming the file; a refusal passes through as it is. */
export function ioError(file: string, error: unknown): CredentialsFileError {
  if (error instanceof CredentialsFileError) return error;
  const reason = errorCode(error) ?? (error instanceof Error ? error.message : String(error));
  return new CredentialsFileError('io', `${file}: ${reason}`, { file, cause: error });
}
