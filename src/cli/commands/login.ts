import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { JWT_DEFAULTS, jwtLogin } from '../../core/vault/jwt-login.js';
import { OIDC_DEFAULTS, oidcLogin } from '../../core/vault/oidc-login.js';
import { lookupSession, sessionKey } from '../../core/vault/session.js';
import { SignInError } from '../../core/vault/sign-in-error.js';
import { VaultError } from '../../core/vault/errors.js';
import type { CliContext, VaultConnection } from '../context.js';
import { failure, usageError } from '../errors.js';
import { instant, parseDuration, until } from '../format.js';

/** Every login flag of the public contract. */
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

function timeoutOf(flags: Flags): number {
  if (flags.timeout === undefined) return OIDC_DEFAULTS.timeoutMs;
  const seconds = parseDuration(flags.timeout);
  if (!seconds) throw usageError(`--timeout ${flags.timeout} is not a duration (like 2m or 90s)`);
  return seconds * 1000;
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
  const timeoutMs = timeoutOf(flags);
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

const jwtIssuer = (ctx: CliContext, flags: Flags) =>
  flags.issuer ?? ctx.settings.read().vault?.issuer;
const jwtClientId = (ctx: CliContext, flags: Flags) =>
  flags['client-id'] ?? ctx.settings.read().vault?.clientId;

/** Vault's jwt method with the app as the OpenID client (PKCE in the browser, or the device flow). */
async function tokenFromJwt(
  ctx: CliContext,
  connection: VaultConnection,
  flags: Flags,
): Promise<string> {
  const issuer = jwtIssuer(ctx, flags);
  const clientId = jwtClientId(ctx, flags);
  if (!issuer)
    throw usageError(
      '--method jwt needs --issuer: the identity provider, like https://login.example.com',
    );
  if (!clientId)
    throw usageError(
      "--method jwt needs --client-id: the app's client ID at the identity provider",
    );
  const auth = await jwtLogin({
    client: ctx.client(connection),
    mount: flags.mount,
    role: flags.role,
    issuer,
    clientId,
    scopes: flags.scope ?? ctx.settings.read().vault?.scopes,
    device: flags.device,
    noBrowser: flags['no-browser'],
    timeoutMs: timeoutOf(flags),
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
  const connection = ctx.connection({ addr: values.addr, namespace: values.namespace });
  let token: string;
  try {
    token =
      method === 'token'
        ? await tokenFromUser(ctx)
        : method === 'oidc'
          ? await tokenFromOidc(ctx, connection, values)
          : await tokenFromJwt(ctx, connection, values);
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
      // A later sign-in (the tray's, or the engine asking) uses the same method and settings.
      authMethod: method as 'token' | 'oidc' | 'jwt',
      authMount:
        method === 'token'
          ? s.vault?.authMount
          : (values.mount ?? (method === 'oidc' ? OIDC_DEFAULTS.mount : JWT_DEFAULTS.mount)),
      authRole: method === 'token' ? s.vault?.authRole : values.role,
      issuer: method === 'jwt' ? jwtIssuer(ctx, values) : s.vault?.issuer,
      clientId: method === 'jwt' ? jwtClientId(ctx, values) : s.vault?.clientId,
      scopes: method === 'jwt' ? (values.scope ?? s.vault?.scopes) : s.vault?.scopes,
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
