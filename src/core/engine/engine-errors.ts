import { ConsoleSignInError } from '../aws/console-sign-in.js';
import { CredentialsFileError } from '../aws/errors.js';
import { BindingError } from '../vault/aws-credentials.js';
import { VaultError } from '../vault/errors.js';
import { SignInError } from '../vault/sign-in-error.js';
import { ConnectionError } from '../vault/connection.js';
import { SettingsError } from '../../shared/settings.js';
import { PRODUCT_NAME } from '../../shared/app.js';
import { EngineError } from './engine-protocol.js';
import type { EngineErrorCode } from './engine-protocol.js';
import { SignInRefusedError } from './session-keeper.js';

export { EngineError } from './engine-protocol.js';
export type { EngineErrorCode } from './engine-protocol.js';

/** Nothing can be read from Vault until the user signs in (CLI exit code 3). */
export class SignInNeededError extends EngineError {
  override readonly name = 'SignInNeededError';

  constructor(message = `Vault needs a new sign-in: run \`${PRODUCT_NAME} login\``) {
    super('sign_in_needed', message);
  }
}

export const notFound = (name: string) =>
  new EngineError('not_found', `no managed profile named ${name}`);
export const badRequest = (message: string) => new EngineError('bad_request', message);
export const failure = (message: string) => new EngineError('failure', message);

/** The code and message of an error the engine means; undefined for a bug (kept as it is). */
export function refusalOf(error: unknown): { code: EngineErrorCode; message: string } | undefined {
  if (error instanceof EngineError) return { code: error.code, message: error.message };
  if (error instanceof VaultError) {
    if (error.kind === 'invalid_token')
      return {
        code: 'sign_in_needed',
        message: `${error.message} (run \`${PRODUCT_NAME} login\`)`,
      };
    return { code: 'failure', message: error.message };
  }
  if (error instanceof ConnectionError) return { code: 'bad_request', message: error.message };
  if (error instanceof BindingError) return { code: 'bad_request', message: error.message };
  if (
    error instanceof CredentialsFileError ||
    error instanceof ConsoleSignInError ||
    error instanceof SettingsError ||
    error instanceof SignInRefusedError ||
    error instanceof SignInError
  )
    return { code: 'failure', message: error.message };
  return undefined;
}
