export {
  AwsEmulator,
  type AwsEmulatorOptions,
  type AwsFault,
  type AwsKeyKind,
  type AwsKeys,
  type AwsRequestRecord,
} from './emulator.js';
export {
  CONSOLE_COOKIE,
  CONSOLE_PATH,
  FEDERATION_PATH,
  SIGNIN_TOKEN_TTL_MS,
} from './federation.js';
