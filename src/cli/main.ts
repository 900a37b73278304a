import { readFileSync } from 'node:fs';
import { runCliProcess } from './cli-process.js';

/** The package's version, from the package.json above this file (source or compiled). */
function packageVersion(): string {
  let dir = new URL('.', import.meta.url);
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'vault-aws-tray' && pkg.version) return pkg.version;
    } catch {
      // Not here; look one folder up.
    }
    dir = new URL('..', dir);
  }
  return 'unknown';
}

await runCliProcess(packageVersion());
