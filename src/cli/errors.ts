/** Exit codes are part of the CLI's public contract (docs/architecture.md "Contracts"). */
import type { EngineErrorCode } from '../core/engine/engine-protocol.js';

/** Exit codes: 126 and 127 as a shell has them, for `exec`'s command. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  signInNeeded: 3,
  cannotRun: 126,
  notFound: 127,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as one line on stderr, with its exit code. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
  }
}

/** The exit code for an engine's refusal, whichever engine gave it. */
export function exitCodeFor(code: EngineErrorCode): ExitCode {
  if (code === 'sign_in_needed') return EXIT.signInNeeded;
  if (code === 'bad_request') return EXIT.usage;
  return EXIT.failure;
}

export const usageError = (message: string) => new CliError(EXIT.usage, message);
export const failure = (message: string) => new CliError(EXIT.failure, message);
