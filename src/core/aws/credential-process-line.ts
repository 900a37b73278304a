/**
 * The `credential_process` value that runs this app's helper for a profile. botocore splits the
 * value itself without a shell; the JS, Go and Java SDKs run it through `sh -c` or `cmd.exe`
 * (aws-conventions.md §3). Only a value without quotes, variables, `~`, spaces or other special
 * characters means the same to all of them.
 */
import { profileNameProblem } from '../../shared/profile-name.js';
import { CredentialsFileError } from './errors.js';

/**
 * Absolute paths made of characters no reader treats specially. A backslash escapes on POSIX
 * (shlex, sh); cmd.exe reads a `/` in the command word as the start of a switch.
 */
const SAFE_PATH = {
  posix: /^\/[A-Za-z0-9/:._-]*$/,
  win32: /^[A-Za-z]:\\[A-Za-z0-9\\._-]*$/,
};
const ABSOLUTE = { posix: /^\//, win32: /^[A-Za-z]:[\\/]/ };
const EXAMPLE = { posix: '/usr/local/bin/vault-aws-tray', win32: 'C:\\Tools\\vault-aws-tray.cmd' };

/** `<executable> credential-process <profile>`, or a refusal saying what to change. */
export function credentialProcessLine(
  executable: string,
  profile: string,
  platform: NodeJS.Platform = process.platform,
): string {
  const style = platform === 'win32' ? 'win32' : 'posix';
  const shown = JSON.stringify(executable);
  if (!ABSOLUTE[style].test(executable)) {
    throw new CredentialsFileError(
      'unsafe-command',
      `The helper path ${shown} is not absolute: SDKs run credential_process from any folder and expand no ~ or variables, so it needs a full path such as ${EXAMPLE[style]}.`,
    );
  }
  if (!SAFE_PATH[style].test(executable)) {
    const separator = style === 'win32' ? '"\\"' : '"/"';
    throw new CredentialsFileError(
      'unsafe-command',
      `The helper path ${shown} cannot go into credential_process: only letters, digits, ".", "_", "-" and ${separator} mean the same to every SDK. Point to it from a path without spaces or other characters, e.g. a symlink at ${EXAMPLE[style]}.`,
    );
  }
  const problem = profileNameProblem(profile);
  if (problem !== undefined) throw new CredentialsFileError('invalid-profile-name', problem);
  // The allowed characters need no quoting anywhere, but a leading "-" would read as an option.
  if (profile.startsWith('-')) {
    throw new CredentialsFileError(
      'invalid-profile-name',
      `Profile name ${JSON.stringify(profile)} cannot be delivered by credential_process: the helper would read a name starting with "-" as an option.`,
    );
  }
  return `${executable} credential-process ${profile}`;
}
