/**
 * 1,000 SIGKILLs at random moments of a child that writes the credentials file in a loop. After
 * each kill the file is byte-equal to the content before or after one write, and the next writer
 * gets the lock at once (the dead writer's pid shows it is gone) and clears its temp files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialsFileWriter } from '../../../src/core/aws/credentials-file-writer.js';
import { parseIni } from '../../../src/core/aws/ini-document.js';
import { IniEditor, credentialEntries } from '../../../src/core/aws/managed-sections.js';
import { strictViolations } from '../../../src/core/aws/strict-validate.js';
import { bundleWriterChild } from './support/bundle-child.js';
import { credentialsFor, keptProfiles } from './support/soak-profiles.js';

const KILLS = Number(process.env.VAT_KILLS ?? 1_000);
const LANES = 4;
/** Kill delays up to this long after the child is ready: a few dozen writes' worth. */
const MAX_DELAY_MS = 40;

const PHASES = {
  '': 'before the lock',
  L: 'holding the lock, before the temp file',
  T: 'between temp file creation and rename',
  S: 'inside rename',
  R: 'after rename, before release',
  U: 'after release',
} as const;
type Mark = keyof typeof PHASES;

let root: string;
let child: string;
const running = new Set<ChildProcess>();

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'vat-crash-'));
  child = await bundleWriterChild(root);
});
afterAll(() => {
  for (const writer of running) writer.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

/** The file after writing `round` of the crash profile over `text`. */
function withRound(text: string, round: number): string {
  const editor = new IniEditor(parseIni(text));
  editor.setEntries('crash', credentialEntries(credentialsFor('crash', round)));
  return editor.toText();
}

interface Trace {
  phases: Record<Mark, number>;
  leftLock: number;
  leftTemp: number;
  rounds: number;
}

async function lane(index: number, kills: number, trace: Trace): Promise<void> {
  const dir = path.join(root, `lane${index}`);
  mkdirSync(dir);
  const credentialsFile = path.join(dir, 'credentials');
  const configFile = path.join(dir, 'config');
  // CRLF and no final newline, with the managed section in the middle.
  const start = `${keptProfiles(3)}\n[crash]\n\n# last\n[keep9]\nregion = x`.replace(/\n/g, '\r\n');
  let current = withRound(start, 0);
  writeFileSync(credentialsFile, current);
  let round = 0;
  const parent = new CredentialsFileWriter({
    paths: { credentialsFile, configFile },
    lockWaitMs: 15_000,
  });

  for (let kill = 0; kill < kills; kill++) {
    const args = JSON.stringify({
      mode: 'crash',
      credentialsFile,
      configFile,
      profile: 'crash',
      count: round,
    });
    const writer = spawn(process.execPath, [child, args], { stdio: ['ignore', 'pipe', 'inherit'] });
    running.add(writer);
    let output = '';
    writer.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    while (!output.startsWith('ready\n')) await once(writer.stdout!, 'data');
    await sleep(Math.random() * MAX_DELAY_MS);
    writer.kill('SIGKILL');
    await once(writer, 'close');
    running.delete(writer);

    const marks = output.slice('ready\n'.length).split('\n').filter(Boolean) as Mark[];
    const last: Mark = marks.at(-1) ?? '';
    trace.phases[last] += 1;
    const renamed = marks.filter((m) => m === 'R').length;
    trace.rounds += renamed;

    // Old or new content of one write, byte for byte; nothing in between.
    const now = readFileSync(credentialsFile, 'utf8');
    const before = withRound(current, round + renamed);
    const after = withRound(current, round + renamed + 1);
    expect([before, after], `lane ${index}, kill ${kill}, phase ${last}`).toContain(now);
    round += renamed + (now === after && now !== before ? 1 : 0);

    const leftovers = readdirSync(dir);
    if (leftovers.includes('credentials.vault-aws-tray.lock')) trace.leftLock += 1;
    if (leftovers.some((name) => name.endsWith('.tmp'))) trace.leftTemp += 1;

    // The next writer takes the lock over at once and cleans up after the dead one.
    await parent.applyProfiles([{ profile: 'probe', credentials: credentialsFor('probe', kill) }]);
    expect(readdirSync(dir).sort()).toEqual(['credentials', 'credentials.vault-aws-tray.bak']);
    current = readFileSync(credentialsFile, 'utf8');
    expect(strictViolations(parseIni(current))).toEqual([]);
    expect(withRound(current, round)).toBe(current);
  }
  expect(existsSync(configFile)).toBe(false);
}

describe('crash safety', () => {
  it(`keeps the file whole through ${KILLS} SIGKILLs of a writer`, async () => {
    const trace: Trace = {
      phases: { '': 0, L: 0, T: 0, S: 0, R: 0, U: 0 },
      leftLock: 0,
      leftTemp: 0,
      rounds: 0,
    };
    await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i, KILLS / LANES, trace)));

    const table = Object.entries(PHASES).map(
      ([mark, phase]) => `  ${String(trace.phases[mark as Mark]).padStart(4)}  ${phase}`,
    );
    console.info(
      [
        `${KILLS} kills; the children completed ${trace.rounds} writes between them. Kills by phase:`,
        ...table,
        `  ${trace.leftLock} kills left a lock file behind, ${trace.leftTemp} a temp file; the next writer took over each.`,
      ].join('\n'),
    );
    // Evidence that the kills hit the dangerous moments, in proportion to the number of kills.
    const { L, T, S, R } = trace.phases;
    expect(T + S).toBeGreaterThanOrEqual(KILLS * 0.05);
    expect(L + T + S + R).toBeGreaterThanOrEqual(KILLS * 0.3);
    expect(trace.leftLock).toBeGreaterThanOrEqual(KILLS * 0.3);
    expect(trace.leftTemp).toBeGreaterThanOrEqual(KILLS * 0.05);
  });
});
