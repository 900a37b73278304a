/**
 * The `credential_process` value that runs this app's helper for a profile. botocore splits the
 * value itself without a shell; the JS, Go and Java SDKs run it through `sh -c` or `cmd.exe`
 * (docs/credentials-file.md). Only a value without quotes, variables, `~`, spaces or other special
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
const FOLDER_EXAMPLE = {
  posix: '/home/me/.config/vault-aws-tray-work',
  win32: 'C:\\Tools\\vat-work',
};

/** Refuses a path that SDKs would not read back as it is, saying what to change. */
function checkPath(path: string, style: 'posix' | 'win32', what: 'helper' | 'folder'): void {
  const shown = JSON.stringify(path);
  const example = what === 'helper' ? EXAMPLE[style] : FOLDER_EXAMPLE[style];
  const name = what === 'helper' ? 'helper path' : 'settings folder';
  if (!ABSOLUTE[style].test(path)) {
    throw new CredentialsFileError(
      'unsafe-command',
      `The ${name} ${shown} is not absolute: SDKs run credential_process from any folder and expand no ~ or variables, so it needs a full path such as ${example}.`,
    );
  }
  if (!SAFE_PATH[style].test(path)) {
    const separator = style === 'win32' ? '"\\"' : '"/"';
    throw new CredentialsFileError(
      'unsafe-command',
      `The ${name} ${shown} cannot go into credential_process: only letters, digits, ".", "_", "-" and ${separator} mean the same to every SDK. Use a path without spaces or other characters, e.g. a symlink at ${example}.`,
    );
  }
}

/**
 * `<executable> [--config-dir DIR] credential-process <profile>`, or a refusal saying what to
 * change. `configDir` is named whenever it is not the default folder: an SDK started from an IDE
 * sees no VAULT_AWS_TRAY_CONFIG_DIR, and would ask another folder's engine.
 */
export function credentialProcessLine(
  executable: string,
  profile: string,
  platform: NodeJS.Platform = process.platform,
  configDir?: string,
): string {
  const style = platform === 'win32' ? 'win32' : 'posix';
  checkPath(executable, style, 'helper');
  if (configDir !== undefined) checkPath(configDir, style, 'folder');
  const problem = profileNameProblem(profile);
  if (problem !== undefined) throw new CredentialsFileError('invalid-profile-name', problem);
  // The allowed characters need no quoting anywhere, but a leading "-" would read as an option.
  if (profile.startsWith('-')) {
    throw new CredentialsFileError(
      'invalid-profile-name',
      `Profile name ${JSON.stringify(profile)} cannot be delivered by credential_process: the helper would read a name starting with "-" as an option.`,
    );
  }
  const folder = configDir === undefined ? '' : ` --config-dir ${configDir}`;
  return `${executable}${folder} credential-process ${profile}`;
}
