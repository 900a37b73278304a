/**
 * The AWS profile-name rule, shared by the renderer (form validation) and the core (file writer).
 * `[A-Za-z0-9_.-]+` is the set every SDK reads the same way in both `[name]` and `[profile name]`
 * headers (aws-conventions.md §1.2).
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
  if (!PROFILE_NAME.test(name)) {
    return `Profile name ${JSON.stringify(name)} may only contain letters, digits, ".", "_" and "-".`;
  }
  const reserved = RESERVED.get(name);
  if (reserved !== undefined)
    return `Profile name ${JSON.stringify(name)} is reserved: ${reserved}.`;
  return undefined;
}
