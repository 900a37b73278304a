/**
 * The CLI as a process: stdin, stdout, signals and the command's path, given to `run`. Shared by
 * main.ts (Node runs the compiled bin) and standalone.ts (the single executable of
 * `npm run dist:cli`), which differ only in where the version and the command come from.
 */
import { homedir } from 'node:os';
import { createInterface } from 'node:readline';
import { systemClock } from '../core/clock.js';
import { systemBrowser } from './browser-opener.js';
import { debugRequested, run, unexpectedFailure } from './run.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A line from the terminal after a question on stderr; from a pipe, its first line. */
async function promptLine(question: string): Promise<string | undefined> {
  if (process.stdin.isTTY) process.stderr.write(`${question}: `);
  const lines = createInterface({ input: process.stdin, terminal: false });
  try {
    for await (const line of lines) return line;
    return undefined;
  } finally {
    lines.close();
  }
}

function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => controller.abort());
  return controller.signal;
}

/**
 * What credential_process lines call: a single executable names itself (its argv[1] is only what
 * the shell typed), Node the bin script it runs. node:sea is loaded only when a line is written.
 */
export function commandPath(): string {
  return process.getBuiltinModule('node:sea').isSea() ? process.execPath : process.argv[1]!;
}

/** Runs the command in process.argv and sets the exit code. */
export async function runCliProcess(version: string): Promise<void> {
  const args = process.argv.slice(2);

  // A failure outside a command's own (a stream, a timer, a promise nobody awaited) is still one
  // line and exit code 1, not Node's stack trace; --debug adds the stack.
  process.on('uncaughtException', (error) => {
    process.stderr.write(unexpectedFailure(error, debugRequested(args)));
    process.exit(1);
  });

  // `vault-aws-tray status | head -1`: a reader that stops early is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });

  process.exitCode = await run(args, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    platform: process.platform,
    homedir: homedir(),
    cwd: process.cwd(),
    version,
    clock: systemClock,
    stdinIsTty: Boolean(process.stdin.isTTY),
    readStdin,
    promptLine,
    browser: systemBrowser(process.env, process.platform),
    interruptSignal,
    get selfPath() {
      return commandPath();
    },
  });
}
