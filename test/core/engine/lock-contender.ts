/**
 * An engine contending for the lock of the folder named by argv[2], as a real process
 * (`node --import tsx`), driven by lines on stdin so that several start at once:
 *   `go <trial>`  takes the lock, answers `won <trial>` or `lost <trial>` and keeps it;
 *   `release`     gives it back, answers `released`.
 * It says `ready` once loaded, and exits when stdin closes.
 */
import { createInterface } from 'node:readline';
import { acquireEngineLock, EngineLockedError } from '../../../src/core/engine/engine-lock.js';
import type { EngineLock } from '../../../src/core/engine/engine-lock.js';

const dir = process.argv[2]!;
let lock: EngineLock | undefined;
const say = (line: string) => process.stdout.write(`${line}\n`);
say('ready');

for await (const line of createInterface({ input: process.stdin })) {
  const [command, trial] = line.split(' ');
  if (command === 'go') {
    try {
      lock = await acquireEngineLock(dir, 'daemon');
      say(`won ${trial}`);
    } catch (error) {
      say(error instanceof EngineLockedError ? `lost ${trial}` : `error ${trial} ${String(error)}`);
    }
  } else if (command === 'release') {
    await lock?.release();
    lock = undefined;
    say('released');
  }
}
