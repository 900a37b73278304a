/**
 * One file's side of a safe write: the snapshot the write is checked against, and the two ways
 * new text takes the file's place (a 0600 temp file renamed over it, or, in place, a write into
 * it), with the rolling backup and the names of the files the writer keeps beside the target.
 */
import { randomBytes } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CredentialsFileError, ioError } from './errors.js';
import { makePrivate, readCapped } from './file-access.js';
import type { HeldLock } from './file-lock.js';
import { errorCode, type WriterFs } from './writer-fs.js';

const TAG = 'vault-aws-tray';
/** An unlocked writer (aws configure set, saml2aws) truncates the file and then writes it. */
const EMPTY_FILE_REREADS = 3;
const EMPTY_FILE_PAUSE_MS = 50;
const RENAME_RETRY_MS = [20, 50, 100, 250, 500];

export function lockPathOf(target: string): string {
  return `${target}.${TAG}.lock`;
}

export function backupPathOf(target: string): string {
  return `${target}.${TAG}.bak`;
}

/** An adoption backup's name; `n` counts up past names that are taken already. */
export function adoptedBackupPathOf(
  target: string,
  label: string,
  stamp: string,
  n: number,
): string {
  const suffix = n === 1 ? '' : `-${n}`;
  return `${target}.${TAG}-adopted-${label}-${stamp}${suffix}.bak`;
}

export interface Snapshot {
  readonly bytes: Buffer | undefined;
  readonly stat: BigIntStats | undefined;
}

/** The file changed after it was read: the caller reads it again and starts over. */
export class ConcurrentChange extends Error {}

export async function readStable(fs: WriterFs, target: string): Promise<Snapshot> {
  for (let reread = 0; reread < 20; reread++) {
    let handle;
    try {
      handle = await fs.open(target, 'r');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return { bytes: undefined, stat: undefined };
      throw ioError(target, error);
    }
    let first: BigIntStats, bytes: Buffer, second: BigIntStats;
    try {
      first = await handle.stat({ bigint: true });
      bytes = await readCapped(handle, target, first);
      second = await handle.stat({ bigint: true });
    } catch (error) {
      throw ioError(target, error);
    } finally {
      await handle.close();
    }
    const stable = sameFile(first, second) && BigInt(bytes.length) === second.size;
    if (stable && (bytes.length > 0 || reread >= EMPTY_FILE_REREADS)) {
      return { bytes, stat: second };
    }
    if (bytes.length === 0) await sleep(EMPTY_FILE_PAUSE_MS);
  }
  throw new CredentialsFileError(
    'file-changing',
    `${target} kept changing while the app read it; another program is writing it. Try again.`,
    { file: target },
  );
}

async function statOf(fs: WriterFs, target: string): Promise<BigIntStats | undefined> {
  try {
    return await fs.stat(target, { bigint: true });
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw ioError(target, error);
  }
}

function sameFile(a: BigIntStats, b: BigIntStats): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;
}

async function changedSince(fs: WriterFs, target: string, snapshot: Snapshot): Promise<boolean> {
  const now = await statOf(fs, target);
  if (now === undefined || snapshot.stat === undefined) return now !== snapshot.stat;
  return !sameFile(now, snapshot.stat);
}

export async function anyChanged(
  fs: WriterFs,
  targets: readonly string[],
  snapshots: readonly Snapshot[],
): Promise<boolean> {
  for (let i = 0; i < targets.length; i++) {
    if (await changedSince(fs, targets[i]!, snapshots[i]!)) return true;
  }
  return false;
}

/** Creates `file` with mode 0600 and fsyncs it; false if it already exists. */
export async function writeNewFile(
  fs: WriterFs,
  file: string,
  bytes: Uint8Array,
): Promise<boolean> {
  let handle;
  try {
    handle = await fs.open(file, 'wx', 0o600);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw ioError(file, error);
  }
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await fs.unlink(file).catch(() => undefined);
    throw ioError(file, error);
  }
  await handle.close();
  return true;
}

