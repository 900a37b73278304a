import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import {
  applyEnvironment,
  credentialProcessJson,
  PROFILE_VARIABLE,
  profileEnvironment,
  shellLines,
} from '../../core/aws/credential-output.js';
import type { ShellFormat } from '../../core/aws/credential-output.js';
import type { HandOut } from '../../core/engine/engine-api.js';
import { regionProblem } from '../../shared/fields.js';
import type { CommandInput } from '../command-specs.js';
import { childFiles, serverChildEnv } from '../credentials-server-env.js';
import { startCredentialsServer } from '../credentials-server.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT, failure, usageError } from '../errors.js';

/**
 * `credential-process NAME`: the JSON AWS SDKs read from a `credential_process` helper, and
 * nothing else on stdout. The bin's fast path answers first when it can (fast-credential-process.ts).
 */
export async function credentialProcess(
  ctx: CliContext,
  { positionals }: CommandInput<'credential-process'>,
): Promise<number> {
  const { credentials } = await ctx.engine().credentials(positionals[0]!);
  ctx.io.stdout(credentialProcessJson(credentials));
  return EXIT.ok;
}

/** The region `--region` names (checked), else the profile's. */
function regionOf(flag: string | undefined, handOut: HandOut): string | undefined {
  if (flag === undefined) return handOut.region ?? undefined;
  const problem = regionProblem(flag);
  if (problem) throw usageError(problem);
  return flag;
}

/**
 * `env NAME`: lines that put the credentials in a shell and take out what would compete with
 * them (another AWS_PROFILE, keys they do not set).
 */
export async function env(
  ctx: CliContext,
  { positionals, values }: CommandInput<'env'>,
): Promise<number> {
  const name = positionals[0]!;
  const handOut = await ctx.engine().credentials(name);
  const change = profileEnvironment(name, handOut.credentials, regionOf(values.region, handOut));
  ctx.io.stdout(shellLines(change, (values.format ?? 'env') as ShellFormat));
  return EXIT.ok;
}

/**
 * `exec NAME [-- COMMAND [ARGS...]]`: runs COMMAND (the user's shell when none) with the
 * credentials in its environment; with `--server`, with a credentials endpoint that keeps
 * handing out fresh ones while it runs.
 */
export async function exec(ctx: CliContext, input: CommandInput<'exec'>): Promise<number> {
  const name = input.positionals[0]!;
  const command = input.command.length > 0 ? input.command : [userShell(ctx.io.env)];
  const handOut = await ctx.engine().credentials(name);
  const region = regionOf(input.values.region, handOut);
  if (input.values.server)
    return execWithServer(ctx, name, command, {
      credentials: handOut.credentials,
      region: region ?? null,
    });
  const change = profileEnvironment(name, handOut.credentials, region);
  return runChild(command, applyEnvironment(ctx.io.env, change));
}

/** `$SHELL`, else the system's: `exec dev` with no command is a shell with dev's variables. */
function userShell(env: Record<string, string | undefined>): string {
  if (process.platform === 'win32') return env.ComSpec ?? env.COMSPEC ?? 'cmd.exe';
  return env.SHELL || '/bin/sh';
}

/**
 * The child asks a credentials server on loopback (credentials-server.ts) whenever its SDK wants
 * keys; the server lives exactly as long as the child (docs/engine.md "A credentials server for
 * long-running commands").
 */
async function execWithServer(
  ctx: CliContext,
  name: string,
  command: string[],
  first: HandOut,
): Promise<number> {
  const files = childFiles(ctx.io);
  try {
    const server = await startCredentialsServer({
      first: first.credentials,
      fetch: async () => (await ctx.engine().credentials(name)).credentials,
      clock: ctx.io.clock,
      warn: (message) => ctx.warn(`${name}: ${message}`),
    });
    try {
      const env = {
        ...serverChildEnv(ctx.io.env, {
          url: server.url,
          token: server.token,
          region: first.region,
          files,
        }),
        [PROFILE_VARIABLE]: name,
      };
      return await runChild(command, env);
    } finally {
      await server.close();
    }
  } finally {
    files.remove();
  }
}

/** The child's exit code (128 + the signal's number when a signal ended it), as a shell does. */
async function runChild(
  command: string[],
  env: Record<string, string | undefined>,
): Promise<number> {
  const child = spawn(command[0]!, command.slice(1), { stdio: 'inherit', env });
  // Ctrl-C reaches the child from the terminal; we wait for it to finish rather than die first.
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map(
    (signal) => [signal, signal === 'SIGINT' ? () => undefined : forward(signal)] as const,
  );
  for (const [signal, handler] of handlers) process.on(signal, handler);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) => {
        // As a shell says it: 127 when there is no such command, 126 when it cannot be run.
        if (error.code === 'ENOENT')
          reject(new CliError(EXIT.notFound, `${command[0]}: command not found`));
        else if (error.code === 'EACCES' || error.code === 'ENOEXEC' || error.code === 'EISDIR')
          reject(new CliError(EXIT.cannotRun, `cannot run ${command[0]}: ${error.code}`));
        else reject(failure(`cannot run ${command[0]}: ${error.code ?? error.message}`));
      });
      child.once('exit', (code, signal) =>
        resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)),
      );
    });
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}
