import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./writer-child.ts', import.meta.url));

/**
 * Bundles the writer child into one .mjs: node starts it in a few tens of milliseconds, where
 * `node --import tsx` needs several hundred, which would dominate a thousand restarts.
 */
export async function bundleWriterChild(outDir: string): Promise<string> {
  const outfile = path.join(outDir, 'writer-child.mjs');
  await build({
    entryPoints: [CHILD],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}
