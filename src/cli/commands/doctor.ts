import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { CredentialsFileError } from '../../core/aws/errors.js';
import { lookupSession } from '../../core/vault/session.js';
import { VaultError } from '../../core/vault/errors.js';
import type { Settings } from '../../shared/settings.js';
import type { CliContext, VaultConnection } from '../context.js';
import { EXIT } from '../errors.js';
import { span, until } from '../format.js';
import { ENDING_SOON_MS } from '../../core/engine/app-status.js';
import type { AppStatus } from '../../core/engine/app-status.js';

type Level = 'ok' | 'warn' | 'error';
interface Finding {
  level: Level;
  check: string;
  message: string;
}

const SKEW_WARN_MS = 60_000;
const SKEW_ERROR_MS = 5 * 60_000;

async function modeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mode & 0o777;
  } catch {
    return undefined;
  }
}

const octal = (mode: number) => `0${mode.toString(8)}`;

async function checkFolderAndTokens(ctx: CliContext, found: Finding[]): Promise<void> {
  const folder = await modeOf(ctx.configDir);
  if (folder === undefined)
    found.push({
      level: 'ok',
      check: 'settings folder',
      message: `${ctx.configDir} (not created yet)`,
    });
  else if (folder & 0o077) {
    found.push({
      level: 'warn',
      check: 'settings folder',
      message: `${ctx.configDir} is open to other users (mode ${octal(folder)}); run chmod 700 on it`,
    });
  } else found.push({ level: 'ok', check: 'settings folder', message: ctx.configDir });
  const tokens = await modeOf(ctx.tokens.path);
  if (tokens !== undefined && tokens & 0o077) {
    found.push({
      level: 'error',
      check: 'token file',
      message: `${ctx.tokens.path} holds your Vault token and other users can read it (mode ${octal(tokens)}); run chmod 600 on it`,
    });
  }
}

async function checkAwsFiles(ctx: CliContext, settings: Settings, found: Finding[]): Promise<void> {
  const paths = ctx.awsPaths(settings);
  for (const file of [paths.credentialsFile, paths.configFile]) {
    const mode = await modeOf(file);
    if (mode === undefined)
      found.push({
        level: 'ok',
        check: 'aws files',
        message: `${file} does not exist yet; it will be created`,
      });
    else if (file === paths.credentialsFile && mode & 0o077) {
      found.push({
        level: 'warn',
        check: 'aws files',
        message: `${file} is readable by other users (mode ${octal(mode)}); run chmod 600 on it`,
      });
    }
  }
  const writer = ctx.writer(settings);
  for (const [name, binding] of Object.entries(settings.profiles)) {
    let inspection;
    try {
      inspection = await writer.inspect(name);
    } catch (error) {
      if (!(error instanceof CredentialsFileError)) throw error;
      found.push({ level: 'error', check: 'aws files', message: error.message });
      return;
    }
    if (binding.written && !inspection.inCredentialsFile) {
      found.push({
        level: 'warn',
        check: 'profiles',
        message: `profile ${name} is managed but missing from ${paths.credentialsFile}; run \`vault-aws-tray refresh ${name}\``,
      });
    }
    for (const shadow of inspection.shadowing)
      found.push({ level: 'warn', check: 'shadowing', message: shadow.message });
  }
  if (!found.some((f) => f.check === 'aws files' && f.level === 'error')) {
    found.push({
      level: 'ok',
      check: 'aws files',
      message: `${paths.credentialsFile} and ${paths.configFile} read as botocore reads them`,
    });
  }
}

