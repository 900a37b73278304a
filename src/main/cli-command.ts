/**
 * Which `vault-aws-tray` command the app's credential_process lines run. Packaged, the standalone
 * CLI of `npm run dist:cli` that electron-builder.yml puts in the resources (`bin/`): it is plain
 * Node, so SSH sessions, cron and containers get credentials without a display, which the
 * Electron binary cannot start without (README, "The command without Node").
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, statSync, utimesSync } from 'node:fs';
import { dirname, join, posix, win32 } from 'node:path';
import { PRODUCT_NAME } from '../shared/app.js';
import { STANDALONE_CLI_FOLDER, standaloneCliResourceName } from '../shared/standalone-cli.js';

export interface CliCommandChoice {
  /** The absolute path credential_process lines name. */
  command: string;
  /** Set when the lines fall back to the app's binary: why, for the log and `doctor`. */
  problem?: string;
}

export interface CliCommandPlace {
  packaged: boolean;
  platform: NodeJS.Platform;
  /** `process.resourcesPath`. */
  resourcesPath: string;
  /** `process.execPath`: the app's binary. */
  execPath: string;
  /** `$APPIMAGE`: the AppImage file, whose mount (and resources) moves on every start. */
  appImage?: string;
  /** A stable folder of the user's for the AppImage's copy of the CLI (`$XDG_DATA_HOME`). */
  dataHome: string;
  /** The command from a checkout (bin/vault-aws-tray.cjs). */
  checkoutCommand: string;
}

/** Where extraResources puts the standalone CLI inside a package's resources folder. */
export function packagedCliPath(resourcesPath: string, platform: string): string {
  const path = platform === 'win32' ? win32 : posix;
  return path.join(resourcesPath, STANDALONE_CLI_FOLDER, standaloneCliResourceName(platform));
}

/**
 * The CLI inside an AppImage lives under a mount that moves on every start, so it is copied to
 * `<dataHome>/vault-aws-tray/bin/` (again when the app's copy changed) and the lines name that.
 */
export function appImageCliCopy(dataHome: string): string {
  return join(dataHome, PRODUCT_NAME, STANDALONE_CLI_FOLDER, standaloneCliResourceName('linux'));
}

/**
 * Copies `from` to `to` unless `to` has its size and modification time (stat only: the file is
 * about 100 MB); renamed in, so an SDK running the old copy never sees a half-written file.
 */
export function installCopy(from: string, to: string): void {
  const source = statSync(from);
  const target = existsSync(to) ? statSync(to) : undefined;
  // utimes keeps about a millisecond of the time; stat reports nanoseconds.
  if (target?.size === source.size && Math.abs(target.mtimeMs - source.mtimeMs) < 1) return;
  mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
  const partial = `${to}.partial`;
  copyFileSync(from, partial);
  utimesSync(partial, source.atimeMs / 1000, source.mtimeMs / 1000);
  renameSync(partial, to);
}

/** The command for credential_process lines, falling back to the app's binary when it must. */
export function cliCommand(
  place: CliCommandPlace,
  files: { exists(path: string): boolean; install(from: string, to: string): void } = {
    exists: existsSync,
    install: installCopy,
  },
): CliCommandChoice {
  if (!place.packaged) return { command: place.checkoutCommand };
  const appBinary = place.appImage ?? place.execPath;
  const bundled = packagedCliPath(place.resourcesPath, place.platform);
  const fallback = (why: string): CliCommandChoice => ({
    command: appBinary,
    problem: `${why}; credential_process lines run the app's binary ${appBinary} instead, which needs a desktop session (no SSH, cron or containers)`,
  });
  if (!files.exists(bundled)) return fallback(`the standalone CLI ${bundled} is missing`);
  if (place.appImage === undefined) return { command: bundled };
  const copy = appImageCliCopy(place.dataHome);
  try {
    files.install(bundled, copy);
  } catch (error) {
    return fallback(`cannot copy the standalone CLI to ${copy}: ${(error as Error).message}`);
  }
  return { command: copy };
}

/** `$XDG_DATA_HOME`, or `~/.local/share` (the XDG base directory default). */
export function dataHome(env: NodeJS.ProcessEnv, homedir: string): string {
  return env.XDG_DATA_HOME || join(homedir, '.local', 'share');
}
