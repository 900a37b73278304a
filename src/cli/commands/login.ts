import { parseArgs } from 'node:util';
import { lookupSession, sessionKey } from '../../core/vault/session.js';
import { VaultError } from '../../core/vault/errors.js';
import type { CliContext } from '../context.js';
import { failure, usageError } from '../errors.js';
import { instant, until } from '../format.js';

/** Every login flag of the public contract; the browser methods arrive in later versions. */
const OPTIONS = {
  method: { type: 'string' },
  addr: { type: 'string' },
  namespace: { type: 'string' },
  mount: { type: 'string' },
  role: { type: 'string' },
  'no-browser': { type: 'boolean' },
  port: { type: 'string' },
  'callback-host': { type: 'string' },
  'listen-address': { type: 'string' },
  timeout: { type: 'string' },
  issuer: { type: 'string' },
  'client-id': { type: 'string' },
  scope: { type: 'string' },
  device: { type: 'boolean' },
} as const;

async function readToken(ctx: CliContext): Promise<string> {
  const fromEnv = ctx.io.env.VAULT_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  if (ctx.io.stdinIsTty) ctx.io.stderr('Vault token (then Enter and Ctrl-D): ');
  const fromStdin = (await ctx.io.readStdin()).trim();
  if (!fromStdin) throw usageError('no token: set VAULT_TOKEN or pass the token on stdin');
  return fromStdin;
}

/** `login --method token`: checks the token with Vault, then keeps it for this Vault and namespace. */
export async function login(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true });
  const method = values.method ?? 'oidc';
  if (!['token', 'oidc', 'jwt'].includes(method))
    throw usageError(`unknown login method "${method}" (token, oidc or jwt)`);
  if (method !== 'token')
    throw failure(
      `login --method ${method} is not available in this version yet; use --method token`,
    );
  const connection = ctx.connection({ addr: values.addr, namespace: values.namespace });
  const token = await readToken(ctx);
  let session;
  try {
    session = await lookupSession(
      ctx.client(connection, token),
      connection.namespace,
      ctx.io.clock,
    );
  } catch (error) {
    if (
      error instanceof VaultError &&
      (error.kind === 'invalid_token' || error.kind === 'permission_denied')
    ) {
      throw failure(
        `Vault at ${connection.address} does not accept this token (expired, revoked or mistyped)`,
      );
    }
    throw error;
  }
  await ctx.tokens.set(sessionKey(connection.address, connection.namespace), token);
  ctx.settings.update((s) => ({
    ...s,
    vault: {
      ...s.vault,
      address: connection.address,
      namespace: connection.namespace,
      // Kept so that later runs, and the tray app, which sees no shell variables, trust the same CA.
      caFile: connection.tls.caFile,
      caPath: connection.tls.caPath,
      serverName: connection.tls.serverName,
      authMethod: 'token',
      skipVerify: s.vault?.skipVerify ?? false,
    },
  }));
  await ctx.state.update((state) => ({ ...state, session }));
  const now = ctx.io.clock.now();
  const expiry =
    session.expiresAt === null
      ? 'the token does not expire'
      : `the token expires ${instant(session.expiresAt)} (${until(session.expiresAt, now)})`;
  ctx.out(
    `Signed in to ${connection.address}${connection.namespace ? ` (namespace ${connection.namespace})` : ''} as ${session.displayName}; ${expiry}`,
  );
  return 0;
}
