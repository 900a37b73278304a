/**
 * Where the credentials and config files are. A path from the app's settings wins, because a
 * desktop app usually does not see the shell's environment (docs/credentials-file.md); then
 * `AWS_SHARED_CREDENTIALS_FILE` / `AWS_CONFIG_FILE`; then `~/.aws/credentials` and `~/.aws/config`.
 */
import path from 'node:path';

export interface AwsFilePaths {
  readonly credentialsFile: string;
  readonly configFile: string;
}

export interface AwsFileSettings {
  readonly credentialsFile?: string | undefined;
  readonly configFile?: string | undefined;
}

export interface AwsFilePathSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The home directory the SDKs would use, see {@link homeDirectory}. */
  readonly homeDir: string;
  /** Relative paths are resolved against this, as the SDKs do. */
  readonly cwd: string;
  readonly settings?: AwsFileSettings | undefined;
}

export function resolveAwsFilePaths(sources: AwsFilePathSources): AwsFilePaths {
  const { env, homeDir, cwd, settings } = sources;
  const pick = (fromSettings: string | undefined, variable: string, fallback: string): string => {
    const chosen = nonEmpty(fromSettings) ?? nonEmpty(env[variable]);
    return chosen === undefined
      ? path.join(homeDir, '.aws', fallback)
      : expand(chosen, homeDir, cwd);
  };
  return {
    credentialsFile: pick(settings?.credentialsFile, 'AWS_SHARED_CREDENTIALS_FILE', 'credentials'),
    configFile: pick(settings?.configFile, 'AWS_CONFIG_FILE', 'config'),
  };
}

/**
 * The home directory as the AWS SDK for JavaScript finds it (`getHomeDir`): HOME, USERPROFILE,
 * HOMEDRIVE + HOMEPATH, then the OS. Python uses USERPROFILE on Windows, so with HOME set (Git
 * Bash, MSYS) the two can differ there; a path in the settings settles it.
 */
export function homeDirectory(
  env: Readonly<Record<string, string | undefined>>,
  osHomeDir: () => string,
): string {
  const drivePath =
    env.HOMEDRIVE !== undefined && env.HOMEPATH !== undefined
      ? `${env.HOMEDRIVE}${env.HOMEPATH}`
      : undefined;
  return nonEmpty(env.HOME) ?? nonEmpty(env.USERPROFILE) ?? nonEmpty(drivePath) ?? osHomeDir();
}

/** A leading `~` means the home directory (the only expansion the JS SDK does). */
function expand(file: string, homeDir: string, cwd: string): string {
  if (file === '~') return homeDir;
  if (file.startsWith('~/') || file.startsWith(`~${path.sep}`)) {
    return path.join(homeDir, file.slice(2));
  }
  return path.resolve(cwd, file);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
