import type { Clock } from '../core/ports.js';

/** The part of process.stdout and process.stderr that tells when written output has left. */
export interface DrainableOutput {
  readonly writableLength: number;
  write(chunk: string, callback: (error?: Error | null) => void): boolean;
}

/**
 * Resolves once everything written to `streams` has been handed to the OS, or after `boundMs`
 * (a reader that never reads must not keep the process). On Windows a pipe is asynchronous
 * (Node's process documentation, "A note on process I/O") and `app.exit` does not wait for it,
 * so credential_process output would be cut short: an empty write's callback runs after every
 * earlier write has completed.
 */
export function outputDrained(
  streams: DrainableOutput[],
  clock: Clock,
  boundMs = 5_000,
): Promise<void> {
  const pending = streams
    .filter((stream) => stream.writableLength > 0)
    .map((stream) => new Promise<void>((resolve) => stream.write('', () => resolve())));
  if (pending.length === 0) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = clock.setTimeout(resolve, boundMs);
    void Promise.all(pending).then(() => {
      clock.clearTimeout(timer);
      resolve();
    });
  });
}
