import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { run } from './run.js';

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

process.exitCode = run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  platform: process.platform,
  env: process.env,
  homedir: homedir(),
  version: packageVersion(),
});
