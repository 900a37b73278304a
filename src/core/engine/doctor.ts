import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { checkReplaceable } from '../aws/file-access.js';
import { nodeFs } from '../aws/writer-fs.js';
import { CredentialsFileError } from '../aws/errors.js';
import type { Clock } from '../ports.js';
import { VaultError } from '../vault/errors.js';
import type { Settings, VaultSettings } from '../../shared/settings.js';
import { span, until } from '../../shared/time-text.js';
import type { DoctorFinding } from './engine-api.js';
import type { EngineServices } from './engine-services.js';
import type { SessionSnapshot } from './session-keeper.js';

const SKEW_WARN_MS = 60_000;
const SKEW_ERROR_MS = 5 * 60_000;

export interface DoctorContext {
  configDir: string;
  /** The file holding the Vault token, when the engine keeps it in one. */
  secretsPath?: string;
  settingsPath?: string;
  /** The settings file read again now (it may have broken since the engine read it). */
  readSettings(): Settings;
  services: EngineServices;
  clock: Clock;
  /** The session as Vault sees it now. */
  session(): Promise<SessionSnapshot>;
  /** A Vault to check when none is saved (the one `login` would sign in to). */
  candidate?: VaultSettings;
}

async function modeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mode & 0o777;
  } catch {
    return undefined;
  }
}

const octal = (mode: number) => `0${mode.toString(8)}`;

/**
 * `doctor` (docs/engine.md): the settings folder and files with their modes, the AWS files as
 * botocore reads them, shadowing, each managed profile where it should be, Vault's health, TLS,
 * the clock, and the session. The engine that answers runs the checks, so they describe what it
 * sees: its settings, its trust store, its session.
 */
export async function doctorFindings(ctx: DoctorContext): Promise<DoctorFinding[]> {
  const found: DoctorFinding[] = [];
  const add = (level: DoctorFinding['level'], check: string, message: string) =>
    found.push({ level, check, message });
  const folder = await modeOf(ctx.configDir);
  if (folder === undefined) add('ok', 'settings folder', `${ctx.configDir} (not created yet)`);
  else if (folder & 0o077)
    add(
      'warn',
      'settings folder',
      `${ctx.configDir} is open to other users (mode ${octal(folder)}); run chmod 700 on it`,
    );
  else add('ok', 'settings folder', ctx.configDir);
  const tokens = ctx.secretsPath === undefined ? undefined : await modeOf(ctx.secretsPath);
  if (tokens !== undefined && tokens & 0o077)
    add(
      'error',
      'token file',
      `${ctx.secretsPath} holds your Vault token and other users can read it (mode ${octal(tokens)}); run chmod 600 on it`,
    );
  let settings: Settings;
  try {
    settings = ctx.readSettings();
    add('ok', 'settings', ctx.settingsPath ?? ctx.configDir);
  } catch (error) {
    add('error', 'settings', (error as Error).message);
    return found;
  }
  await checkAwsFiles(ctx, settings, add);
  const vault = settings.vault ?? ctx.candidate;
  if (!vault) {
    add('warn', 'vault', 'no Vault address yet: run `vault-aws-tray login --addr URL`');
    add('warn', 'session', 'not signed in: run `vault-aws-tray login`');
    return found;
  }
  const reachable = await checkVault(ctx, vault, add);
  if (!settings.vault) add('warn', 'session', 'not signed in: run `vault-aws-tray login`');
  else if (reachable) await checkSession(ctx, add);
  return found;
}

type Add = (level: DoctorFinding['level'], check: string, message: string) => void;

/**
 * Why the app could not write `file`: the file itself read-only or another user's (the writer's
 * own rule, file-access.ts), or its folder (the nearest that exists) not this user's to write in,
 * where the writer makes a new file and renames it over the old one.
 */
