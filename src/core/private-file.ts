import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * Makes `folder` and any missing parents, 0700, one at a time: Node's recursive mkdir never
 * returns for a path it cannot create under a file system that answers ENOENT for every name
 * (a `--config-dir` under /proc spun forever); here the refusal surfaces as an error.
 */
export function makePrivateFolder(folder: string): void {
  const missing: string[] = [];
  for (let at = resolve(folder); !existsSync(at); at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const each of missing) {
    try {
      mkdirSync(each, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Made meanwhile by another process, or a link to nowhere (stat says which).
      if (!statSync(each).isDirectory()) throw error;
    }
  }
}

/**
 * Replaces a small file of the app's own (settings-folder state, the CLI's token file) at once:
 * a 0600 temp file beside it, then a rename, in a folder created 0700. A reader sees the old or
 * the new content, never half of one.
 */
export async function writePrivateFile(path: string, text: string): Promise<void> {
  makePrivateFolder(dirname(path));
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text, { mode: 0o600 });
    await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
}
