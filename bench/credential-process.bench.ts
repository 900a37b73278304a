/**
 * `credential-process` as an SDK runs it: a new `node` process per call. Timed from spawn to exit,
 * warm (the daemon answers from memory), cold (no engine: the CLI reads Vault itself, which also
 * loads the whole CLI), against `node -e 0` in the same run: the floor any Node helper pays.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { CLI_BIN, startDaemon } from '../test/support/daemon-process.js';
import { startStackProcess, stopChild } from '../test/support/stack-process.js';
import type { BenchEntry } from './bench-entry.js';
import { ensureCliBuilt } from './cli-build.js';
import { cliUser } from './cli-user.js';
import { median, ms, time } from './stats.js';

const ROUNDS = 41;
const WARM_UP = 3;
const run = promisify(execFile);

/** Median and 90th percentile of a command's wall time, the rounds interleaved with the baseline's. */
async function measure(
  commands: Array<{ name: string; args: string[]; env: Record<string, string | undefined> }>,
): Promise<Map<string, number[]>> {
  const samples = new Map(commands.map((c) => [c.name, [] as number[]]));
  for (let round = 0; round < WARM_UP + ROUNDS; round++) {
    for (const c of commands) {
      const took = await time(() => run(process.execPath, c.args, { env: c.env }));
      if (round >= WARM_UP) samples.get(c.name)!.push(took);
    }
  }
  return samples;
}

const p90 = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.9)]!;

export const credentialProcessBench: BenchEntry = {
  name: 'credential-process: latency per call',
  async run() {
    const built = ensureCliBuilt();
    const stack = await startStackProcess();
    let home: string | undefined;
    try {
      const user = await cliUser(stack.info.vault, ['dev'], ['--delivery', 'process']);
      home = user.home;
      const baseline = { name: '`node -e 0` (baseline)', args: ['-e', '0'], env: user.env };
      const helper = [CLI_BIN, 'credential-process', 'dev'];

      const daemon = startDaemon(user.env);
      let warm: Map<string, number[]>;
      try {
        await daemon.waitFor(/dev: refreshed/, { timeoutMs: 30_000 });
        warm = await measure([
          baseline,
          { name: 'warm: the daemon answers from memory', args: helper, env: user.env },
        ]);
      } finally {
        await stopChild(daemon.child);
      }
      const cold = await measure([
        baseline,
        { name: 'cold: no engine, the CLI reads Vault', args: helper, env: user.env },
      ]);

      const rows: string[] = [];
      for (const [set, samples] of [
        ['warm', warm],
        ['cold', cold],
      ] as const) {
        const base = median(samples.get(baseline.name)!);
        for (const [name, values] of samples) {
          rows.push(
            `| ${set} set | ${name} | ${ms(median(values))} | ${ms(p90(values))} | ${(median(values) / base).toFixed(2)}× |`,
          );
        }
      }
      return [
        `${built ? 'The CLI was built first (`npm run build:cli`). ' : ''}${ROUNDS} calls each after ${WARM_UP} warm-up calls, interleaved with the baseline; wall time from spawn to exit, ms.`,
        '',
        '| run | command | median | p90 | median / baseline |',
        '|---|---|---:|---:|---:|',
        ...rows,
      ].join('\n');
    } finally {
      await stack.stop();
      if (home) rmSync(home, { recursive: true, force: true });
    }
  },
};
