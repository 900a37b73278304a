import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  loginVault,
  obtainToken,
  SIGN_IN_METHODS,
  signInWarnings,
} from '../../core/vault/sign-in-methods.js';
import type { SignInMethod, SignInTweaks } from '../../core/vault/sign-in-methods.js';
import { PORT, rangeProblem } from '../../shared/fields.js';
import { instant, parseDuration, until } from '../../shared/time-text.js';
import type { CliContext } from '../context.js';
import { engineHost } from '../engines.js';
import { EXIT, usageError } from '../errors.js';
import { printRefresh } from '../refresh-output.js';

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

/** What only this terminal's sign-in chooses: the listener, the browser, the wait. */
function tweaks(flags: Flags): SignInTweaks {
  let port: number | undefined;
  if (flags.port !== undefined) {
    port = /^\d+$/.test(flags.port) ? Number(flags.port) : NaN;
    if (rangeProblem(port, PORT, '--port'))
      throw usageError(`--port ${JSON.stringify(flags.port)} is not a port number`);
  }
  const scheme = flags['callback-scheme'];
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https')
    throw usageError(`--callback-scheme must be http or https, not "${scheme}"`);
  let timeoutMs: number | undefined;
  if (flags.timeout !== undefined) {
    const seconds = parseDuration(flags.timeout);
    if (!seconds) throw usageError(`--timeout ${flags.timeout} is not a duration (like 2m or 90s)`);
    timeoutMs = seconds * 1000;
  }
  return {
    port,
    callbackHost: flags['callback-host'],
    listenAddress: flags['listen-address'],
    callbackScheme: scheme,
    noBrowser: flags['no-browser'],
    timeoutMs,
    device: flags.device,
  };
}

/**
 * `login`: signs in here, where a browser and a terminal are (a token, or the browser flow of
 * `vault login -method=oidc`), then hands the token to the engine, which checks it, keeps it
 * (the running engine in its own store), and writes the saved profiles not yet written.
 */
export async function login(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true });
  const method = (values.method ?? 'oidc') as SignInMethod;
  if (!SIGN_IN_METHODS.includes(method))
    throw usageError(`unknown login method "${values.method}" (token, oidc or jwt)`);
  const vault = loginVault(ctx.savedSettings().vault, ctx.io.env, {
    method,
    addr: values.addr,
    namespace: values.namespace,
    mount: values.mount,
    role: values.role,
    issuer: values.issuer,
    clientId: values['client-id'],
    scope: values.scope,
  });
  if (method === 'jwt' && !vault.issuer)
    throw usageError(
      '--method jwt needs --issuer: the identity provider, like https://login.example.com',
    );
  if (method === 'jwt' && !vault.clientId)
    throw usageError(
      "--method jwt needs --client-id: the app's client ID at the identity provider",
    );
  const host = engineHost(ctx, ctx.logger);
  for (const warning of signInWarnings(vault, host)) ctx.warn(warning);
  const tell = (line: string) => ctx.io.stderr(`${line}\n`);
  const token = await obtainToken(
    vault,
    host,
    {
      browser: ctx.io.browser,
      clock: ctx.io.clock,
      signal: ctx.io.interruptSignal(),
      tell,
      askTotp: (question) => ctx.io.promptLine(question),
      token: () => tokenFromUser(ctx),
    },
    tweaks(values),
  );
  const report = await ctx.engine().signIn({ token, vault }, tell);
  const { session } = report;
  const expiry =
    session.expiresAt === null
      ? 'the token does not expire'
      : `the token expires ${instant(Date.parse(session.expiresAt))} (${until(Date.parse(session.expiresAt), ctx.io.clock.now())})`;
  ctx.out(
    `Signed in to ${vault.address}${vault.namespace ? ` (namespace ${vault.namespace})` : ''} as ${session.displayName}; ${expiry}`,
  );
  return report.refresh ? printRefresh(ctx, report.refresh) : EXIT.ok;
}
