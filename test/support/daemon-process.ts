import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

export const CLI_BIN = 'bin/vault-aws-tray.cjs';

export interface DaemonProcess {
  child: ChildProcess;
  /** Everything it wrote on stderr so far. */
  stderr(): string;
  stdout(): string;
  /** Resolves with the `nth` stderr line matching (the first by default), once it is there. */
  waitFor(pattern: RegExp, options?: { nth?: number; timeoutMs?: number }): Promise<string>;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

/** The built `vault-aws-tray daemon`, a real process as a user or systemd would start it. */
export function startDaemon(
  env: Record<string, string | undefined>,
  options: { onStderr?: (text: string) => void } = {},
): DaemonProcess {
  const child = spawn(process.execPath, [CLI_BIN, 'daemon'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  const waiters = new Set<() => void>();
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    options.onStderr?.(chunk.toString());
    for (const check of waiters) check();
  });
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const check of waiters) check();
      resolve(code ?? signal ?? -1);
    }),
  );
  return {
    child,
    stderr: () => stderr,
    stdout: () => stdout,
    exited,
    waitFor(pattern, { nth = 1, timeoutMs = 20_000 } = {}) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${stderr}`));
        }, timeoutMs);
        const check = () => {
          const line = stderr.split('\n').filter((l) => pattern.test(l))[nth - 1];
          if (line !== undefined || child.exitCode !== null || child.signalCode !== null) {
            clearTimeout(timer);
            waiters.delete(check);
            if (line !== undefined) resolve(line);
            else reject(new Error(`the daemon exited before ${pattern}:\n${stderr}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
  };
}
