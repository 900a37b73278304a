export type SignInErrorKind =
  | 'redirect_not_allowed'
  | 'unknown_role'
  | 'unknown_mount'
  | 'not_configured'
  | 'listener'
  | 'idp'
  | 'callback'
  | 'mfa'
  | 'timeout'
  | 'cancelled'
  | 'no_token';

/** A sign-in that did not end with a token; the message says what to do about it. */
export class SignInError extends Error {
  override readonly name = 'SignInError';

  constructor(
    readonly kind: SignInErrorKind,
    message: string,
  ) {
    super(message);
  }
}
