import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { parseArgs } from 'node:util';
import {
  credentialProcessJson,
  credentialVariables,
  SHELL_FORMATS,
  shellLines,
} from '../../core/aws/credential-output.js';
import type { ShellFormat } from '../../core/aws/credential-output.js';
import type { HandOut } from '../../core/engine/engine-api.js';
import { childFiles, serverChildEnv } from '../credentials-server-env.js';
import { startCredentialsServer } from '../credentials-server.js';
import type { CliContext } from '../context.js';
import { EXIT, failure, usageError } from '../errors.js';

function oneName(positionals: string[], usage: string): string {
  if (positionals.length !== 1) throw usageError(`usage: vault-aws-tray ${usage}`);
  return positionals[0]!;
}

/**
 * `credential-process NAME`: the JSON AWS SDKs read from a `credential_process` helper, and
 * nothing else on stdout. The bin's fast path answers first when it can (fast-credential-process.ts).
 */
export async function credentialProcess(ctx: CliContext, args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const name = oneName(positionals, 'credential-process NAME');
  const { credentials } = await ctx.engine().credentials(name);
  ctx.io.stdout(credentialProcessJson(credentials));
  return EXIT.ok;
}

/** `env NAME [--format env|fish|powershell]`: lines that put the credentials in a shell. */
export async function env(ctx: CliContext, args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { format: { type: 'string', default: 'env' } },
  });
  const name = oneName(positionals, 'env NAME [--format env|fish|powershell]');
  const format = values.format as ShellFormat;
  if (!SHELL_FORMATS.includes(format))
    throw usageError(`--format must be one of ${SHELL_FORMATS.join(', ')}, not "${format}"`);
  const { credentials, region } = await ctx.engine().credentials(name);
  ctx.io.stdout(shellLines(credentialVariables(credentials, region ?? undefined), format));
  return EXIT.ok;
}

const EXEC_USAGE = 'exec [--server] NAME -- COMMAND [ARGS...]';

/**
 * `exec NAME -- COMMAND [ARGS...]`: runs COMMAND with the credentials in its environment; with
 * `--server`, with a credentials endpoint that keeps handing out fresh ones while it runs.
 */
export async function exec(ctx: CliContext, args: string[]): Promise<number> {
  const dash = args.indexOf('--');
  const command = dash < 0 ? [] : args.slice(dash + 1);
  const { positionals, values } = parseArgs({
    args: dash < 0 ? args : args.slice(0, dash),
    allowPositionals: true,
    options: { server: { type: 'boolean', default: false } },
  });
  const name = oneName(positionals, EXEC_USAGE);
  if (command.length === 0) throw usageError(`usage: vault-aws-tray ${EXEC_USAGE}`);
  const { credentials, region } = await ctx.engine().credentials(name);
  if (values.server) return execWithServer(ctx, name, command, { credentials, region });
  const childEnv = {
    ...ctx.io.env,
    ...Object.fromEntries(credentialVariables(credentials, region ?? undefined)),
  };
  return runChild(command, childEnv);
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
      const env = serverChildEnv(ctx.io.env, {
        url: server.url,
        token: server.token,
        region: first.region,
        files,
      });
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
      child.once('error', (error) =>
        reject(
          failure(
            `cannot run ${command[0]}: ${(error as NodeJS.ErrnoException).code ?? error.message}`,
          ),
        ),
      );
      child.once('exit', (code, signal) =>
        resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)),
      );
    });
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}
