import { PRODUCT_NAME } from './app.js';

/** What the folder computation reads from the process, passed in so it stays pure. */
export interface PathEnvironment {
  platform: string;
  env: Record<string, string | undefined>;
  homedir: string;
}

function join(platform: string, ...parts: string[]): string {
  const sep = platform === 'win32' ? '\\' : '/';
  return parts
    .map((p, i) => (i === 0 ? p.replace(/[\\/]+$/, '') : p.replace(/^[\\/]+|[\\/]+$/g, '')))
    .join(sep);
}

/**
 * Electron's `app.getPath('userData')` for this app, computed the same way in the CLI, so the tray
 * app and the CLI share one settings folder: appData (`$XDG_CONFIG_HOME` or `~/.config`,
 * `~/Library/Application Support`, `%APPDATA%`) plus the productName.
 */
export function userDataDir({ platform, env, homedir }: PathEnvironment): string {
  if (platform === 'darwin')
    return join(platform, homedir, 'Library', 'Application Support', PRODUCT_NAME);
  if (platform === 'win32') {
    return join(
      platform,
      env.APPDATA || join(platform, homedir, 'AppData', 'Roaming'),
      PRODUCT_NAME,
    );
  }
  return join(platform, env.XDG_CONFIG_HOME || join(platform, homedir, '.config'), PRODUCT_NAME);
}

/** The settings folder: `--config-dir` beats `VAULT_AWS_TRAY_CONFIG_DIR`, which beats userData. */
export function configDir(flag: string | undefined, environment: PathEnvironment): string {
  return flag || environment.env.VAULT_AWS_TRAY_CONFIG_DIR || userDataDir(environment);
}

/**
 * Where device management presets the app (docs/team-settings.md): a team file the app applies
 * on its first start. Machine-wide, so outside any user's folder.
 */
export function systemDefaultsFile({ platform, env }: Omit<PathEnvironment, 'homedir'>): string {
  if (platform === 'darwin')
    return join(platform, '/Library', 'Application Support', PRODUCT_NAME, 'defaults.json');
  if (platform === 'win32')
    return join(platform, env.ProgramData || 'C:\\ProgramData', PRODUCT_NAME, 'defaults.json');
  return join(platform, '/etc', PRODUCT_NAME, 'defaults.json');
}
