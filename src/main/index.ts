import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { homedir } from 'node:os';
import { app } from 'electron';
import { systemClock } from '../core/clock.js';
import { runTrayApp } from './app-lifecycle.js';
import { AUTOSTART_ARG } from './autostart-entry.js';
import { cliCommand, dataHome } from './cli-command.js';
import { outputDrained } from './output-drained.js';
import { assetsDirectory } from './tray/tray-icons.js';
import { cliArguments } from '../shared/cli-commands.js';
import { TrayApp } from './tray-app.js';

const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

/** The standalone CLI the package carries (cli-command.ts), so SDKs need no display. */
const commandOfLines = () =>
  cliCommand({
    packaged: app.isPackaged,
    platform: process.platform,
    resourcesPath: process.resourcesPath,
    execPath: process.execPath,
    appImage: process.env.APPIMAGE,
    dataHome: dataHome(process.env, homedir()),
    checkoutCommand: here('../../bin/vault-aws-tray.cjs'),
  });

const trayApp = new TrayApp(
  {
    preload: here('../preload/index.cjs'),
    page: here('../renderer/index.html'),
    trayIcons: assetsDirectory({
      packaged: app.isPackaged,
      resourcesPath: process.resourcesPath,
      appPath: app.getAppPath(),
    }),
    cliCommand: commandOfLines,
  },
  { startedAtLogin: process.argv.includes(AUTOSTART_ARG) },
);

/**
 * The app's binary as the `vault-aws-tray` command, for people who installed only the app:
 * `credential-process` answers from the running app's memory, anything else runs the CLI
 * (out/node/cli, packaged with the app), then the process exits without showing anything.
 */
async function runAsCli(args: string[]): Promise<void> {
  const fast = createRequire(import.meta.url)(here('../node/cli/credential-process-fast.cjs')) as {
    fastCredentialProcess(args: string[], environment: object): Promise<number | undefined>;
  };
  let code = await fast.fastCredentialProcess(args, {
    env: process.env,
    platform: process.platform,
    homedir: app.getPath('home'),
  });
  if (code === undefined) {
    // The CLI reads its arguments after the script's path, as under node; that path is what the
    // lines it writes run, so they too name the standalone CLI.
    process.argv = [process.execPath, commandOfLines().command, ...args];
    await import(pathToFileURL(here('../node/cli/main.js')).href);
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  }
  // app.exit does not wait for a Windows pipe to take what was written (output-drained.ts).
  await outputDrained([process.stdout, process.stderr], systemClock);
  app.exit(code);
}

const cli = cliArguments(process.argv, app.isPackaged ? 1 : 2);
if (cli) void runAsCli(cli);
else runTrayApp(trayApp, { platform: process.platform, clock: systemClock });
