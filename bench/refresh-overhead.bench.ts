/**
 * A full refresh of 1, 10 and 100 profiles against the stack in a process of its own, side by side
 * with plain `fetch` reads of the same Vault path and a raw durable write of the same bytes, all
 * in the same run:
 * - ours: `refreshProfiles` with the real VaultClient and CredentialsFileWriter (what one engine
 *   batch does), and `Engine.refreshNow`, which adds the engine's queue, state file and status;
 * - single: one plain `fetch` of `aws/creds/dev-readonly` with the X-Vault-Token header;
 * - N fetches: N such fetches, 4 at a time (the engine's concurrency);
 * - raw: the written file's bytes to a temp file, fsync, rename.
 * It also measures the CPU each read costs the stack, which serves all reads on one event loop.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { systemClock } from '../src/core/clock.js';
import { CredentialsFileWriter } from '../src/core/aws/credentials-file-writer.js';
import type { Engine } from '../src/core/engine/engine.js';
import { REFRESH_CONCURRENCY, refreshProfiles } from '../src/core/engine/refresh.js';
import type { RefreshReport } from '../src/core/engine/engine-api.js';
import type { RefreshResult, RefreshTarget } from '../src/core/engine/refresh.js';
import { readAwsCredentials } from '../src/core/vault/aws-credentials.js';
import { VaultClient } from '../src/core/vault/client.js';
import { profileSettingsSchema } from '../src/shared/settings.js';
import type { BenchEntry } from './bench-entry.js';
import { startRefreshEngine } from './refresh-engine.js';
import { startStackProcess } from '../test/support/stack-process.js';
import { durableReplace, median, ms, time } from './stats.js';

const ROLE = 'dev-readonly';
const SIZES = [1, 10, 100];
const WARM_UP = 5;
const runsFor = (profiles: number) => (profiles >= 100 ? 41 : 101);

interface Row {
  profiles: number;
  bytes: number;
  single: number;
  clientRead: number;
  fetches: number;
  raw: number;
  measured: number;
  ours: number;
  engine: number;
}

/** `count` reads, at most REFRESH_CONCURRENCY at once, as the engine reads. */
async function fourAtATime(count: number, read: () => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next++ < count) await read();
  };
  await Promise.all(Array.from({ length: Math.min(REFRESH_CONCURRENCY, count) }, lane));
}

/** One plain Vault round trip: `fetch` with the token header, the body read as text. */
async function plainRead(url: string, token: string): Promise<void> {
  const response = await fetch(url, { headers: { 'X-Vault-Token': token } });
  const body = await response.text();
  if (!response.ok) throw new Error(`Vault answered ${response.status}: ${body}`);
}

function allOk(result: Pick<RefreshResult, 'outcomes'> | RefreshReport, count: number): void {
  const failed = result.outcomes.filter((o) => !o.ok);
  if (result.outcomes.length !== count || failed.length > 0)
    throw new Error(`a refresh failed: ${JSON.stringify(failed[0] ?? result.outcomes.length)}`);
}

async function measure(
  dir: string,
  vaultAddr: string,
  token: string,
  profiles: number,
): Promise<Row> {
  const names = Array.from({ length: profiles }, (_, i) => `bench-${i}`);
  const settings = profileSettingsSchema.parse({ role: ROLE, written: true });
  const targets: RefreshTarget[] = names.map((profile) => ({ profile, settings }));
  const files = {
    credentialsFile: path.join(dir, `credentials-${profiles}`),
    configFile: path.join(dir, `config-${profiles}`),
  };
  const rawFile = path.join(dir, `raw-${profiles}`);
  const client = new VaultClient({ address: vaultAddr, token });
  const deps = { client, writer: new CredentialsFileWriter({ paths: files }), clock: systemClock };
  const binding = { profile: 'one', ...settings };
  const url = `${vaultAddr}/v1/aws/creds/${ROLE}`;
  const engine: Engine = await startRefreshEngine({
    dir: mkdtempSync(path.join(dir, `engine-${profiles}-`)),
    vaultAddr,
    token,
    role: ROLE,
    profiles: names,
  });
  const samples = {
    single: [] as number[],
    clientRead: [] as number[],
    fetches: [] as number[],
    raw: [] as number[],
    measured: [] as number[],
    ours: [] as number[],
    engine: [] as number[],
  };
  let bytes = 0;
  try {
    const runs = runsFor(profiles);
    for (let i = 0; i < WARM_UP + runs; i++) {
      const single = await time(() => plainRead(url, token));
      const clientRead = await time(() => readAwsCredentials(client, binding, systemClock));
      let result: RefreshResult | RefreshReport | undefined;
      const ours = await time(async () => (result = await refreshProfiles(deps, targets)));
      allOk(result!, profiles);
      const written = readFileSync(files.credentialsFile);
      bytes = written.length;
      const fetches = await time(() => fourAtATime(profiles, () => plainRead(url, token)));
      const raw = await time(() => durableReplace(rawFile, written));
      const viaEngine = await time(async () => (result = await engine.refresh()));
      allOk(result!, profiles);
      // The first rounds warm up the JIT, the connections and the page cache.
      if (i < WARM_UP) continue;
      samples.single.push(single);
      samples.clientRead.push(clientRead);
      samples.ours.push(ours);
      samples.fetches.push(fetches);
      samples.raw.push(raw);
      samples.measured.push(fetches + raw);
      samples.engine.push(viaEngine);
    }
  } finally {
    await engine.stop();
  }
  return {
    profiles,
    bytes,
    single: median(samples.single),
    clientRead: median(samples.clientRead),
    fetches: median(samples.fetches),
    raw: median(samples.raw),
    measured: median(samples.measured),
    ours: median(samples.ours),
    engine: median(samples.engine),
  };
}

