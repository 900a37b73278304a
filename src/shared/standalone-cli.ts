/**
 * The names of the standalone CLI (`npm run dist:cli`, scripts/dist-cli.ts) where it is made and
 * where the app's packages carry it (electron-builder.yml `extraResources`). Pure strings: the
 * script, the app and test/repo/packaging.test.ts agree through this one module.
 */

const OS_NAMES: Record<string, string> = { linux: 'linux', darwin: 'macos', win32: 'windows' };

/** `dist/`'s file for an OS and CPU: `vault-aws-tray-linux-x64`, `vault-aws-tray-windows-x64.exe`. */
export function standaloneCliDistName(platform: string, arch: string): string {
  const os = OS_NAMES[platform] ?? platform;
  return `vault-aws-tray-${os}-${arch}${platform === 'win32' ? '.exe' : ''}`;
}

/** The folder under the app's resources (`process.resourcesPath`) that holds the CLI. */
export const STANDALONE_CLI_FOLDER = 'bin';

/** The CLI's file name inside the app's resources. */
export function standaloneCliResourceName(platform: string): string {
  return platform === 'win32' ? 'vault-aws-tray.exe' : 'vault-aws-tray';
}
