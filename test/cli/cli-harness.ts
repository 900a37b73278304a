import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserOpener, Clock } from '../../src/core/ports.js';
import { run } from '../../src/cli/run.js';
import { CLI_BIN } from '../support/daemon-process.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in-process with its own temporary HOME and settings folder, on the test's clock:
 * what a user would type, with nothing of the real home touched.
 */
export function cliHarness(options: {
  clock: Clock;
  env?: Record<string, string | undefined>;
  browser?: BrowserOpener;
}) {
  const home = mkdtempSync(join(tmpdir(), 'cli-home-'));
  const configDir = join(home, 'settings');
  const baseEnv = {
    HOME: home,
    VAULT_AWS_TRAY_CONFIG_DIR: configDir,
    PATH: process.env.PATH,
    ...options.env,
  };
  return {
    home,
    configDir,
    env: baseEnv,
    credentialsFile: join(home, '.aws', 'credentials'),
    configFile: join(home, '.aws', 'config'),
    async run(
      args: string[],
      extra: {
        env?: Record<string, string | undefined>;
        stdin?: string;
        signal?: AbortSignal;
        /** Sees stderr as it is written (what a user reads while a command waits). */
        onStderr?: (text: string) => void;
        /** Someone at the terminal: `stdin` then holds the answers to the questions asked. */
        tty?: boolean;
      } = {},
    ): Promise<CliRun> {
      let stdout = '';
      let stderr = '';
      const lines = (extra.stdin ?? '').split('\n');
      const code = await run(args, {
        stdout: (t) => (stdout += t),
        stderr: (t) => {
          stderr += t;
          extra.onStderr?.(t);
        },
        env: { ...baseEnv, ...extra.env },
        platform: 'linux',
        homedir: home,
        cwd: home,
        version: '0.0.0-test',
        clock: options.clock,
        stdinIsTty: extra.tty ?? false,
        readStdin: async () => extra.stdin ?? '',
        promptLine: async () => lines.shift() || undefined,
        browser: options.browser ?? {
          open: () => Promise.reject(new Error('no browser in this test')),
        },
        interruptSignal: () => extra.signal ?? new AbortController().signal,
        selfPath: resolve(CLI_BIN),
      });
      return { code, stdout, stderr };
    },
  };
}