/** CPU time (ms) a process has used, from /proc (user + system, in 10 ms ticks). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface CpuPerRead {
  /** The stack's process, which serves every read on one event loop. */
  stack: number;
  /** The benchmark's process. */
  client: number;
}

/** The CPU (ms) each of 1,000 reads, 4 at a time, costs the stack and the reader. */
async function cpuPerRead(stackPid: number, read: () => Promise<unknown>): Promise<CpuPerRead> {
  const reads = 1_000;
  const stackBefore = cpuMs(stackPid);
  const clientBefore = process.cpuUsage();
  await fourAtATime(reads, read);
  const client = process.cpuUsage(clientBefore);
  return {
    stack: (cpuMs(stackPid) - stackBefore) / reads,
    client: (client.user + client.system) / 1000 / reads,
  };
}

const ideal = (r: Row) => Math.ceil(r.profiles / REFRESH_CONCURRENCY) * r.single + r.raw;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

function report(rows: Row[], cpu: { plain: CpuPerRead; client: CpuPerRead }): string {
  return [
    'CPU per read over 1,000 reads 4 at a time (ms):',
    '',
    '| reader | stack process | reading process |',
    '|---|---:|---:|',
    `| plain \`fetch\` | ${ms(cpu.plain.stack)} | ${ms(cpu.plain.client)} |`,
    `| \`readAwsCredentials\` through VaultClient | ${ms(cpu.client.stack)} | ${ms(cpu.client.client)} |`,
    '',
    'Baselines (medians, ms):',
    '',
    '| profiles | file size | single fetch | one read via VaultClient | N fetches, 4 at a time | raw write+rename | ideal: ⌈N/4⌉ × single + raw | measured: N fetches + raw |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.profiles} | ${(r.bytes / 1024).toFixed(1)} KiB | ${ms(r.single)} | ${ms(r.clientRead)} | ${ms(r.fetches)} | ${ms(r.raw)} | ${ms(ideal(r))} | ${ms(r.measured)} |`,
    ),
    '',
    'Ours against them (medians, ms):',
    '',
    '| profiles | ours: refreshProfiles | overhead: ours − measured | ours / ideal | ours / measured | Engine.refreshNow | refreshNow − measured |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.profiles} | ${ms(r.ours)} | ${ms(r.ours - r.measured)} | ${ratio(r.ours, ideal(r))} | ${ratio(r.ours, r.measured)} | ${ms(r.engine)} | ${ms(r.engine - r.measured)} |`,
    ),
  ].join('\n');
}

export const refreshOverheadBench: BenchEntry = {
  name: 'refresh: overhead beyond the Vault round trips',
  async run() {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vat-bench-refresh-'));
    const stack = await startStackProcess();
    try {
      const { addr, rootToken } = stack.info.vault;
      const rows: Row[] = [];
      for (const profiles of SIZES) rows.push(await measure(dir, addr, rootToken, profiles));
      const url = `${addr}/v1/aws/creds/${ROLE}`;
      const client = new VaultClient({ address: addr, token: rootToken });
      const binding = { profile: 'one', ...profileSettingsSchema.parse({ role: ROLE }) };
      const cpu = {
        plain: await cpuPerRead(stack.child.pid!, () => plainRead(url, rootToken)),
        client: await cpuPerRead(stack.child.pid!, () =>
          readAwsCredentials(client, binding, systemClock),
        ),
      };
      return report(rows, cpu);
    } finally {
      await stack.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
