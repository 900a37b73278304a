import { launchBrowser } from '../core/browser-command.js';
import type { BrowserOpener } from '../core/ports.js';

/** The command that opens a URL: `$BROWSER` (a `:`-separated list, `%s` for the URL), else the OS's. */
export function browserCommands(
  env: Record<string, string | undefined>,
  platform: string,
): string[][] {
  if (env.BROWSER) {
    return env.BROWSER.split(':')
      .filter(Boolean)
      .map((entry) => entry.trim().split(/\s+/));
  }
  if (platform === 'darwin') return [['open']];
  if (platform === 'win32') return [['rundll32', 'url.dll,FileProtocolHandler']];
  return [['xdg-open']];
}

/** Opens the sign-in page the way the user's desktop (or `$BROWSER`) does; does not wait for it. */
export function systemBrowser(
  env: Record<string, string | undefined>,
  platform: string,
): BrowserOpener {
  return {
    async open(url) {
      if (!/^https?:\/\//.test(url)) throw new Error('only http and https addresses are opened');
      let lastError: unknown;
      for (const command of browserCommands(env, platform)) {
        try {
          return await launchBrowser(command, url, env);
        } catch (error) {
          lastError = error;
        }
      }
      throw lastError instanceof Error ? lastError : new Error('no browser command worked');
    },
  };
}
