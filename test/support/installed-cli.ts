import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Stack } from './stack.js';

const run = promisify(execFile);

export interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * An installed `vault-aws-tray` (the npm package's bin, or the single executable) run as a child
 * process by its path, as a shell or an SDK runs it: its own HOME and settings folder, its cwd in
 * that HOME (outside the checkout, so no node_modules of the repository is reachable).
 */
export function installedCli(command: string, options: { path: string }) {
  const home = mkdtempSync(join(tmpdir(), 'installed-cli-home-'));
  const configDir = join(home, 'settings');
  mkdirSync(join(home, '.aws'));
  const env = { HOME: home, VAULT_AWS_TRAY_CONFIG_DIR: configDir, PATH: options.path };
  return {
    home,
    configDir,
    env,
    credentialsFile: join(home, '.aws', 'credentials'),
    configFile: join(home, '.aws', 'config'),
    async run(args: string[], extra: Record<string, string> = {}): Promise<CommandRun> {
      try {
        const { stdout, stderr } = await run(command, args, {
          cwd: home,
          env: { ...env, ...extra },
        });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const e = error as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    },
    /** `daemon`, resolved once it answers on its socket; stop() sends SIGTERM and waits. */
    async daemon() {
      const child = spawn(command, ['daemon'], {
        cwd: home,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      const exited = new Promise<number | string>((resolve) =>
        child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
      );
      // 60 s for a loaded machine; a daemon that never answers is killed, not left behind.
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`the daemon did not answer within 60 s:\n${stderr}`));
        }, 60_000);
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          if (!/answering the CLI on /.test(stderr)) return;
          clearTimeout(timer);
          resolve();
        });
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`the daemon exited:\n${stderr}`));
        });
      });
      return {
        child,
        stderr: () => stderr,
        async stop(): Promise<number | string> {
          child.kill('SIGTERM');
          return exited;
        },
      };
    },
  };
}

/** Signs `cli` in with a fresh token of the dev policy (the token method: no browser). */
export async function tokenLogin(
  cli: ReturnType<typeof installedCli>,
  stack: Stack,
): Promise<CommandRun> {
  const token = stack.vault.createToken({
    policies: ['aws-dev-readonly'],
    ttlSeconds: 3600,
    displayName: 'alice',
  });
  return cli.run(['login', '--method', 'token', '--addr', stack.vault.url], { VAULT_TOKEN: token });
}

/** How many times Vault handed out dev-readonly credentials. */
export const devReads = (stack: Stack): number =>
  stack.vault.requests.filter((r) => r.path === '/v1/aws/creds/dev-readonly').length;
