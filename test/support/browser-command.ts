import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * A `$BROWSER` command for an app under test: a small executable that runs play-login.ts with the
 * given user, through the plain-HTTP driver or headless Chromium. It logs each URL it was given.
 */
export function browserCommand(options: {
  with: 'http' | 'chromium';
  email: string;
  password: string;
}) {
  const dir = mkdtempSync(join(tmpdir(), 'browser-'));
  const log = join(dir, 'opened.log');
  const script = join(dir, 'browser');
  const player = resolve('test/support/browser-scripts/play-login.ts');
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      `printf '%s\\n' "$1" >> '${log}'`,
      `export IDP_EMAIL='${options.email}' IDP_PASSWORD='${options.password}' PLAY_WITH='${options.with}'`,
      `exec '${process.execPath}' --import '${import.meta.resolve('tsx')}' '${player}' "$1" >> '${join(dir, 'browser.log')}' 2>&1`,
      '',
    ].join('\n'),
  );
  chmodSync(script, 0o755);
  return { command: script, log };
}
