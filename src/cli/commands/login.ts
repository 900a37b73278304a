import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { OIDC_DEFAULTS, oidcLogin } from '../../core/vault/oidc-login.js';
import { lookupSession, sessionKey } from '../../core/vault/session.js';
import { SignInError } from '../../core/vault/sign-in-error.js';
import { VaultError } from '../../core/vault/errors.js';
import type { CliContext, VaultConnection } from '../context.js';
import { failure, usageError } from '../errors.js';
import { instant, parseDuration, until } from '../format.js';

/** Every login flag of the public contract; jwt arrives in a later version. */
const OPTIONS = {
  method: { type: 'string' },
  addr: { type: 'string' },
  namespace: { type: 'string' },
  mount: { type: 'string' },
  role: { type: 'string' },
  'no-browser': { type: 'boolean' },
  port: { type: 'string' },
  'callback-host': { type: 'string' },
  'callback-scheme': { type: 'string' },
  'listen-address': { type: 'string' },
  timeout: { type: 'string' },
  issuer: { type: 'string' },
  'client-id': { type: 'string' },
  scope: { type: 'string' },
  device: { type: 'boolean' },
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

/** A token from VAULT_TOKEN, else stdin, else the vault CLI's ~/.vault-token. */
async function tokenFromUser(ctx: CliContext): Promise<string> {
  const fromEnv = ctx.io.env.VAULT_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  if (ctx.io.stdinIsTty) ctx.io.stderr('Vault token (then Enter and Ctrl-D): ');
  const fromStdin = (await ctx.io.readStdin()).trim();
  if (fromStdin) return fromStdin;
  try {
    const fromVaultCli = (await readFile(join(ctx.io.homedir, '.vault-token'), 'utf8')).trim();
    if (fromVaultCli) return fromVaultCli;
  } catch {
    // No vault CLI token either.
  }
  throw usageError(
    'no token: set VAULT_TOKEN, pass it on stdin, or sign in with the vault CLI first (~/.vault-token)',
  );
}

/** The browser sign-in of `vault login -method=oidc`, with the same defaults. */
async function tokenFromOidc(
  ctx: CliContext,
  connection: VaultConnection,
  flags: Flags,
): Promise<string> {
  const port = flags.port === undefined ? OIDC_DEFAULTS.port : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw usageError(`--port ${flags.port} is not a port number`);
  const scheme = flags['callback-scheme'] ?? OIDC_DEFAULTS.callbackScheme;
  if (scheme !== 'http' && scheme !== 'https')
    throw usageError(`--callback-scheme must be http or https, not "${scheme}"`);
  let timeoutMs: number = OIDC_DEFAULTS.timeoutMs;
  if (flags.timeout !== undefined) {
    const seconds = parseDuration(flags.timeout);
    if (!seconds) throw usageError(`--timeout ${flags.timeout} is not a duration (like 2m or 90s)`);
    timeoutMs = seconds * 1000;
  }
  const auth = await oidcLogin({
    client: ctx.client(connection),
    mount: flags.mount,
    role: flags.role,
    port,
    callbackHost: flags['callback-host'],
    listenAddress: flags['listen-address'],
    callbackScheme: scheme,
    noBrowser: flags['no-browser'],
    timeoutMs,
    browser: ctx.io.browser,
    clock: ctx.io.clock,
    signal: ctx.io.interruptSignal(),
    tell: (line) => ctx.io.stderr(`${line}\n`),
    askTotp: (question) => ctx.io.promptLine(question),
  });
  return auth.client_token;
}

/**
 * `login`: signs in (a token, or the browser flow of `vault login -method=oidc`), checks the
 * token with Vault, then keeps it for this Vault address and namespace.
 */
export async function login(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true });
  const method = values.method ?? 'oidc';
  if (!['token', 'oidc', 'jwt'].includes(method))
    throw usageError(`unknown login method "${method}" (token, oidc or jwt)`);
  if (method === 'jwt')
    throw failure(
      'login --method jwt is not available in this version yet; use --method oidc or token',
    );
  const connection = ctx.connection({ addr: values.addr, namespace: values.namespace });
  let token: string;
  try {
    token =
      method === 'token' ? await tokenFromUser(ctx) : await tokenFromOidc(ctx, connection, values);
  } catch (error) {
    if (error instanceof SignInError) throw failure(error.message);
    throw error;
  }
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
      skipVerify: s.vault?.skipVerify ?? false,
      authMethod: method as 'token' | 'oidc',
      authMount: method === 'oidc' ? (values.mount ?? OIDC_DEFAULTS.mount) : s.vault?.authMount,
      authRole: method === 'oidc' ? values.role : s.vault?.authRole,
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
