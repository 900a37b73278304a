import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../core/ports.js';
import { redactSecrets } from '../../core/redact.js';

const MAX_BYTES = 1024 * 1024;
const KEEP = 3;

/**
 * One timestamped line per event in `<logs>/main.log`, secrets redacted, rotated at 1 MiB
 * (main.1.log … main.3.log): what "Open logs" shows. Written synchronously, so the last lines
 * before a crash are there.
 */
export function fileLogger(
  folder: string,
  now: () => number = Date.now,
): Logger & { file: string } {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const file = join(folder, 'main.log');
  const rotate = () => {
    rmSync(join(folder, `main.${KEEP}.log`), { force: true });
    for (let i = KEEP - 1; i >= 1; i--) {
      try {
        renameSync(join(folder, `main.${i}.log`), join(folder, `main.${i + 1}.log`));
      } catch {
        // Not there yet.
      }
    }
    renameSync(file, join(folder, 'main.1.log'));
  };
  const line = (level: string) => (message: string) => {
    try {
      if (statSync(file).size > MAX_BYTES) rotate();
    } catch {
      // No log yet.
    }
    appendFileSync(file, `${new Date(now()).toISOString()} ${level} ${redactSecrets(message)}\n`, {
      mode: 0o600,
    });
  };
  return {
    file,
    debug: () => undefined,
    info: line('info '),
    warn: line('warn '),
    error: line('error'),
  };
}
