/**
 * `npm run bench`: runs every benchmark entry in turn and prints its results, with the baselines
 * measured in the same run, as Markdown (docs/benchmarks.md keeps a copy).
 */
import os from 'node:os';
import { credentialsFileWriterBench } from './credentials-file-writer.bench.js';

const entries = [credentialsFileWriterBench];

console.log(
  `node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.platform()} ${os.release()}\n`,
);
for (const entry of entries) {
  console.log(`## ${entry.name}\n`);
  console.log(`${await entry.run()}\n`);
}
