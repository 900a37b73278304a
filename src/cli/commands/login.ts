import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loginVault, obtainToken, signInWarnings } from '../../core/vault/sign-in-methods.js';
import type { SignInMethod, SignInTweaks } from '../../core/vault/sign-in-methods.js';
import { PORT, rangeProblem } from '../../shared/fields.js';
import { localTime, parseDuration, until } from '../../shared/time-text.js';
import type { CommandInput } from '../command-specs.js';
import type { CliContext } from '../context.js';
import { engineHost } from '../engines.js';
import { EXIT, usageError } from '../errors.js';
import { printRefresh } from '../refresh-output.js';

type Flags = CommandInput<'login'>['values'];

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
 * The browser, with the address said first, as `vault login -method=oidc` does: over SSH, in WSL
 * or when a browser starts and shows nothing, the user still has a way in.
 */
function announcingBrowser(
  ctx: CliContext,
  tell: (line: string) => void,
): CliContext['io']['browser'] {
  return {
    async open(url) {
      tell('Opening the sign-in page in your browser; if it does not open, open this address:');
      tell(url);
      try {
        await ctx.io.browser.open(url);
      } catch (error) {
        tell(`(no browser could be started: ${(error as Error).message})`);
      }
    },
  };
}

/**
 * `login`: signs in here, where a browser and a terminal are (a token, or the browser flow of
 * `vault login -method=oidc`), then hands the token to the engine, which checks it, keeps it
 * (the running engine in its own store), and writes the saved profiles not yet written.
 */
export async function login(ctx: CliContext, { values }: CommandInput<'login'>): Promise<number> {
  // The parser took only the methods of the table (command-specs.ts), which are these.
  const method = (values.method ?? 'oidc') as SignInMethod;
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
      browser: announcingBrowser(ctx, tell),
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
      : `the token expires ${localTime(Date.parse(session.expiresAt), ctx.io.clock.now())} (${until(Date.parse(session.expiresAt), ctx.io.clock.now())})`;
  ctx.out(
    `Signed in to ${vault.address}${vault.namespace ? ` (namespace ${vault.namespace})` : ''} as ${session.displayName}; ${expiry}`,
  );
  return report.refresh ? printRefresh(ctx, report.refresh) : EXIT.ok;
}
