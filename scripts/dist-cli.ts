/**
 * `npm run dist:cli`: the CLI as one executable that needs no Node, made with Node's single
 * executable applications from the node binary running this script (so on each OS for that OS):
 * esbuild bundles src/cli/standalone.ts into one CommonJS file, Node turns it into a blob
 * (sea-config.json), postject injects the blob into a copy of node. Writes
 * dist/vault-aws-tray-<os>-<arch> and its .sha256 (docs/install.md).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { build } from 'esbuild';
import { standaloneCliDistName } from '../src/shared/standalone-cli.js';

/** Node's documented fuse: postject flips it so the binary looks for its blob. */
const SENTINEL_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const config = JSON.parse(readFileSync('sea-config.json', 'utf8')) as {
  main: string;
  output: string;
};
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
// The name electron-builder.yml's extraResources takes it from, for the app's packages.
const binary = join('dist', standaloneCliDistName(process.platform, process.arch));

/** Runs a step quietly (postject warns about ELF notes it leaves alone); its output on failure. */
function run(command: string, args: string[]): void {
  try {
    execFileSync(command, args, { stdio: 'pipe' });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    process.stderr.write(`${stdout ?? ''}${stderr ?? ''}`);
    throw error;
  }
}

// A single executable can require Node's builtins only: every package goes into the bundle.
mkdirSync(dirname(config.main), { recursive: true });
await build({
  entryPoints: ['src/cli/standalone.ts'],
  outfile: config.main,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  define: { VAULT_AWS_TRAY_VERSION: JSON.stringify(version) },
  logLevel: 'warning',
});
run(process.execPath, ['--experimental-sea-config', 'sea-config.json']);

// Made beside the result and renamed over it: a binary being run is never half written.
const partial = `${binary}.partial`;
copyFileSync(process.execPath, partial);
chmodSync(partial, 0o755);
// Node's SEA steps: macOS's node is signed and must be unsigned before and signed after the
// injection; on Windows removing the signature is optional (postject then warns).
if (process.platform === 'darwin') run('codesign', ['--remove-signature', partial]);
const postject = createRequire(import.meta.url).resolve('postject/dist/cli.js');
run(process.execPath, [
  postject,
  partial,
  'NODE_SEA_BLOB',
  config.output,
  '--sentinel-fuse',
  SENTINEL_FUSE,
  ...(process.platform === 'darwin' ? ['--macho-segment-name', 'NODE_SEA'] : []),
]);
if (process.platform === 'darwin') run('codesign', ['--sign', '-', partial]);
renameSync(partial, binary);

// `sha256sum -c` (or `shasum -a 256 -c`) in dist/ checks it.
const sum = createHash('sha256').update(readFileSync(binary)).digest('hex');
writeFileSync(`${binary}.sha256`, `${sum}  ${basename(binary)}\n`);
process.stdout.write(`${binary}\n${binary}.sha256\n`);
