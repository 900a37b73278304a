import { refusalOf } from '../core/engine/engine-errors.js';
import { PRODUCT_NAME } from '../shared/app.js';
import { configDir } from '../shared/paths.js';
import { stripControlChars } from '../shared/strip-control.js';
import { consoleCommand } from './commands/console.js';
import { credentialProcess, env, exec } from './commands/credentials.js';
import { daemon } from './commands/daemon.js';
import { doctor } from './commands/doctor.js';
import { login } from './commands/login.js';
import { logout } from './commands/logout.js';
import { profileAdd, profileList, profileRemove, profileSet } from './commands/profile.js';
import { completion } from './commands/completion.js';
import { commandHelp, helpTopic, parseCommandLine, topLevelHelp } from './command-line.js';
import type { CommandId, CommandInput } from './command-specs.js';
import { refresh } from './commands/refresh.js';
import { reset, setup } from './commands/setup.js';
import { status } from './commands/status.js';
import { CliContext } from './context.js';
import type { CliIo } from './context.js';
import { CliError, EXIT, exitCodeFor } from './errors.js';

export { EXIT } from './errors.js';
export type { CliIo } from './context.js';

type Handler<C extends CommandId> = (ctx: CliContext, input: CommandInput<C>) => Promise<number>;

// One handler per declared command (command-specs.ts): tsc names a command without one.
const COMMANDS: { [C in Exclude<CommandId, 'help'>]: Handler<C> } = {
  login,
  logout,
  'profile add': profileAdd,
  'profile set': profileSet,
  'profile remove': profileRemove,
  'profile list': profileList,
  refresh,
  status,
  doctor,
  daemon,
  'credential-process': credentialProcess,
  console: consoleCommand,
  setup,
  reset,
  env,
  exec,
  completion,
};

/**
 * `--debug` anywhere before a `--` (what follows it is another program's), so it can be added to
 * the end of a command line that failed.
 */
export function debugRequested(args: string[]): boolean {
  const dash = args.indexOf('--');
  return (dash < 0 ? args : args.slice(0, dash)).includes('--debug');
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
    const line = parseCommandLine(args);
    const dir = configDir(line.values['config-dir'] as string | undefined, io);
    if (line.version) {
      io.stdout(`${io.version}\n`);
      return EXIT.ok;
    }
    if (line.id !== undefined && line.values.help) {
      io.stdout(commandHelp(line.id));
      return EXIT.ok;
    }
    if (line.id === undefined || line.id === 'help') {
      const topic = line.id === 'help' ? helpTopic(line.positionals) : undefined;
      io.stdout(topic ? commandHelp(topic) : topLevelHelp(io.version, dir));
      return line.id === undefined && !line.values.help ? EXIT.usage : EXIT.ok;
    }
    const handler = COMMANDS[line.id] as Handler<CommandId>;
    const ctx = new CliContext(io, dir);
    try {
      return await handler(ctx, line as CommandInput<CommandId>);
    } finally {
      await ctx.close();
    }
  } catch (error) {
    return report(io, error, debug);
  }
}
