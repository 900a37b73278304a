/**
 * `credential-process` as an SDK runs it: a new `node` process per call. Timed from spawn to exit:
 * warm (the daemon runs; the fast path answers from the credential cache the daemon keeps),
 * warm with the cache off (the daemon answers from memory over its socket), cached (no engine:
 * the cache a one-shot engine kept), and cold (no engine, no cache: the CLI reads Vault itself,
 * which also loads the whole CLI), each against `node -e 0` in the same run: the floor any Node
 * helper pays. Five runs; the result is the median of the five.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLI_BIN, startDaemon } from '../test/support/daemon-process.js';
import { startStackProcess, stopChild } from '../test/support/stack-process.js';
import type { BenchEntry } from './bench-entry.js';
import { ensureCliBuilt } from './cli-build.js';
import { cliUser } from './cli-user.js';
import { median, ms, time } from './stats.js';

const RUNS = 5;
const ROUNDS = 21;
const WARM_UP = 3;
const run = promisify(execFile);

type Command = { name: string; args: string[]; env: Record<string, string | undefined> };

/** Each command's wall times, the rounds interleaved with the baseline's. */
async function measure(commands: Command[]): Promise<Map<string, number[]>> {
  const samples = new Map(commands.map((c) => [c.name, [] as number[]]));
  for (let round = 0; round < WARM_UP + ROUNDS; round++) {
    for (const c of commands) {
      const took = await time(() => run(process.execPath, c.args, { env: c.env }));
      if (round >= WARM_UP) samples.get(c.name)!.push(took);
    }
  }
  return samples;
}

/** Turns the one-shot engine's credential cache on or off in the user's settings file. */
function caching(settingsDir: string, on: boolean): void {
  const file = path.join(settingsDir, 'config.json');
  const settings = JSON.parse(readFileSync(file, 'utf8')) as { engine?: object };
  settings.engine = { ...settings.engine, credentialCache: on };
  writeFileSync(file, JSON.stringify(settings));
}

export const credentialProcessBench: BenchEntry = {
  name: 'credential-process: latency per call',
  async run() {
    const built = ensureCliBuilt();
    const stack = await startStackProcess();
    let home: string | undefined;
    try {
      const user = await cliUser(stack.info.vault, ['dev'], ['--delivery', 'process']);
      home = user.home;
      const settingsDir = user.env.VAULT_AWS_TRAY_CONFIG_DIR!;
      const baseline = { name: '`node -e 0` (baseline)', args: ['-e', '0'], env: user.env };
      const helper = [CLI_BIN, 'credential-process', 'dev'];
      const sets = {
        warm: 'warm: the daemon runs, the answer comes from the cache it keeps',
        socket: 'warm, cache off: the daemon answers from memory over its socket',
        cached: 'cached: no engine, the answer comes from the cache',
        cold: 'cold: no engine, no cache, the CLI reads Vault',
      } as const;
      const results = new Map<keyof typeof sets, Array<{ ms: number; base: number }>>(
        Object.keys(sets).map((k) => [k as keyof typeof sets, []]),
      );
      const record = (set: keyof typeof sets, samples: Map<string, number[]>) =>
        results.get(set)!.push({
          ms: median(samples.get(sets[set])!),
          base: median(samples.get(baseline.name)!),
        });
      const withDaemon = async (set: 'warm' | 'socket') => {
        caching(settingsDir, set === 'warm');
        rmSync(path.join(settingsDir, 'credentials-cache.json'), { force: true });
        const daemon = startDaemon(user.env);
        try {
          await daemon.waitFor(/dev: refreshed/, { timeoutMs: 30_000 });
          record(set, await measure([baseline, { name: sets[set], args: helper, env: user.env }]));
        } finally {
          await stopChild(daemon.child);
        }
      };
      for (let r = 0; r < RUNS; r++) {
        await withDaemon('warm');
        await withDaemon('socket');
        caching(settingsDir, true);
        await user.cli(['credential-process', 'dev']);
        record(
          'cached',
          await measure([baseline, { name: sets.cached, args: helper, env: user.env }]),
        );
        caching(settingsDir, false);
        record('cold', await measure([baseline, { name: sets.cold, args: helper, env: user.env }]));
        caching(settingsDir, true);
      }
      const rows = [...results].map(([set, runs]) => {
        const ratios = runs.map((x) => x.ms / x.base);
        return `| ${sets[set]} | ${ms(median(runs.map((x) => x.base)))} | ${ms(median(runs.map((x) => x.ms)))} | ${ratios.map((x) => x.toFixed(2)).join(' ')} | **${median(ratios).toFixed(2)}×** |`;
      });
      return [
        `${built ? 'The CLI was built first (`npm run build:cli`). ' : ''}${RUNS} runs; in each, ${ROUNDS} calls per command after ${WARM_UP} warm-up calls, interleaved with the baseline; wall time from spawn to exit, ms (medians of the runs' medians).`,
        '',
        '| command | `node -e 0` | the command | median / baseline, each run | median of the runs |',
        '|---|---:|---:|---|---:|',
        ...rows,
      ].join('\n');
    } finally {
      await stack.stop();
      if (home) rmSync(home, { recursive: true, force: true });
    }
  },
};
