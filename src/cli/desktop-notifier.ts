import { spawn } from 'node:child_process';
import type { Notifier } from '../core/ports.js';
import { redactSecrets } from '../core/redact.js';
import { PRODUCT_NAME } from '../shared/app.js';
import { stripControlChars } from '../shared/strip-control.js';
import { desktopEnvironment } from '../core/desktop-environment.js';

/**
 * The CLI's notices: a line on stderr always, and a desktop notification through `notify-send`
 * (libnotify) when it is on PATH. A missing notify-send is remembered, not retried. A notice may
 * quote an error from Vault, so it is redacted like a log line, and made one plain line.
 */
export function desktopNotifier(
  stderr: (text: string) => void,
  env: Record<string, string | undefined>,
): Notifier {
  let missing = false;
  return {
    notify(notice) {
      const title = stripControlChars(redactSecrets(notice.title));
      const body = stripControlChars(redactSecrets(notice.body));
      stderr(`${PRODUCT_NAME}: ${title}. ${body}\n`);
      if (missing) return;
      const child = spawn(
        'notify-send',
        ['--app-name', PRODUCT_NAME, '--urgency', notice.urgency, title, body],
        { env: desktopEnvironment(env), stdio: 'ignore', detached: true },
      );
      child.once('error', () => (missing = true));
      child.unref();
    },
  };
}
