/** The daemon benchmark runs the built CLI: build it when it is missing or older than its sources. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const CLI_MAIN = 'out/node/cli/main.js';
const SOURCES = ['src/cli', 'src/core', 'src/shared'];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts'))
      newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Returns whether it had to build. */
export function ensureCliBuilt(): boolean {
  const built = existsSync(CLI_MAIN) ? statSync(CLI_MAIN).mtimeMs : 0;
  if (built >= Math.max(...SOURCES.map(newestMtime))) return false;
  // tsc reports on stdout: send it to stderr, away from the Markdown.
  execFileSync('npm', ['run', '--silent', 'build:cli'], { stdio: ['ignore', 2, 2] });
  return true;
}
