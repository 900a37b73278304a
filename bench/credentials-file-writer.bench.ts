/**
 * Updating one profile in credentials files of 10, 1,000 and 10,000 profiles, side by side with
 * two baselines from the same run:
 * - raw: the same bytes written to a 0600 temp file, fsynced and renamed (write-file-atomic's
 *   durability, with no lock, no re-read, no validation and no backup);
 * - ini: what a tool built on the `ini` package does (Leapp, aws-azure-login): read, `ini.parse`,
 *   set the keys, `ini.stringify`, then the same durable write. It loses comments and quotes
 *   tokens that end in `=`, so it is a speed reference only.
 */
import ini from 'ini';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CredentialsFileWriter } from '../src/core/aws/credentials-file-writer.js';
import type { SessionCredentials } from '../src/core/aws/managed-sections.js';
import type { BenchEntry } from './bench-entry.js';
import { durableReplace, median, time } from './stats.js';

const SIZES = [10, 1_000, 10_000];
/** A session token of typical STS length. */
const TOKEN = `IQoJb3JpZ2luX2VjE${'A1b2C3d4E5f6G7h8/+'.repeat(30)}==`;

function credentials(n: number): SessionCredentials {
  return {
    accessKeyId: `ASIA${String(n).padStart(16, '0')}`,
    secretAccessKey: `wJalrXUtnFEMI/K7MDENG/bPxRfiCY${String(n).padStart(10, '0')}`,
    sessionToken: `${TOKEN}${n}`,
    expiresAt: new Date(Date.UTC(2030, 0, 1) + n * 1000),
  };
}

/** A file of `count` profiles like the ones the app writes. */
function fileOf(count: number): string {
  const sections: string[] = [];
  for (let i = 0; i < count; i++) {
    const c = credentials(i);
    sections.push(
      [
        `[profile-${i}]`,
        `aws_access_key_id = ${c.accessKeyId}`,
        `aws_secret_access_key = ${c.secretAccessKey}`,
        `aws_session_token = ${c.sessionToken}`,
        `x_security_token_expires = ${c.expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z')}`,
        '',
      ].join('\n'),
    );
  }
  return sections.join('\n');
}

async function iniRoundTrip(file: string, profile: string, c: SessionCredentials): Promise<void> {
  const data = ini.parse(await readFile(file, 'utf8'));
  data[profile] = {
    aws_access_key_id: c.accessKeyId,
    aws_secret_access_key: c.secretAccessKey,
    aws_session_token: c.sessionToken,
    x_security_token_expires: c.expiresAt.toISOString(),
  };
  await durableReplace(file, ini.stringify(data));
}

interface Row {
  readonly profiles: number;
  readonly bytes: number;
  readonly ours: number;
  readonly raw: number;
  readonly ini: number;
}

async function measure(dir: string, profiles: number): Promise<Row> {
  const text = fileOf(profiles);
  const files = {
    ours: path.join(dir, `ours-${profiles}`),
    raw: path.join(dir, `raw-${profiles}`),
  };
  const iniFile = path.join(dir, `ini-${profiles}`);
  for (const file of [files.ours, files.raw, iniFile]) writeFileSync(file, text, { mode: 0o600 });
  const writer = new CredentialsFileWriter({
    paths: { credentialsFile: files.ours, configFile: path.join(dir, `config-${profiles}`) },
  });
  const target = `profile-${Math.floor(profiles / 2)}`;
  const runs = profiles >= 10_000 ? 15 : 41;
  const samples = { ours: [] as number[], raw: [] as number[], ini: [] as number[] };
  for (let i = 0; i < runs + 3; i++) {
    const fresh = credentials(profiles + i + 1);
    const ours = await time(() =>
      writer.applyProfiles([{ profile: target, credentials: fresh }]).then(() => undefined),
    );
    const bytes = readFileSync(files.ours);
    const raw = await time(() => durableReplace(files.raw, bytes));
    const viaIni = await time(() => iniRoundTrip(iniFile, target, fresh));
    // The first rounds warm up the JIT and the page cache.
    if (i < 3) continue;
    samples.ours.push(ours);
    samples.raw.push(raw);
    samples.ini.push(viaIni);
  }
  return {
    profiles,
    bytes: text.length,
    ours: median(samples.ours),
    raw: median(samples.raw),
    ini: median(samples.ini),
  };
}

const ms = (value: number): string => value.toFixed(2);

export const credentialsFileWriterBench: BenchEntry = {
  name: 'credentials-file writer: update one profile',
  async run() {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vat-bench-'));
    try {
      const rows: Row[] = [];
      for (const profiles of SIZES) rows.push(await measure(dir, profiles));
      const lines = [
        '| profiles | file size | ours (ms) | raw write+rename (ms) | ini round trip (ms) | ours / raw | ini / raw | ours per profile (µs) |',
        '|---:|---:|---:|---:|---:|---:|---:|---:|',
        ...rows.map(
          (r) =>
            `| ${r.profiles.toLocaleString('en-US')} | ${(r.bytes / 1024).toFixed(0)} KiB | ${ms(r.ours)} | ${ms(r.raw)} | ${ms(r.ini)} | ${(r.ours / r.raw).toFixed(2)}× | ${(r.ini / r.raw).toFixed(2)}× | ${((r.ours * 1000) / r.profiles).toFixed(2)} |`,
        ),
      ];
      return lines.join('\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
