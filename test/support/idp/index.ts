export { CallbackListener, CALLBACK_PAGE, type CallbackRequest } from './callback-listener.js';
export { chromiumLogin, type ChromiumLoginOptions } from './chromium-login.js';
export { approveDevice } from './device-approval.js';
export {
  httpLogin,
  type LoginCredentials,
  type LoginOptions,
  type LoginResult,
} from './http-login.js';
export { CANCEL_DESCRIPTION, WRONG_CREDENTIALS_MESSAGE } from './interactions.js';
export {
  APP_REDIRECT_URIS,
  DEVICE_CODE_GRANT,
  IdentityProvider,
  VAULT_REDIRECT_URIS,
  type IdentityProviderOptions,
  type SignJwtOptions,
} from './provider.js';
export { DEFAULT_USERS, type IdpUser } from './users.js';
