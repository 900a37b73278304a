/**
 * The entry of the single executable (`npm run dist:cli`, scripts/dist-cli.ts): esbuild bundles
 * it with everything it imports into one CommonJS file, since a single executable can require
 * only Node's builtins. It dispatches as bin/vault-aws-tray.cjs does: `credential-process` from
 * the fast path first, and the full CLI, loaded only when needed, for everything else.
 */
import { homedir } from 'node:os';
import { fastCredentialProcess } from './fast-credential-process.js';

/** The package's version, set by the bundler (there is no package.json beside a binary). */
declare const VAULT_AWS_TRAY_VERSION: string | undefined;

async function main(): Promise<void> {
  const code = await fastCredentialProcess(process.argv.slice(2), {
    env: process.env,
    platform: process.platform,
    get homedir() {
      return homedir();
    },
  });
  // Its answer is written (synchronously): out at once, without waiting for a socket's teardown.
  if (code !== undefined) process.exit(code);
  // A dynamic import, so the bundle runs the CLI's modules only when the fast path did not answer.
  const { runCliProcess } = await import('./cli-process.js');
  await runCliProcess(
    typeof VAULT_AWS_TRAY_VERSION === 'string' ? VAULT_AWS_TRAY_VERSION : 'unknown',
  );
}

void main();
