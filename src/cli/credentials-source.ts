import type { HandedOutCredentials } from '../core/aws/credential-output.js';
import type { EngineReply, WireCredentials } from '../core/engine/engine-endpoint.js';
import { readAwsCredentials } from '../core/vault/aws-credentials.js';
import type { CliContext } from './context.js';
import { CliError, engineExitCode, failure, signInNeeded } from './errors.js';

/** The one-line error the CLI reports for an engine's refusal, with the contract's exit code. */
export function engineRefusal(reply: Extract<EngineReply, { ok: false }>): CliError {
  return new CliError(engineExitCode(reply.code), reply.message);
}

/**
 * A managed profile's credentials for `credential-process`, `env` and `exec`: from the running
 * engine's memory, or, with no engine, read from Vault by the CLI itself. Never opens a browser:
 * without a usable token it fails at once with exit code 3.
 */
export async function profileCredentials(
  ctx: CliContext,
  name: string,
): Promise<{ credentials: HandedOutCredentials; region?: string }> {
  const settings = ctx.settings.read();
  const binding = settings.profiles[name];
  if (!binding) throw failure(`no managed profile named ${name}`);
  const reply = await ctx.engine<{ credentials: WireCredentials }>({
    op: 'credentials',
    profile: name,
  });
  if (reply && !reply.ok) throw engineRefusal(reply);
  if (reply) return { credentials: reply.credentials, region: binding.region };

  if (!settings.vault) throw signInNeeded('not signed in: run `vault-aws-tray login` first');
  // The settings' Vault, not VAULT_ADDR: the token was stored under the settings' address.
  const { address, namespace } = settings.vault;
  const connection = ctx.connection({ addr: address, namespace }, settings);
  const token = await ctx.storedToken(connection);
  if (!token) throw signInNeeded(`not signed in to ${address}: run \`vault-aws-tray login\``);
  const read = await readAwsCredentials(
    ctx.client(connection, token),
    { profile: name, ...binding },
    ctx.io.clock,
  );
  return { credentials: read.credentials, region: binding.region };
}
