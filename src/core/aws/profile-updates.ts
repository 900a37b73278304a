/**
 * What one profile update may hold: every value goes into the files as one plain `key = value`
 * that every SDK reads alike. `updateProblem` lets a caller leave out a bad update and write the
 * rest of its batch; the writer refuses a batch that still holds one.
 */
import { REGION_RULE, regionProblem } from '../../shared/fields.js';
import { profileNameProblem } from '../../shared/profile-name.js';
import { CredentialsFileError } from './errors.js';
import type { SessionCredentials } from './managed-sections.js';

interface ProfileUpdateBase {
  readonly profile: string;
  /** Written to the config file; left out means the key is removed there. */
  readonly region?: string | undefined;
  readonly output?: string | undefined;
}

/** Static keys in the credentials file (`file` delivery). */
export interface FileProfileUpdate extends ProfileUpdateBase {
  readonly credentials: SessionCredentials;
  readonly credentialProcess?: never;
}

/**
 * A `credential_process` command in the config file (`process` delivery); the profile's
 * credentials-file section is removed, since static keys there would hide the command in every
 * SDK. Build the command with `credentialProcessLine`.
 */
export interface ProcessProfileUpdate extends ProfileUpdateBase {
  readonly credentialProcess: string;
  readonly credentials?: never;
}

export type ProfileUpdate = FileProfileUpdate | ProcessProfileUpdate;

/** Printable ASCII without spaces: read alike by every SDK as a plain, unquoted value. */
const PLAIN_VALUE = /^[!-~]+$/;

export function checkName(profile: string): void {
  const problem = profileNameProblem(profile);
  if (problem !== undefined) throw new CredentialsFileError('invalid-profile-name', problem);
}

/**
 * Why the writer would refuse this one update, or undefined: the checks `applyProfiles` makes
 * for each update of a batch, so that a caller can leave a bad one out and write the rest.
 */
export function updateProblem(update: ProfileUpdate): CredentialsFileError | undefined {
  const { profile } = update;
  const nameProblem = profileNameProblem(profile);
  if (nameProblem !== undefined)
    return new CredentialsFileError('invalid-profile-name', nameProblem);
  const region = update.region || undefined;
  const settings = plainValuesProblem(profile, { region, output: update.output || undefined });
  if (settings !== undefined) return settings;
  // The rule the settings and the window hold a region to (src/shared/fields.ts), held again
  // here for a settings file edited by hand.
  if (region !== undefined && regionProblem(region) !== undefined) {
    return new CredentialsFileError(
      'invalid-input',
      `The region for profile ${profile} cannot be written: ${REGION_RULE}`,
    );
  }
  if (update.credentialProcess !== undefined) {
    return commandProblem(profile, update.credentialProcess);
  }
  const { credentials } = update;
  const keys = plainValuesProblem(profile, {
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken || undefined,
  });
  if (keys !== undefined) return keys;
  if (Number.isNaN(credentials.expiresAt.getTime())) {
    return new CredentialsFileError(
      'invalid-input',
      `The expiry for profile ${profile} is not a valid date.`,
    );
  }
  return undefined;
}

export function checkUpdates(updates: readonly ProfileUpdate[]): void {
  const seen = new Set<string>();
  for (const update of updates) {
    const problem = updateProblem(update);
    if (problem !== undefined) throw problem;
    if (seen.has(update.profile)) {
      throw new CredentialsFileError(
        'invalid-input',
        `Profile ${update.profile} appears twice in one write.`,
      );
    }
    seen.add(update.profile);
  }
}

function plainValuesProblem(
  profile: string,
  values: Record<string, string | undefined>,
): CredentialsFileError | undefined {
  for (const [field, value] of Object.entries(values)) {
    if (value !== undefined && !isPlainValue(value)) {
      return new CredentialsFileError(
        'invalid-input',
        `The ${field} for profile ${profile} cannot be written: it must be printable ASCII without spaces or quotes.`,
      );
    }
  }
  return undefined;
}

/**
 * Plain words joined by single spaces. Readers split and quote commands differently, and a word
 * starting with `#` or `;` is an inline comment to the JS SDK; whether the command is safe for
 * every reader's shell is `credentialProcessLine`'s check.
 */
function commandProblem(profile: string, command: string): CredentialsFileError | undefined {
  const words = command.split(' ');
  if (words.every((word) => PLAIN_VALUE.test(word) && !/["'`]|^[#;]/.test(word))) return undefined;
  return new CredentialsFileError(
    'invalid-input',
    `The credential_process command for profile ${profile} cannot be written: it must be printable ASCII words separated by single spaces, without quotes or comment characters.`,
  );
}

/** Quotes would be stripped by Go and kept by everyone else. */
function isPlainValue(value: string): boolean {
  return PLAIN_VALUE.test(value) && !/^["'`]/.test(value);
}
