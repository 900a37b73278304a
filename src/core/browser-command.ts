import { spawn } from 'node:child_process';
import { desktopEnvironment } from './desktop-environment.js';
import type { BrowserOpener } from './ports.js';

/**
 * Starts a browser command with `url` and does not wait for it: the URL replaces `{url}` or `%s`
 * in the arguments, or comes last. No shell: the command is split on whitespace, and the child
 * gets only the desktop session's variables.
 */
export function launchBrowser(
  command: readonly string[],
  url: string,
  env: Record<string, string | undefined>,
): Promise<void> {
  const rest = command.slice(1);
  const placeholder = /\{url\}|%s/g;
  // A function replacement: `$&` and the like in a URL stay as they are.
  const args = rest.some((a) => a.match(placeholder))
    ? rest.map((a) => a.replace(placeholder, () => url))
    : [...rest, url];
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, args, {
      env: desktopEnvironment(env),
      detached: true,
      stdio: 'ignore',
    });
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}

/**
 * A browser chosen by the user, e.g. `firefox -P work --new-window {url}`: `--browser` or the
 * `console.browser` setting, to send each AWS account's console to its own browser profile.
 */
export function commandBrowser(
  command: string,
  env: Record<string, string | undefined>,
): BrowserOpener {
  const words = command.trim().split(/\s+/).filter(Boolean);
  return {
    async open(url) {
      if (words.length === 0) throw new Error('the browser command is empty');
      if (!/^https?:\/\//.test(url)) throw new Error('only http and https addresses are opened');
      await launchBrowser(words, url, env);
    },
  };
}
