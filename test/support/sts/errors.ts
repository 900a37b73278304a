/** An error AWS would send back: its code, message, HTTP status and fault side. */
export class AwsError extends Error {
  readonly type: 'Sender' | 'Receiver';

  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.type = status >= 500 ? 'Receiver' : 'Sender';
  }
}

export const SIGNATURE_MISMATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

export const signatureDoesNotMatch = (message = SIGNATURE_MISMATCH_MESSAGE) =>
  new AwsError('SignatureDoesNotMatch', message, 403);

export const incompleteSignature = (message: string) =>
  new AwsError('IncompleteSignature', message, 400);

export const invalidClientTokenId = () =>
  new AwsError(
    'InvalidClientTokenId',
    'The security token included in the request is invalid.',
    403,
  );

export const expiredToken = () =>
  new AwsError('ExpiredToken', 'The security token included in the request is expired', 400);

export const missingAuthenticationToken = () =>
  new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);

export const accessDenied = (message: string) => new AwsError('AccessDenied', message, 403);

export const validationError = (message: string) => new AwsError('ValidationError', message, 400);

/** AWS's wording for failed model constraints: "1 validation error detected: Value ... ; ...". */
export const constraintViolations = (problems: string[]) =>
  validationError(
    `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected: ${problems.join('; ')}`,
  );

export const noSuchEntity = (message: string) => new AwsError('NoSuchEntity', message, 404);
