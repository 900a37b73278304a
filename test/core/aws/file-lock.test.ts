import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import {
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialsFileError } from '../../../src/core/aws/errors.js';
import { acquireLock } from '../../../src/core/aws/file-lock.js';
import { nodeFs } from '../../../src/core/aws/writer-fs.js';

const HOLDER = fileURLToPath(new URL('./support/hold-lock.ts', import.meta.url));
const children: ChildProcess[] = [];
let dir: string;
let lockPath: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vat-lock-'));
  lockPath = path.join(dir, 'credentials.vault-aws-tray.lock');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
afterAll(() => children.forEach((child) => child.kill('SIGKILL')));

const options = { fs: nodeFs, staleMs: 10_000, waitMs: 200 };

async function lockedError(promise: Promise<unknown>): Promise<CredentialsFileError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CredentialsFileError);
  return error as CredentialsFileError;
}

/** A writer in another process that holds the lock until it is killed. */
async function holdInChild(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, lockPath], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const [data] = (await once(child.stdout!, 'data')) as [Buffer];
  expect(data.toString()).toBe('held\n');
  return child;
}

describe('acquireLock', () => {
  it('creates a 0600 lock file naming its owner, and removes it on release', async () => {
    const lock = await acquireLock(lockPath, options);
    expect(statSync(lockPath).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(lockPath, 'utf8'))).toMatchObject({ pid: process.pid });
    expect(await lock.isHeld()).toBe(true);
    await lock.release();
    expect(existsSync(lockPath)).toBe(false);
  });

  it('makes a second writer wait for the first, and fail with "locked" if it never lets go', async () => {
    const first = await acquireLock(lockPath, options);
    const error = await lockedError(acquireLock(lockPath, options));
    expect(error.kind).toBe('locked');
    expect(error.message).toContain(`${lockPath} is held by process ${process.pid}`);

    const second = acquireLock(lockPath, { ...options, waitMs: 5_000 });
    await sleep(50);
    await first.release();
    const lock = await second;
    expect(lock.tookOverStale).toBe(false);
    await lock.release();
  });

  it('takes over at once the lock of a writer that was killed on this machine', async () => {
    const child = await holdInChild();
    const error = await lockedError(acquireLock(lockPath, options));
    expect(error.kind).toBe('locked');
    child.kill('SIGKILL');
    await once(child, 'exit');
    // A stale timeout of a minute: only the dead pid can explain the takeover.
    const lock = await acquireLock(lockPath, { ...options, staleMs: 60_000 });
    expect(lock.tookOverStale).toBe(true);
    await lock.release();
  });

  it('takes over an empty lock, left by a writer killed before it wrote its name, after a second', async () => {
    writeFileSync(lockPath, '');
    expect((await lockedError(acquireLock(lockPath, options))).kind).toBe('locked');
    const past = new Date(Date.now() - 1_500);
    utimesSync(lockPath, past, past);
    const lock = await acquireLock(lockPath, options);
    expect(lock.tookOverStale).toBe(true);
    await lock.release();
  });

  it('takes over a live pid’s lock from another machine only after the stale timeout', async () => {
    const foreign = { pid: process.pid, scope: 'another-host', token: 't' };
    writeFileSync(lockPath, JSON.stringify(foreign));
    const past9 = new Date(Date.now() - 9_000);
    utimesSync(lockPath, past9, past9);
    expect((await lockedError(acquireLock(lockPath, options))).kind).toBe('locked');
    const past = new Date(Date.now() - 11_000);
    utimesSync(lockPath, past, past);
    const lock = await acquireLock(lockPath, options);
    expect(lock.tookOverStale).toBe(true);
    await lock.release();
  });

  it('keeps a held lock fresh, so that a slow writer is not taken for a dead one', async () => {
    const lock = await acquireLock(lockPath, { ...options, staleMs: 300 });
    const past = new Date(Date.now() - 60_000);
    utimesSync(lockPath, past, past);
    await sleep(250);
    expect(statSync(lockPath).mtimeMs).toBeGreaterThan(past.getTime() + 30_000);
    await lock.release();
  });

  it('knows when its lock was taken over, and then leaves the new holder’s lock alone', async () => {
    const lock = await acquireLock(lockPath, options);
    writeFileSync(lockPath, JSON.stringify({ pid: 1, scope: 'elsewhere', token: 'other' }));
    expect(await lock.isHeld()).toBe(false);
    await lock.release();
    expect(readFileSync(lockPath, 'utf8')).toContain('"token":"other"');
  });
});