export async function replaceFile(
  target: string,
  text: string,
  snapshot: Snapshot,
  lock: HeldLock,
  options: { readonly fs: WriterFs; readonly inPlace: boolean },
): Promise<void> {
  const { fs } = options;
  const bytes = Buffer.from(text);
  const dir = path.dirname(target);
  if (options.inPlace && snapshot.bytes !== undefined) {
    // First, so that a refusal leaves no backup behind.
    await makePrivate(fs, target, snapshot.stat!);
    await replaceWithCopy(fs, backupPathOf(target), snapshot.bytes);
    await confirmUnchanged(fs, target, snapshot, lock);
    await writeInPlace(fs, target, bytes);
    return;
  }
  const temp = tempPathOf(target);
  let backupTemp: string | undefined;
  let linked = false;
  try {
    await writeNewFile(fs, temp, bytes);
    if (snapshot.bytes !== undefined) {
      backupTemp = tempPathOf(target);
      linked = await linkOrCopy(fs, target, backupTemp, snapshot.bytes);
    }
    await confirmUnchanged(fs, target, snapshot, lock);
    await renameRetrying(fs, temp, target);
  } catch (error) {
    await fs.unlink(temp).catch(() => undefined);
    if (backupTemp !== undefined) await fs.unlink(backupTemp).catch(() => undefined);
    throw error;
  }
  if (linked && (await changedSince(fs, backupTemp!, snapshot))) {
    // An unlocked writer truncated and rewrote the file between the last check and the rename,
    // so its update went into the inode just replaced: put that file back and start over.
    await renameRetrying(fs, backupTemp!, target);
    throw new ConcurrentChange();
  }
  if (backupTemp !== undefined) {
    // The old inode becomes the rolling backup: no copy of the data is written.
    await renameRetrying(fs, backupTemp, backupPathOf(target));
    if ((snapshot.stat!.mode & 0o777n) !== 0o600n) await fs.chmod(backupPathOf(target), 0o600);
  }
  await fsyncDirectory(fs, dir);
}

/**
 * Before anything replaces the target: the lock is still ours, and nobody else wrote the file.
 * The file is checked last, right before the rename, to keep the window for unlocked writers small.
 */
async function confirmUnchanged(
  fs: WriterFs,
  target: string,
  snapshot: Snapshot,
  lock: HeldLock,
): Promise<void> {
  if (!(await lock.isHeld())) {
    throw new CredentialsFileError(
      'locked',
      `${lockPathOf(target)} was taken over while the app held it (the app was paused for longer than the stale timeout); nothing was replaced`,
      { file: target },
    );
  }
  if (await changedSince(fs, target, snapshot)) throw new ConcurrentChange();
}

/** A hard link to the current file, or a copy where the file system has no hard links. */
async function linkOrCopy(fs: WriterFs, from: string, to: string, bytes: Buffer): Promise<boolean> {
  try {
    await fs.link(from, to);
    return true;
  } catch {
    await writeNewFile(fs, to, bytes);
    return false;
  }
}

async function replaceWithCopy(fs: WriterFs, target: string, bytes: Buffer): Promise<void> {
  const temp = tempPathOf(target);
  try {
    await writeNewFile(fs, temp, bytes);
    await renameRetrying(fs, temp, target);
  } catch (error) {
    await fs.unlink(temp).catch(() => undefined);
    throw error;
  }
}

async function writeInPlace(fs: WriterFs, target: string, bytes: Buffer): Promise<void> {
  const handle = await fs.open(target, 'r+').catch((error: unknown) => {
    throw ioError(target, error);
  });
  try {
    await handle.write(bytes, 0, bytes.length, 0);
    await handle.truncate(bytes.length);
    await handle.sync();
  } catch (error) {
    throw ioError(target, error);
  } finally {
    await handle.close();
  }
}

/** Windows refuses a rename while another process (an antivirus, an indexer) has the file open. */
async function renameRetrying(fs: WriterFs, from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.rename(from, to);
      return;
    } catch (error) {
      const code = errorCode(error);
      const transient = code === 'EPERM' || code === 'EBUSY' || code === 'EACCES';
      if (!transient || attempt >= RENAME_RETRY_MS.length) throw ioError(to, error);
      await sleep(RENAME_RETRY_MS[attempt]!);
    }
  }
}

async function fsyncDirectory(fs: WriterFs, dir: string): Promise<void> {
  let handle;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open a folder, and some network file systems refuse to sync one;
    // the file itself has been synced.
  } finally {
    await handle?.close();
  }
}

function tempPathOf(target: string): string {
  const name = `.${path.basename(target)}.${TAG}-${randomBytes(6).toString('hex')}.tmp`;
  return path.join(path.dirname(target), name);
}

/** Temp files a killed writer left; only called while holding the lock it abandoned. */
export async function removeLeftovers(fs: WriterFs, target: string): Promise<void> {
  const prefix = `.${path.basename(target)}.${TAG}-`;
  const dir = path.dirname(target);
  for (const name of await fs.readdir(dir)) {
    if (name.startsWith(prefix) && name.endsWith('.tmp')) {
      await fs.unlink(path.join(dir, name)).catch(() => undefined);
    }
  }
}
