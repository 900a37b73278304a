/** Exit codes are part of the CLI's public contract (design.md "Contracts"). */
export const EXIT = { ok: 0, failure: 1, usage: 2, signInNeeded: 3 } as const;
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

/** The exit code for an engine's refusal (the codes of src/core/engine/engine-endpoint.ts). */
export function engineExitCode(code: string): ExitCode {
  if (code === 'sign_in_needed') return EXIT.signInNeeded;
  if (code === 'bad_request') return EXIT.usage;
  return EXIT.failure;
}

export const usageError = (message: string) => new CliError(EXIT.usage, message);
export const failure = (message: string) => new CliError(EXIT.failure, message);
export const signInNeeded = (message: string) => new CliError(EXIT.signInNeeded, message);
