import { PROFILE_NAME_MAX } from './fields.js';

/**
 * The AWS profile-name rule, the one used everywhere: the window's forms, the settings, the
 * engine's socket and the file writer. `[A-Za-z0-9_.-]+` is the set every SDK reads the same way
 * in both `[name]` and `[profile name]` headers (docs/credentials-file.md).
 */
const PROFILE_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * Names that pass the character rule but still break a reader: botocore's parser treats a
 * `[DEFAULT]` section as defaults for every profile, and the JS SDK throws on `__proto__`.
 */
const RESERVED: ReadonlyMap<string, string> = new Map([
  [
    'DEFAULT',
    'Python (botocore, the AWS CLI) reads a [DEFAULT] section as defaults for every profile',
  ],
  ['__proto__', 'the AWS SDK for JavaScript refuses a profile with this name'],
]);

/** Why `name` cannot be an AWS profile name, in one sentence; `undefined` when it can. */
export function profileNameProblem(name: string): string | undefined {
  if (name === '') return 'A profile name cannot be empty.';
  if (name.length > PROFILE_NAME_MAX)
    return `A profile name is at most ${PROFILE_NAME_MAX} characters (this one has ${name.length}).`;
  if (!PROFILE_NAME.test(name)) {
    return `Profile name ${JSON.stringify(name)} may only contain letters, digits, ".", "_" and "-".`;
  }
  const reserved = RESERVED.get(name);
  if (reserved !== undefined)
    return `Profile name ${JSON.stringify(name)} is reserved: ${reserved}.`;
  return undefined;
}
