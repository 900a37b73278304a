/** Small measuring helpers shared by the benchmarks. */
import { open, rename } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

export async function time(action: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

/** write-file-atomic's durability and nothing more: 0600 temp file, fsync, rename. */
export async function durableReplace(file: string, bytes: string | Buffer): Promise<void> {
  const temp = `${file}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  await handle.writeFile(bytes);
  await handle.sync();
  await handle.close();
  await rename(temp, file);
}

export const ms = (value: number): string => value.toFixed(2);

export const sleep = (milliseconds: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, milliseconds));
