/**
 * `npm start`: launches the built tray app with the Electron binary of node_modules/electron.
 * Without that binary (it is downloaded at install time, which needs the network) or without a
 * display, it says so in one line and points to the daemon, which needs neither.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ELECTRON = join('node_modules', 'electron');
const DAEMON = 'run `vault-aws-tray daemon` (see README) for the same refreshes without the tray';

function fail(message: string): never {
  process.stderr.write(`vault-aws-tray: ${message}; ${DAEMON}\n`);
  process.exit(1);
}

/** The binary's path as the electron package records it, without its download-on-require. */
function electronBinary(): string | undefined {
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const pathFile = join(ELECTRON, 'path.txt');
  if (!existsSync(pathFile) && !override) return undefined;
  const binary = join(override ?? join(ELECTRON, 'dist'), readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

const binary = electronBinary();
if (!binary)
  fail(
    'the Electron binary is not installed (`npm ci` downloads it from GitHub, which this machine cannot reach)',
  );
if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
  fail('there is no display to show a tray on (neither DISPLAY nor WAYLAND_DISPLAY is set)');
const child = spawn(binary, ['.'], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 1));
