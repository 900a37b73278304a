/**
 * One set of credentials as other programs take them: the credential_process JSON the AWS SDKs
 * parse, and the AWS_* environment variables for `env` and `exec`. Imports nothing: the
 * `credential-process` fast path loads it.
 */

export interface HandedOutCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
  /** ms since the epoch */
  expiresAt: number;
}

/** UTC with `Z` and whole seconds: strict RFC 3339, which the Go SDK requires. */
const utc = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Exactly `"Version": 1` (Java refuses 1.0) and nothing else on stdout. */
export function credentialProcessJson(c: HandedOutCredentials): string {
  return `${JSON.stringify({
    Version: 1,
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
    ...(c.sessionToken ? { SessionToken: c.sessionToken } : {}),
    Expiration: utc(c.expiresAt),
  })}\n`;
}

/** The variables every SDK reads, as `aws configure export-credentials` names them. */
export function credentialVariables(
  c: HandedOutCredentials,
  region?: string,
): Array<[name: string, value: string]> {
  const vars: Array<[string, string]> = [
    ['AWS_ACCESS_KEY_ID', c.accessKeyId],
    ['AWS_SECRET_ACCESS_KEY', c.secretAccessKey],
  ];
  if (c.sessionToken) vars.push(['AWS_SESSION_TOKEN', c.sessionToken]);
  vars.push(['AWS_CREDENTIAL_EXPIRATION', utc(c.expiresAt)]);
  if (region) vars.push(['AWS_REGION', region], ['AWS_DEFAULT_REGION', region]);
  return vars;
}

/** The variable `env` and `exec` set to the profile's name, for shell prompts. */
export const PROFILE_VARIABLE = 'VAULT_AWS_TRAY_PROFILE';

/**
 * Variables that name another profile or hold other keys: some tools take AWS_PROFILE over the
 * keys set beside it, and a leftover AWS_SESSION_TOKEN spoils keys that have none.
 */
export const COMPETING_VARIABLES = [
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  // The Java SDK v1's names for the keys.
  'AWS_ACCESS_KEY',
  'AWS_SECRET_KEY',
];

/** What `env` and `exec` do to an environment for a profile: variables set, and removed. */
export interface ProfileEnvironment {
  set: Array<[name: string, value: string]>;
  unset: string[];
}

export function profileEnvironment(
  profile: string,
  c: HandedOutCredentials,
  region?: string,
): ProfileEnvironment {
  const set: Array<[string, string]> = [
    ...credentialVariables(c, region),
    [PROFILE_VARIABLE, profile],
  ];
  const names = new Set(set.map(([name]) => name));
  return { set, unset: COMPETING_VARIABLES.filter((name) => !names.has(name)) };
}

/** `base` changed as `change` says; names compared without case, as Windows does. */
export function applyEnvironment(
  base: Record<string, string | undefined>,
  change: ProfileEnvironment,
): Record<string, string | undefined> {
  const gone = new Set([...change.unset, ...change.set.map(([name]) => name)]);
  const kept = Object.entries(base).filter(([name]) => !gone.has(name.toUpperCase()));
  return { ...Object.fromEntries(kept), ...Object.fromEntries(change.set) };
}

export const SHELL_FORMATS = ['env', 'fish', 'powershell'] as const;
export type ShellFormat = (typeof SHELL_FORMATS)[number];

const single = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * Lines that remove and set the variables in the user's shell:
 * `eval "$(vault-aws-tray env dev)"`. Removing a variable that is not set is no error in any.
 */
export function shellLines(change: ProfileEnvironment, format: ShellFormat): string {
  const unset = (name: string) => {
    if (format === 'fish') return `set -e ${name}`;
    if (format === 'powershell') return `Remove-Item Env:${name} -ErrorAction SilentlyContinue`;
    return `unset ${name}`;
  };
  const line = ([name, value]: [string, string]) => {
    if (format === 'fish') return `set -gx ${name} ${single(value)}`;
    if (format === 'powershell') return `$Env:${name}="${value.replace(/[`"$]/g, '`$&')}"`;
    return `export ${name}=${single(value)}`;
  };
  return [...change.unset.map(unset), ...change.set.map(line)].map((l) => `${l}\n`).join('');
}
