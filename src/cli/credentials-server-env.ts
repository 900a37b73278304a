/**
 * The environment of a child `exec --server` runs (docs/engine.md "A credentials server for
 * long-running commands"). The SDKs and the AWS CLI look at the environment's keys, then the
 * shared files' profile, and only then at the container endpoint: the child gets none of the
 * first two, so every credential it uses comes from the server.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { COMPETING_VARIABLES } from '../core/aws/credential-output.js';

/** Inherited variables that would win over the endpoint, or point elsewhere for it. */
const OVERRIDDEN = new Set([
  // What `env` and `exec` take out as well: other keys, another profile.
  ...COMPETING_VARIABLES,
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_CONFIG_FILE',
]);

/** Key material: never copied out of the user's files, whichever profile holds it. */
const KEY_MATERIAL = /^aws_(access_key_id|secret_access_key|session_token|security_token)$/;
/** Settings that make the default profile a source of credentials ahead of the endpoint. */
const CREDENTIAL_SOURCE =
  /^(credential_process|credential_source|role_arn|source_profile|role_session_name|external_id|mfa_serial|duration_seconds|web_identity_token_file|login_session|sso_.*)$/;
/** `[default]` or `[profile default]`, any case: botocore and the JS SDK read either. */
const DEFAULT_SECTION = /^\[\s*(?:profile\s+)?default\s*\]/i;

/**
 * The user's config file as the child sees it: every setting kept (region, output, ca_bundle,
 * retries, other profiles) but key material anywhere and the default profile's own credential
 * sources, which the SDKs would use before the endpoint. An indented line continues the setting
 * above it (botocore) and goes with it.
 */
export function configForChild(text: string): string {
  const out: string[] = [];
  let inDefault = false;
  let dropping = false;
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    const indented = trimmed !== '' && /^\s/.test(line);
    if (indented && dropping) continue;
    dropping = false;
    if (trimmed.startsWith('[')) inDefault = DEFAULT_SECTION.test(trimmed);
    const key = /^([^=#;[\s][^=]*?)\s*=/.exec(trimmed)?.[1]?.toLowerCase();
    if (key && (KEY_MATERIAL.test(key) || (inDefault && CREDENTIAL_SOURCE.test(key)))) {
      dropping = !indented;
      continue;
    }
    out.push(line);
  }
  return out.join('\n');
}

/** Where the SDKs read the config file from: AWS_CONFIG_FILE (with `~`) or ~/.aws/config. */
function configPath(env: Record<string, string | undefined>, homedir: string, cwd: string) {
  const named = env.AWS_CONFIG_FILE;
  if (!named) return join(homedir, '.aws', 'config');
  return resolve(cwd, named.replace(/^~(?=$|[/\\])/, homedir));
}

export interface ChildFiles {
  credentialsFile: string;
  configFile: string;
  /** Removes the folder; called when the child has exited. */
  remove(): void;
}

/**
 * An empty credentials file and the filtered config, in a folder of their own (mkdtemp: 0700),
 * removed when the child exits. A file rather than /dev/null, which Windows does not have.
 */
export function childFiles(io: {
  env: Record<string, string | undefined>;
  homedir: string;
  cwd: string;
}): ChildFiles {
  let config = '';
  try {
    config = readFileSync(configPath(io.env, io.homedir, io.cwd), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const dir = mkdtempSync(join(tmpdir(), 'vault-aws-tray-exec-'));
  const credentialsFile = join(dir, 'credentials');
  const configFile = join(dir, 'config');
  try {
    writeFileSync(credentialsFile, '', { mode: 0o600 });
    writeFileSync(configFile, configForChild(config), { mode: 0o600 });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    credentialsFile,
    configFile,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The inherited environment without what would win over the endpoint, and the endpoint. */
export function serverChildEnv(
  inherited: Record<string, string | undefined>,
  server: { url: string; token: string; region: string | null; files: ChildFiles },
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  // Any case: Windows' variables are case-insensitive, and a stray lower-case one is harmless gone.
  for (const [name, value] of Object.entries(inherited))
    if (!OVERRIDDEN.has(name.toUpperCase())) env[name] = value;
  env.AWS_CONTAINER_CREDENTIALS_FULL_URI = server.url;
  env.AWS_CONTAINER_AUTHORIZATION_TOKEN = server.token;
  env.AWS_SHARED_CREDENTIALS_FILE = server.files.credentialsFile;
  env.AWS_CONFIG_FILE = server.files.configFile;
  if (server.region) env.AWS_REGION = env.AWS_DEFAULT_REGION = server.region;
  return env;
}
