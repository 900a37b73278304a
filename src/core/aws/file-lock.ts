/**
 * An exclusive lock file beside the file it protects. No AWS tool locks these files, so it only
 * orders the app's own writers (the tray, the CLI, a second copy). It is created with O_EXCL and
 * holds its owner's pid; a lock whose owner died on this machine is taken over at once, an empty
 * one after a second, any other once it has not been refreshed for `staleMs` (the holder touches
 * it every `staleMs / 3`).
 *
 * proper-lockfile was the alternative: it can tell a dead holder only by age (at least 2 s,
 * 10 s by default), so every crash would stall the next writer.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { CredentialsFileError } from './errors.js';
import { errorCode, type WriterFs } from './writer-fs.js';

export interface LockOptions {
  readonly fs: WriterFs;
  /** A lock not refreshed for this long is abandoned. */
  readonly staleMs: number;
  /** How long to wait for a live holder before giving up. */
  readonly waitMs: number;
}

export interface HeldLock {
  /** True when a dead writer's lock had to be removed first: its temp files may be left over. */
  readonly tookOverStale: boolean;
  /** Whether the lock file is still this holder's (it is not if it was taken over as stale). */
  isHeld(): Promise<boolean>;
  release(): Promise<void>;
}

interface Owner {
  readonly pid: number;
  /** Host and, on Linux, pid namespace: a pid means something only within the same scope. */
  readonly scope: string;
  readonly token: string;
}

interface Holder {
  readonly raw: string;
  readonly owner: Owner | undefined;
  readonly ino: number;
  readonly mtimeMs: number;
}

/**
 * A writer fills its lock file right after creating it. One still empty (or unreadable) after
 * this long belongs to a writer that died in between; should that writer only have been paused,
 * it finds out before replacing anything (isHeld).
 */
const UNFILLED_GRACE_MS = 1_000;

let scopePromise: Promise<string> | undefined;

function ownerScope(fs: WriterFs): Promise<string> {
  scopePromise ??= fs.readlink('/proc/self/ns/pid').then(
    (ns) => `${hostname()} ${ns}`,
    () => hostname(),
  );
  return scopePromise;
}

export async function acquireLock(lockPath: string, options: LockOptions): Promise<HeldLock> {
  const { fs, staleMs, waitMs } = options;
  const owner: Owner = { pid: process.pid, scope: await ownerScope(fs), token: randomUUID() };
  const raw = JSON.stringify(owner);
  const deadline = Date.now() + waitMs;
  let tookOverStale = false;
  let delay = 2;
  for (;;) {
    if (await tryCreate(fs, lockPath, raw)) {
      return heldLock(fs, lockPath, raw, staleMs, tookOverStale);
    }
    const holder = await readHolder(fs, lockPath);
    if (holder === undefined) continue; // released meanwhile
    if (isAbandoned(holder, owner.scope, staleMs)) {
      if (await removeIfUnchanged(fs, lockPath, holder)) tookOverStale = true;
      continue;
    }
    if (Date.now() >= deadline) {
      const by = holder.owner === undefined ? 'another writer' : `process ${holder.owner.pid}`;
      throw new CredentialsFileError(
        'locked',
        `${lockPath} is held by ${by}; waited ${Math.round(waitMs / 1000)} s. Remove the file if no writer is running.`,
        { file: lockPath },
      );
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 50);
  }
}

async function tryCreate(fs: WriterFs, lockPath: string, raw: string): Promise<boolean> {
  let handle;
  try {
    handle = await fs.open(lockPath, 'wx', 0o600);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(raw);
  } catch (error) {
    await handle.close();
    await fs.unlink(lockPath);
    throw error;
  }
  await handle.close();
  return true;
}

async function readHolder(fs: WriterFs, lockPath: string): Promise<Holder | undefined> {
  try {
    const stat = await fs.stat(lockPath);
    const raw = await fs.readFile(lockPath, 'utf8');
    return { raw, owner: parseOwner(raw), ino: stat.ino, mtimeMs: stat.mtimeMs };
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

function parseOwner(raw: string): Owner | undefined {
  try {
    const value = JSON.parse(raw) as Partial<Owner>;
    if (typeof value.pid === 'number' && typeof value.scope === 'string') return value as Owner;
  } catch {
    // A writer killed between creating the file and writing it leaves it empty.
  }
  return undefined;
}

function isAbandoned(holder: Holder, scope: string, staleMs: number): boolean {
  const age = Date.now() - holder.mtimeMs;
  if (holder.owner === undefined) return age > Math.min(UNFILLED_GRACE_MS, staleMs);
  if (holder.owner.scope === scope && !isAlive(holder.owner.pid)) return true;
  return age > staleMs;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

/**
 * Removes the lock only if it is still the one judged abandoned: two writers may judge it at
 * once, and the slower one must not remove the lock the faster one has just created.
 */
async function removeIfUnchanged(fs: WriterFs, lockPath: string, seen: Holder): Promise<boolean> {
  const now = await readHolder(fs, lockPath);
  if (now === undefined || now.ino !== seen.ino || now.mtimeMs !== seen.mtimeMs) return false;
  if (now.raw !== seen.raw) return false;
  try {
    await fs.unlink(lockPath);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

function heldLock(
  fs: WriterFs,
  lockPath: string,
  raw: string,
  staleMs: number,
  tookOverStale: boolean,
): HeldLock {
  const heartbeat = setInterval(() => {
    const now = new Date();
    fs.utimes(lockPath, now, now).catch(() => {
      // A lock lost to a takeover is detected by isHeld() before anything is replaced.
    });
  }, staleMs / 3);
  heartbeat.unref();
  const isHeld = (): Promise<boolean> =>
    fs.readFile(lockPath, 'utf8').then(
      (now) => now === raw,
      (error: unknown) => {
        if (errorCode(error) === 'ENOENT') return false;
        throw error;
      },
    );
  return {
    tookOverStale,
    isHeld,
    async release() {
      clearInterval(heartbeat);
      if (await isHeld()) await fs.unlink(lockPath);
    },
  };
}
