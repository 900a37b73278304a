/**
 * `npm run bench`: runs every benchmark entry in turn and prints its results, with the baselines
 * measured in the same run, as Markdown (docs/benchmarks.md keeps a copy).
 * `npm run bench -- refresh daemon` runs only the entries whose names contain one of the words.
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { credentialProcessBench } from './credential-process.bench.js';
import { credentialsFileWriterBench } from './credentials-file-writer.bench.js';
import { daemonRssBench } from './daemon-rss.bench.js';
import { refreshOverheadBench } from './refresh-overhead.bench.js';
import { wakeUpsBench } from './wake-ups.bench.js';

// The entries spawn `bin/` and `test/support/` by relative paths.
process.chdir(fileURLToPath(new URL('..', import.meta.url)));

const entries = [
  credentialsFileWriterBench,
  refreshOverheadBench,
  daemonRssBench,
  wakeUpsBench,
  credentialProcessBench,
];
const words = process.argv.slice(2);
const chosen = entries.filter((e) => words.length === 0 || words.some((w) => e.name.includes(w)));

console.log(
  `node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.platform()} ${os.release()}\n`,
);
for (const entry of chosen) {
  console.log(`## ${entry.name}\n`);
  console.log(`${await entry.run()}\n`);
}
