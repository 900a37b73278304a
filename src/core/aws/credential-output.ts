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

export const SHELL_FORMATS = ['env', 'fish', 'powershell'] as const;
export type ShellFormat = (typeof SHELL_FORMATS)[number];

const single = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** Lines that set the variables in the user's shell: `eval "$(vault-aws-tray env dev)"`. */
export function shellLines(vars: Array<[string, string]>, format: ShellFormat): string {
  const line = ([name, value]: [string, string]) => {
    if (format === 'fish') return `set -gx ${name} ${single(value)}`;
    if (format === 'powershell') return `$Env:${name}="${value.replace(/[`"$]/g, '`$&')}"`;
    return `export ${name}=${single(value)}`;
  };
  return vars.map((v) => `${line(v)}\n`).join('');
}