async function checkVault(
  ctx: CliContext,
  connection: VaultConnection,
  found: Finding[],
): Promise<void> {
  if (connection.tls.skipVerify) {
    found.push({
      level: 'warn',
      check: 'tls',
      message:
        'TLS verification is off (VAULT_SKIP_VERIFY): anyone on the network path can read your token',
    });
  }
  let client;
  try {
    client = ctx.client(connection);
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    found.push({ level: 'error', check: 'tls', message: error.message });
    return;
  }
  let health;
  try {
    health = await client.health();
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    found.push({
      level: 'error',
      check: error.kind === 'tls' ? 'tls' : 'vault',
      message: error.message,
    });
    return;
  }
  if (health.sealed)
    found.push({
      level: 'error',
      check: 'vault',
      message: `Vault at ${connection.address} is sealed; an operator must unseal it`,
    });
  else if (health.standby)
    found.push({
      level: 'warn',
      check: 'vault',
      message: `Vault at ${connection.address} is a standby node; requests are forwarded or redirected`,
    });
  else
    found.push({
      level: 'ok',
      check: 'vault',
      message: `Vault ${health.version} at ${connection.address} is reachable`,
    });

  const now = ctx.io.clock.now();
  const serverTime =
    health.server_time_utc !== undefined ? health.server_time_utc * 1000 : health.serverDate;
  if (serverTime !== undefined) {
    const skew = now - serverTime;
    const text = `this machine's clock is ${span(Math.abs(skew) / 1000)} ${skew > 0 ? 'ahead of' : 'behind'} Vault's`;
    if (Math.abs(skew) > SKEW_ERROR_MS)
      found.push({
        level: 'error',
        check: 'clock',
        message: `${text}; AWS refuses requests signed 15 minutes off`,
      });
    else if (Math.abs(skew) > SKEW_WARN_MS)
      found.push({
        level: 'warn',
        check: 'clock',
        message: `${text}; expiry times will be off by as much`,
      });
    else found.push({ level: 'ok', check: 'clock', message: 'in step with Vault' });
  }

  const token = await ctx.storedToken(connection);
  if (!token) {
    found.push({
      level: 'warn',
      check: 'session',
      message: 'not signed in: run `vault-aws-tray login`',
    });
    return;
  }
  try {
    const session = await lookupSession(
      client.withToken(token),
      connection.namespace,
      ctx.io.clock,
    );
    if (session.expiresAt !== null && session.expiresAt - now <= ENDING_SOON_MS) {
      found.push({
        level: 'warn',
        check: 'session',
        message: `signed in as ${session.displayName}, but the token expires ${until(session.expiresAt, now)}`,
      });
    } else {
      found.push({ level: 'ok', check: 'session', message: `signed in as ${session.displayName}` });
    }
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    found.push({
      level: 'error',
      check: 'session',
      message:
        error.kind === 'invalid_token'
          ? 'Vault no longer accepts the stored token: run `vault-aws-tray login`'
          : error.message,
    });
  }
}

/** `doctor`: settings, files and their modes, shadowing, Vault reachability, TLS, clock, session. */
/** Whether the CLI's commands go through a running engine or do the work themselves. */
async function checkEngine(ctx: CliContext, found: Finding[]): Promise<void> {
  let reply;
  try {
    reply = await ctx.engine<{ status: AppStatus; pid: number }>({ op: 'status' });
  } catch (error) {
    found.push({
      level: 'error',
      check: 'engine',
      message: `its socket fails: ${(error as Error).message}`,
    });
    return;
  }
  if (!reply) {
    found.push({
      level: 'ok',
      check: 'engine',
      message:
        'none running: the CLI works on its own (`vault-aws-tray daemon` keeps profiles fresh)',
    });
  } else if (!reply.ok) {
    found.push({
      level: 'error',
      check: 'engine',
      message: `it refuses the CLI: ${reply.message}`,
    });
  } else {
    const who = reply.status.engine === 'app' ? 'the tray app' : 'the daemon';
    found.push({
      level: 'ok',
      check: 'engine',
      message: `${who} (pid ${reply.pid}) answers; status, refresh, profile, credential-process, env, exec and logout go through it`,
    });
  }
}

export async function doctor(ctx: CliContext, args: string[]): Promise<number> {
  parseArgs({ args, options: {} });
  const found: Finding[] = [];
  await checkFolderAndTokens(ctx, found);
  await checkEngine(ctx, found);
  let settings: Settings | undefined;
  try {
    settings = ctx.settings.read();
    found.push({ level: 'ok', check: 'settings', message: ctx.settings.path });
  } catch (error) {
    found.push({ level: 'error', check: 'settings', message: (error as Error).message });
  }
  if (settings) {
    await checkAwsFiles(ctx, settings, found);
    if (!settings.vault && !ctx.io.env.VAULT_ADDR) {
      found.push({
        level: 'warn',
        check: 'vault',
        message: 'no Vault address yet: run `vault-aws-tray login --addr URL`',
      });
    } else {
      await checkVault(ctx, ctx.connection({}, settings), found);
    }
  }
  for (const f of found) ctx.out(`${f.level.padEnd(5)} ${f.check}: ${f.message}`);
  return found.some((f) => f.level === 'error') ? EXIT.failure : EXIT.ok;
}
