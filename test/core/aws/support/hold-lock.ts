// Child process for the lock tests: takes the lock given on the command line, says so, and
// keeps it until it is killed.
import { acquireLock } from '../../../../src/core/aws/file-lock.js';
import { nodeFs } from '../../../../src/core/aws/writer-fs.js';

await acquireLock(process.argv[2]!, { fs: nodeFs, staleMs: 60_000, waitMs: 1_000 });
process.stdout.write('held\n');
setInterval(() => undefined, 1_000);
