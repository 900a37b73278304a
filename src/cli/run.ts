import { refusalOf } from '../core/engine/engine-errors.js';
import { PRODUCT_NAME } from '../shared/app.js';
import type { CliCommand } from '../shared/cli-commands.js';
import { configDir } from '../shared/paths.js';
import { stripControlChars } from '../shared/strip-control.js';
import { consoleCommand } from './commands/console.js';
import { credentialProcess, env, exec } from './commands/credentials.js';
import { daemon } from './commands/daemon.js';
import { doctor } from './commands/doctor.js';
import { login } from './commands/login.js';
import { logout } from './commands/logout.js';
import { profile } from './commands/profile.js';
import { refresh } from './commands/refresh.js';
import { status } from './commands/status.js';
import { CliContext } from './context.js';
import type { CliIo } from './context.js';
import { CliError, EXIT, exitCodeFor, usageError } from './errors.js';

export { EXIT } from './errors.js';
export type { CliIo } from './context.js';

// Typed by the shared list, so the packaged app's binary knows every command the CLI has.
const COMMANDS: Record<CliCommand, (ctx: CliContext, args: string[]) => Promise<number>> = {
  login,
  logout,
  profile,
  refresh,
  status,
  doctor,
  daemon,
  'credential-process': credentialProcess,
  console: consoleCommand,
  env,
  exec,
};

function usage(io: CliIo, dir: string): string {
  return `usage: ${PRODUCT_NAME} [--config-dir DIR] [--debug] <command>

Keeps named AWS profiles fresh from HashiCorp Vault.

commands:
  login [--method oidc|jwt|token] [--addr URL] [--namespace NS] [--role R] [--mount M]
        [--no-browser] [--port N] [--callback-host H] [--callback-scheme S]
        [--listen-address A] [--timeout DUR]               sign in through the browser (oidc,
        [--issuer URL] [--client-id ID] [--scope S] [--device]  the default), with the app as
                                                       the OpenID client (jwt), or with a token
  logout                                               revoke and forget the token
  profile add NAME --role ROLE [--mount aws] [--endpoint creds|sts] [--ttl DUR]
              [--lead DUR] [--role-arn ARN] [--region R] [--delivery file|process]
              [--adopt] [--no-refresh]                 let the app manage an AWS profile and
                                                       write it now
  profile set NAME [--delivery file|process] [--region R] [--ttl DUR] [--lead DUR]
              [--endpoint creds|sts] [--role-arn ARN]  change a profile; the files follow now
  profile remove NAME                                  stop managing it and remove its sections
  profile list [--json]
  refresh [NAME...]                                    fresh credentials from Vault now
  status [--json]                                      the session and every profile
  credential-process NAME                              the credential_process JSON for NAME
  env NAME [--format env|fish|powershell]              shell lines that export NAME's credentials
  exec NAME -- COMMAND [ARGS...]                       run COMMAND with NAME's credentials
  exec --server NAME -- COMMAND [ARGS...]              the same, from a credentials endpoint on
                                                       loopback that stays fresh while it runs
  console [NAME] [--print] [--region R] [--destination PATH|URL] [--browser CMD]
                                                       the AWS console signed in as NAME's role
  doctor                                               check settings, files, Vault, TLS and clock
  daemon                                               keep every profile fresh until Ctrl-C or
                                                       SIGTERM (one engine per settings folder)

options:
  --config-dir DIR  settings folder (also VAULT_AWS_TRAY_CONFIG_DIR); now ${dir}
  --debug           a failure's stack trace as well as its one line
  --help, --version (${io.version})

exit codes: 0 ok, 1 failure, 2 usage error, 3 sign-in needed
`;
}

/**
 * `--debug` anywhere before a `--` (what follows it is another program's), so it can be added to
 * the end of a command line that failed.
 */
export function debugRequested(args: string[]): boolean {
  const dash = args.indexOf('--');
  return (dash < 0 ? args : args.slice(0, dash)).includes('--debug');
}