async function writeProblem(file: string): Promise<string | undefined> {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  try {
    await checkReplaceable(nodeFs, file, await stat(file, { bigint: true }));
  } catch (error) {
    if (error instanceof CredentialsFileError) return error.message;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  let folder = dirname(file);
  while (!existsSync(folder) && dirname(folder) !== folder) folder = dirname(folder);
  const found = await stat(folder);
  if (found.uid === uid && found.mode & 0o200) return undefined;
  return `${folder} cannot be written by this user (mode ${octal(found.mode & 0o777)}, owner uid ${found.uid}; the app runs as uid ${uid}): the app writes the AWS files there as new files it renames into place. Make the folder this user's and writable (chown, chmod u+w), or point the app at other files.`;
}

async function checkAwsFiles(ctx: DoctorContext, settings: Settings, add: Add): Promise<void> {
  const paths = ctx.services.awsPaths();
  const said = new Set<string>();
  for (const file of [paths.credentialsFile, paths.configFile]) {
    const mode = await modeOf(file);
    const problem = await writeProblem(file);
    if (problem) {
      // Both files in one folder: its problem is said once.
      if (!said.has(problem)) add('error', 'aws files', problem);
      said.add(problem);
      continue;
    }
    if (mode === undefined)
      add('ok', 'aws files', `${file} does not exist yet; it will be created`);
    else if (file === paths.credentialsFile && mode & 0o077)
      add(
        'warn',
        'aws files',
        `${file} is readable by other users (mode ${octal(mode)}); run chmod 600 on it`,
      );
  }
  const writer = ctx.services.writer();
  for (const [name, binding] of Object.entries(settings.profiles)) {
    let inspection;
    try {
      inspection = await writer.inspect(name, binding.delivery);
    } catch (error) {
      if (!(error instanceof CredentialsFileError)) throw error;
      add('error', 'aws files', error.message);
      return;
    }
    if (binding.written && binding.delivery === 'file' && !inspection.inCredentialsFile)
      add(
        'warn',
        'profiles',
        `profile ${name} is managed but missing from ${paths.credentialsFile}; run \`vault-aws-tray refresh ${name}\``,
      );
    if (binding.written && binding.delivery === 'process') {
      let line: string | undefined;
      try {
        line = ctx.services.processLine(name);
      } catch (error) {
        add('error', 'profiles', `profile ${name}: ${(error as Error).message}`);
      }
      if (line !== undefined && inspection.credentialProcess !== line)
        add(
          'warn',
          'profiles',
          `profile ${name} is delivered by credential_process but ${paths.configFile} does not run \`${line}\`; run \`vault-aws-tray refresh ${name}\``,
        );
    }
    for (const shadow of inspection.shadowing) add('warn', 'shadowing', shadow.message);
  }
  const commandProblem = ctx.services.commandProblem();
  if (commandProblem) add('warn', 'credential_process', commandProblem);
  add(
    'ok',
    'aws files',
    `${paths.credentialsFile} and ${paths.configFile} read as botocore reads them`,
  );
}

/** Vault's health, TLS and the clock; false when Vault cannot be reached at all. */
async function checkVault(ctx: DoctorContext, vault: VaultSettings, add: Add): Promise<boolean> {
  const connection = ctx.services.connectionFor(vault);
  if (connection.tls.skipVerify)
    add(
      'warn',
      'tls',
      'TLS verification is off (VAULT_SKIP_VERIFY): anyone on the network path can read your token',
    );
  let health;
  try {
    health = await ctx.services.clientFor(vault).health();
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    add('error', error.kind === 'tls' ? 'tls' : 'vault', error.message);
    return false;
  }
  if (health.sealed)
    add('error', 'vault', `Vault at ${connection.address} is sealed; an operator must unseal it`);
  else if (health.standby)
    add(
      'warn',
      'vault',
      `Vault at ${connection.address} is a standby node; requests are forwarded or redirected`,
    );
  else add('ok', 'vault', `Vault ${health.version} at ${connection.address} is reachable`);

  const serverTime =
    health.server_time_utc !== undefined ? health.server_time_utc * 1000 : health.serverDate;
  if (serverTime !== undefined) {
    const skew = ctx.clock.now() - serverTime;
    const text = `this machine's clock is ${span(skew / 1000)} ${skew > 0 ? 'ahead of' : 'behind'} Vault's`;
    if (Math.abs(skew) > SKEW_ERROR_MS)
      add('error', 'clock', `${text}; AWS refuses requests signed 15 minutes off`);
    else if (Math.abs(skew) > SKEW_WARN_MS)
      add('warn', 'clock', `${text}; expiry times will be off by as much`);
    else add('ok', 'clock', 'in step with Vault');
  }
  return true;
}

async function checkSession(ctx: DoctorContext, add: Add): Promise<void> {
  const snapshot = await ctx.session();
  const name = snapshot.session?.displayName ?? '';
  const expiresAt = snapshot.session?.expiresAt;
  switch (snapshot.state) {
    case 'signed_out':
      add('warn', 'session', 'not signed in: run `vault-aws-tray login`');
      break;
    case 'needs_sign_in':
      add(
        'error',
        'session',
        'Vault no longer accepts the stored token: run `vault-aws-tray login`',
      );
      break;
    case 'ending_soon':
      add(
        'warn',
        'session',
        `signed in as ${name}, but the token expires ${until(expiresAt ?? 0, ctx.clock.now())}`,
      );
      break;
    case 'active':
      add('ok', 'session', `signed in as ${name}`);
  }
}
