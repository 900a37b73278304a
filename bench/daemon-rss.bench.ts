/**
 * The built `vault-aws-tray daemon` keeping 5 profiles fresh, set up as a user would (login with
 * a token, `profile add` five times), against the stack in a process of its own. Once its first
 * refreshes are written, its memory is sampled for a minute, together with processes started
 * beside it that load nothing, or all of the CLI's modules (also under V8's size mode, which lowers
 * the peak but not what stays once idle), and wait.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { startDaemon } from '../test/support/daemon-process.js';
import { startStackProcess, stopChild } from '../test/support/stack-process.js';
import type { BenchEntry } from './bench-entry.js';
import { ensureCliBuilt } from './cli-build.js';
import { cliUser } from './cli-user.js';
import { median, sleep } from './stats.js';

const PROFILES = ['p1', 'p2', 'p3', 'p4', 'p5'];
/** V8 gives back the refreshes' garbage only after a while (8 to 30 s here): watch a minute. */
const SAMPLES = 60;
const SAMPLE_EVERY_MS = 1_000;
/** "Idle" is the median of the last samples. */
const IDLE_SAMPLES = 10;
const WAIT = 'setInterval(() => {}, 1 << 30);';

interface Sample {
  rss: number;
  /** Private memory (heap, stacks); the rest of RSS is mostly the `node` binary's shared pages. */
  anon: number;
  file: number;
  /** VmHWM: the highest RSS so far. */
  peak: number;
}

/** A live process's memory from /proc, in MiB. */
function memoryOf(pid: number): Sample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mib = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)![1]) / 1024;
  return { rss: mib('VmRSS'), anon: mib('RssAnon'), file: mib('RssFile'), peak: mib('VmHWM') };
}

function row(name: string, samples: Sample[]): string {
  const idle = samples.slice(-IDLE_SAMPLES);
  const at = (key: keyof Sample) => median(idle.map((x) => x[key])).toFixed(1);
  // The kernel updates VmHWM lazily: a sample may be above it.
  const peak = Math.max(...samples.map((x) => Math.max(x.peak, x.rss)));
  return `| ${name} | ${samples[0]!.rss.toFixed(1)} | ${at('rss')} | ${at('anon')} | ${at('file')} | ${peak.toFixed(1)} |`;
}

export const daemonRssBench: BenchEntry = {
  name: 'daemon: idle resident memory',
  async run() {
    const built = ensureCliBuilt();
    const stack = await startStackProcess();
    let home: string | undefined;
    const children: ChildProcess[] = [];
    try {
      const user = await cliUser(stack.info.vault, PROFILES);
      home = user.home;
      const daemon = startDaemon(user.env);
      children.push(daemon.child);
      const processes: Array<{ name: string; child: ChildProcess }> = [
        { name: `daemon, ${PROFILES.length} profiles`, child: daemon.child },
      ];
      const loadCli = `await import('./out/node/cli/run.js'); ${WAIT}`;
      for (const [name, flags, code] of [
        ['bare `node` waiting (baseline)', [], WAIT],
        ['`node` with the CLI’s modules loaded, waiting', [], loadCli],
        ['the same with `--optimize-for-size`', ['--optimize-for-size'], loadCli],
      ] as const) {
        const child = spawn(process.execPath, [...flags, '--input-type=module', '-e', code], {
          stdio: 'ignore',
        });
        children.push(child);
        processes.push({ name, child });
      }
      await daemon.waitFor(/: refreshed;/, { nth: PROFILES.length, timeoutMs: 30_000 });
      const samples: Sample[][] = processes.map(() => []);
      for (let i = 0; i < SAMPLES; i++) {
        processes.forEach((p, k) => samples[k]!.push(memoryOf(p.child.pid!)));
        await sleep(SAMPLE_EVERY_MS);
      }
      const refreshed = daemon
        .stderr()
        .split('\n')
        .filter((l) => l.includes(': refreshed;'));
      return [
        `${built ? 'The CLI was built first (`npm run build:cli`). ' : ''}${refreshed.length} refreshes logged, then ${SAMPLES} samples ${SAMPLE_EVERY_MS / 1000} s apart; idle is the median of the last ${IDLE_SAMPLES}. MiB.`,
        '',
        '| process | VmRSS, first sample | VmRSS idle | RssAnon idle | RssFile idle | VmHWM (peak) |',
        '|---|---:|---:|---:|---:|---:|',
        ...processes.map((p, k) => row(p.name, samples[k]!)),
      ].join('\n');
    } finally {
      for (const child of children) await stopChild(child);
      await stack.stop();
      if (home) rmSync(home, { recursive: true, force: true });
    }
  },
};
