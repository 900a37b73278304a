import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./configparser_oracle.py', import.meta.url));

export type PythonRead =
  | { ok: true; sections: [string, [string, string][]][]; defaults: [string, string][] }
  | { ok: false; error: string; lines: number[] };

/** What botocore's parser makes of each file; one python3 process for the whole batch. */
export function readWithPython(files: readonly Uint8Array[]): PythonRead[] {
  if (files.length === 0) return [];
  const input = files
    .map((bytes) => JSON.stringify(Buffer.from(bytes).toString('base64')))
    .join('\n');
  const run = spawnSync('python3', [SCRIPT], {
    input: `${input}\n`,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr}`);
  const results = run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as PythonRead);
  if (results.length !== files.length)
    throw new Error('python3 answered a different number of files');
  return results;
}
