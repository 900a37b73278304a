/**
 * Writers at the same time: two copies of ours on different profiles, and `aws configure set`
 * (which takes no lock and rewrites the file in place) on another profile while ours writes.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSection, lineText, parseIni } from '../../../src/core/aws/ini-document.js';
import { strictViolations } from '../../../src/core/aws/strict-validate.js';
import { bundleWriterChild } from './support/bundle-child.js';
import { credentialsFor, keptProfiles } from './support/soak-profiles.js';

const ROUNDS = 1_000;
const AWS_ROUNDS = 50;
const KEPT = keptProfiles(20);

let root: string;
let child: string;
const running = new Set<ChildProcess>();

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'vat-concurrency-'));
  child = await bundleWriterChild(root);
});
afterAll(() => {
  for (const writer of running) writer.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

function startWriter(args: object): { process: ChildProcess; output: () => string } {
  const writer = spawn(process.execPath, [child, JSON.stringify(args)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  running.add(writer);
  writer.on('close', () => running.delete(writer));
  let output = '';
  writer.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { process: writer, output: () => output };
}

function valueOf(text: string, section: string, key: string): string | undefined {
  const doc = parseIni(text);
  const found = findSection(doc, section);
  if (found === undefined) return undefined;
  for (let i = found.header + 1; i < found.end; i++) {
    if (doc.lines[i]!.name === key) return lineText(doc, i).split(/\s*=\s*/)[1];
  }
  return undefined;
}

function expectKeptIntact(text: string): void {
  expect(text.startsWith(KEPT)).toBe(true);
  expect(strictViolations(parseIni(text))).toEqual([]);
}

describe('concurrent writers', () => {
  it(`two copies of the writer, ${ROUNDS} rounds each on different profiles, lose nothing`, async () => {
    const dir = mkdtempSync(path.join(root, 'pair-'));
    const credentialsFile = path.join(dir, 'credentials');
    writeFileSync(credentialsFile, KEPT);
    const base = {
      mode: 'rounds',
      credentialsFile,
      configFile: path.join(dir, 'config'),
      count: ROUNDS,
    };
    const writers = ['alpha', 'beta'].map((profile) => startWriter({ ...base, profile }));
    await Promise.all(writers.map((w) => once(w.process, 'close')));

    // Each checked after every round that its own latest update was still in the file.
    for (const writer of writers)
      expect(JSON.parse(writer.output().split('\n').at(-2)!)).toEqual({ lost: 0 });
    const text = readFileSync(credentialsFile, 'utf8');
    expectKeptIntact(text);
    for (const profile of ['alpha', 'beta']) {
      expect(valueOf(text, profile, 'aws_access_key_id')).toBe(
        credentialsFor(profile, ROUNDS).accessKeyId,
      );
    }
  });

  it(`aws configure set on another profile for ${AWS_ROUNDS} rounds: ours never installs a partial file or drops an update that finished before its re-read`, async () => {
    const dir = mkdtempSync(path.join(root, 'aws-'));
    const credentialsFile = path.join(dir, 'credentials');
    const configFile = path.join(dir, 'config');
    writeFileSync(
      credentialsFile,
      `${KEPT}\n[other]\naws_access_key_id = AKIAOTHER0000\naws_secret_access_key = other\n`,
    );
    const writer = startWriter({
      mode: 'race',
      credentialsFile,
      configFile,
      profile: 'ours',
      count: 0,
    });
    while (!writer.output().startsWith('ready\n')) await once(writer.process.stdout!, 'data');

    const env = {
      PATH: process.env.PATH,
      HOME: dir,
      AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
      AWS_CONFIG_FILE: configFile,
    };
    const finishedAt: number[] = [];
    for (let round = 1; round <= AWS_ROUNDS; round++) {
      const key = `AKIAOTHER${String(round).padStart(4, '0')}`;
      await promisify(execFile)(
        '/usr/bin/aws',
        ['configure', 'set', 'aws_access_key_id', key, '--profile', 'other'],
        { env },
      );
      finishedAt.push(Date.now());
    }
    // Let ours write at least once more after the last aws update, then stop it.
    const last = finishedAt.at(-1)!;
    const logged = () =>
      writer
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    const writes = () =>
      logged().filter((entry) => 'readAt' in entry) as {
        readAt: number;
        other: string | null;
        kept: number;
      }[];
    while (!writes().some((w) => w.readAt > last)) await sleep(20);
    writer.process.kill('SIGTERM');
    await once(writer.process, 'close');
    expect(writer.output().endsWith('stopped\n')).toBe(true);

    const log = writes();
    expect(log.length).toBeGreaterThan(AWS_ROUNDS);
    const putBack = logged().filter((entry) => entry.putBack).length;
    console.info(
      `${log.length} writes of ours during ${AWS_ROUNDS} runs of aws configure set; aws wrote into the file ours had just replaced ${putBack} time(s), and ours put it back and started over.`,
    );
    for (const write of log) {
      // Never a partial file: every profile the file started with is in what we install.
      expect(write.kept).toBe(20);
      // An aws update that finished before our re-read is in what we install.
      const finishedBefore = finishedAt.filter((at) => at < write.readAt).length;
      expect(Number(write.other!.slice('AKIAOTHER'.length))).toBeGreaterThanOrEqual(finishedBefore);
    }
    const text = readFileSync(credentialsFile, 'utf8');
    expectKeptIntact(text);
    expect(valueOf(text, 'other', 'aws_access_key_id')).toBe('AKIAOTHER0050');
    expect(valueOf(text, 'ours', 'aws_access_key_id')).toMatch(/^AKIAOURS\d{6}$/);
  });
});
