export {
  AwsEmulator,
  type AwsEmulatorOptions,
  type AwsFault,
  type AwsKeyKind,
  type AwsKeys,
  type AwsRequestRecord,
} from './emulator.js';