function withoutDebug(args: string[]): string[] {
  const dash = args.indexOf('--');
  const head = dash < 0 ? args : args.slice(0, dash);
  return [...head.filter((arg) => arg !== '--debug'), ...(dash < 0 ? [] : args.slice(dash))];
}

/** Splits the global options (before the command) from the command and its arguments. */
function globals(args: string[]): {
  dir?: string;
  help: boolean;
  version: boolean;
  rest: string[];
} {
  const out = {
    dir: undefined as string | undefined,
    help: false,
    version: false,
    rest: [] as string[],
  };
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--config-dir') {
      out.dir = args[++i];
      if (out.dir === undefined) throw usageError('--config-dir needs a folder');
    } else if (arg.startsWith('--config-dir=')) out.dir = arg.slice('--config-dir='.length);
    else if (arg === '--help' || arg === '-h') out.help = true;
    else if (arg === '--version') out.version = true;
    else if (arg.startsWith('-')) throw usageError(`unknown option ${arg} (see --help)`);
    else break;
  }
  out.rest = args.slice(i);
  return out;
}

/** A stack for --debug: its lines keep their indent, its message loses its escapes. */
function plainStack(error: unknown): string {
  const stack = error instanceof Error ? error.stack : undefined;
  if (!stack) return '';
  const lines = stack.split('\n').map((l) => `${/^\s*/.exec(l)![0]}${stripControlChars(l)}`);
  return `${lines.filter((l) => l.trim()).join('\n')}\n`;
}

/** The one line (and with --debug the stack) for a failure nothing else explained. */
export function unexpectedFailure(error: unknown, debug: boolean): string {
  const err = error instanceof Error ? error : undefined;
  const words =
    stripControlChars(err ? err.message : String(error)) ||
    (err && ((err as NodeJS.ErrnoException).code ?? err.name)) ||
    'unknown failure';
  if (debug) return `${PRODUCT_NAME}: ${words}\n${plainStack(error)}`;
  return `${PRODUCT_NAME}: ${words} (--debug shows where)\n`;
}

/** One line on stderr and the exit code for anything a command throws. */
function report(io: CliIo, error: unknown, debug: boolean): number {
  // Quoted text from a server or the system may carry escapes or line breaks: one clean line.
  const line = (message: string) => {
    io.stderr(`${PRODUCT_NAME}: ${stripControlChars(message)}\n`);
    if (debug) io.stderr(plainStack(error));
  };
  if (error instanceof CliError) {
    line(error.message);
    return error.exitCode;
  }
  // The same refusal, in the same words, whether a running engine or this process gave it.
  const refusal = refusalOf(error);
  if (refusal) {
    line(refusal.message);
    return exitCodeFor(refusal.code);
  }
  const code = (error as { code?: unknown } | null | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
    line(`${(error as Error).message.split('. ')[0]} (see --help)`);
    return EXIT.usage;
  }
  io.stderr(unexpectedFailure(error, debug));
  return EXIT.failure;
}

/** Runs one command line and returns the exit code. */
export async function run(args: string[], io: CliIo): Promise<number> {
  const debug = debugRequested(args);
  try {
    const options = globals(withoutDebug(args));
    if (options.version) {
      io.stdout(`${io.version}\n`);
      return EXIT.ok;
    }
    const dir = configDir(options.dir, io);
    const [command, ...rest] = options.rest;
    if (options.help || command === undefined || command === 'help') {
      io.stdout(usage(io, dir));
      return options.help || command === 'help' ? EXIT.ok : EXIT.usage;
    }
    const handler = Object.hasOwn(COMMANDS, command) ? COMMANDS[command as CliCommand] : undefined;
    if (!handler) throw usageError(`unknown command "${command}" (see --help)`);
    const ctx = new CliContext(io, dir);
    try {
      return await handler(ctx, rest);
    } finally {
      await ctx.close();
    }
  } catch (error) {
    return report(io, error, debug);
  }
}
