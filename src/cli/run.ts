import { parseArgs } from 'node:util';
import { PRODUCT_NAME } from '../shared/app.js';
import { configDir } from '../shared/paths.js';
import type { PathEnvironment } from '../shared/paths.js';

/** Exit codes are part of the CLI's public contract (design.md). */
export const EXIT = { ok: 0, failure: 1, usage: 2, signInNeeded: 3 } as const;

export interface CliIo extends PathEnvironment {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  version: string;
}

function usage(io: CliIo, dir: string): string {
  return [
    `usage: ${PRODUCT_NAME} [--config-dir DIR] [--help] [--version]`,
    '',
    'Keeps named AWS profiles fresh from HashiCorp Vault.',
    '',
    'options:',
    '  --config-dir DIR  settings folder (also VAULT_AWS_TRAY_CONFIG_DIR)',
    `                    now: ${dir}`,
    '  --help            show this help',
    `  --version         print the version (${io.version})`,
    '',
  ].join('\n');
}

/** Runs one command line; returns the exit code. Every error is one line on stderr. */
export function run(args: string[], io: CliIo): number {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        'config-dir': { type: 'string' },
        help: { type: 'boolean' },
        version: { type: 'boolean' },
      },
      allowPositionals: true,
    });
  } catch (error) {
    io.stderr(`${PRODUCT_NAME}: ${(error as Error).message}\n`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    io.stdout(`${io.version}\n`);
    return EXIT.ok;
  }
  const dir = configDir(values['config-dir'], io);
  if (values.help || positionals.length === 0) {
    io.stdout(usage(io, dir));
    return values.help ? EXIT.ok : EXIT.usage;
  }
  io.stderr(`${PRODUCT_NAME}: unknown command "${positionals[0]}" (see --help)\n`);
  return EXIT.usage;
}
