/**
 * Replaces the credentials and config files without ever leaving a partial or broken one:
 * lock, re-read, edit, validate, write a 0600 temp file beside the target, fsync, rename,
 * fsync the folder, release. A file that already breaks botocore's strict rules is refused and
 * left as it was, like every other refusal: same bytes, mode, inode and mtime, and no temp, lock
 * or backup file left behind.
 */
import { randomBytes } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CredentialsFileError, brokenFileError } from './errors.js';
import { acquireLock, type HeldLock } from './file-lock.js';
import { parseIni, type IniDocument } from './ini-document.js';
import { disturbedSection } from './managed-sections.js';
import { parseStrict, strictViolations } from './strict-validate.js';
import { errorCode, type WriterFs } from './writer-fs.js';

export interface FileEdit {
  /** The file's new text; the old text when nothing changes. */
  readonly text: string;
  /** Sections the edit manages; every other section must read the same afterwards. */
  readonly managed: ReadonlySet<string>;
  /** Old content to keep in a backup of its own, which later writes never overwrite. */
  readonly keep?: { readonly label: string; readonly text: string } | undefined;
}

/** Computes the edits from the freshly read documents; may throw a refusal. */
export type Editor = (docs: readonly IniDocument[]) => readonly FileEdit[];

export interface SafeWriterOptions {
  readonly fs: WriterFs;
  /**
   * Write into the existing file instead of replacing it, for a file bind-mounted on its own
   * into a container (a rename gives the path a new inode the container never sees). A crash
   * mid-write can leave a torn file; the rolling backup is written first.
   */
  readonly inPlace: boolean;
  readonly staleMs: number;
  readonly waitMs: number;
  /** Wall-clock milliseconds, for the names of adoption backups. */
  readonly now: () => number;
}

export interface EditResult {
  /** The documents as they are after the write, in the order of the paths. */
  readonly docs: readonly IniDocument[];
  readonly written: readonly string[];
  readonly backups: readonly string[];
}

const TAG = 'vault-aws-tray';
const ATTEMPTS = 5;
/** An unlocked writer (aws configure set, saml2aws) truncates the file and then writes it. */
const EMPTY_FILE_REREADS = 3;
const EMPTY_FILE_PAUSE_MS = 50;
const RENAME_RETRY_MS = [20, 50, 100, 250, 500];

function lockPathOf(target: string): string {
  return `${target}.${TAG}.lock`;
}

function backupPathOf(target: string): string {
  return `${target}.${TAG}.bak`;
}

interface Snapshot {
  readonly bytes: Buffer | undefined;
  readonly stat: BigIntStats | undefined;
}

class ConcurrentChange extends Error {}

export async function editFiles(
  paths: readonly string[],
  edit: Editor,
  options: SafeWriterOptions,
): Promise<EditResult> {
  const { fs } = options;
  const targets = await Promise.all(paths.map((file) => resolveTarget(fs, file)));
  if (new Set(targets).size !== targets.length) {
    throw new CredentialsFileError(
      'invalid-input',
      `The credentials and config paths lead to the same file (${targets[0]}); they must differ.`,
    );
  }
  const locks = new Map<string, HeldLock>();
  try {
    // A fixed order (by path) so that two writers never wait for each other's second lock.
    for (const target of [...targets].sort()) {
      const lock = await lockCreatingFolder(target, options);
      locks.set(target, lock);
      if (lock.tookOverStale) await removeLeftovers(fs, target);
    }
    return await editLocked(targets, locks, edit, options);
  } finally {
    // A lock that cannot be removed goes stale and is taken over by the next writer.
    for (const lock of [...locks.values()].reverse()) await lock.release().catch(() => undefined);
  }
}

/** The lock beside the target, creating the target's folder (0700) when it is missing. */
async function lockCreatingFolder(target: string, options: SafeWriterOptions): Promise<HeldLock> {
  const lockPath = lockPathOf(target);
  try {
    return await acquireLock(lockPath, options);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw ioError(lockPath, error);
  }
  await options.fs.mkdir(path.dirname(target), { recursive: true, mode: 0o700 }).catch((error) => {
    throw ioError(path.dirname(target), error);
  });
  return acquireLock(lockPath, options).catch((error: unknown) => {
    throw ioError(lockPath, error);
  });
}

async function editLocked(
  targets: readonly string[],
  locks: ReadonlyMap<string, HeldLock>,
  edit: Editor,
  options: SafeWriterOptions,
): Promise<EditResult> {
  const { fs } = options;
  let kept: string[] | undefined;
  const written = new Set<string>();
  const backups = new Set<string>();
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const snapshots = await Promise.all(targets.map((target) => readStable(fs, target)));
    let before: IniDocument[];
    try {
      before = snapshots.map((snapshot, i) => parseSnapshot(targets[i]!, snapshot));
    } catch (error) {
      // A half-written file from an unlocked writer is read again, a broken one refused.
      if (await anyChanged(fs, targets, snapshots)) continue;
      throw error;
    }
    const edits = edit(before);
    const after = edits.map((fileEdit, i) => checkOutput(targets[i]!, before[i]!, fileEdit));
    try {
      for (let i = 0; i < targets.length; i++) {
        const target = targets[i]!;
        if (after[i]!.text === before[i]!.text) continue;
        kept ??= await writeKeptSections(targets, edits, options);
        await replaceFile(target, after[i]!.text, snapshots[i]!, locks.get(target)!, options);
        written.add(target);
        if (snapshots[i]!.bytes !== undefined) backups.add(backupPathOf(target));
      }
    } catch (error) {
      if (error instanceof ConcurrentChange) continue;
      throw error;
    }
    return { docs: after, written: [...written], backups: [...(kept ?? []), ...backups] };
  }
  throw new CredentialsFileError(
    'file-changing',
    `${targets.join(' and ')} kept changing while the app tried to write; another program is writing it. Try again.`,
  );
}

/** Follows symlinks, dangling ones too, so that the link's target is what gets replaced. */
async function resolveTarget(fs: WriterFs, file: string, depth = 0): Promise<string> {
  const absolute = path.resolve(file);
  try {
    return await fs.realpath(absolute);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT' || depth > 32) throw ioError(absolute, error);
  }
  const parent = path.dirname(absolute);
  const link = await fs.lstat(absolute).catch(() => undefined);
  if (link?.isSymbolicLink()) {
    return resolveTarget(fs, path.resolve(parent, await fs.readlink(absolute)), depth + 1);
  }
  if (parent === absolute) return absolute;
  return path.join(await resolveTarget(fs, parent, depth + 1), path.basename(absolute));
}

async function readStable(fs: WriterFs, target: string): Promise<Snapshot> {
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
      bytes = Buffer.allocUnsafe(Number(first.size));
      let length = 0;
      while (length < bytes.length) {
        const { bytesRead } = await handle.read(bytes, length, bytes.length - length, length);
        if (bytesRead === 0) break;
        length += bytesRead;
      }
      bytes = bytes.subarray(0, length);
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

async function anyChanged(
  fs: WriterFs,
  targets: readonly string[],
  snapshots: readonly Snapshot[],
): Promise<boolean> {
  for (let i = 0; i < targets.length; i++) {
    if (await changedSince(fs, targets[i]!, snapshots[i]!)) return true;
  }
  return false;
}

function parseSnapshot(file: string, snapshot: Snapshot): IniDocument {
  if (snapshot.bytes === undefined) return parseIni('');
  const parsed = parseStrict(snapshot.bytes);
  if ('rule' in parsed) throw brokenFileError(file, parsed);
  return parsed;
}

function checkOutput(file: string, before: IniDocument, fileEdit: FileEdit): IniDocument {
  if (fileEdit.text === before.text) return before;
  const after = parseIni(fileEdit.text);
  const [violation] = strictViolations(after);
  if (violation !== undefined) {
    throw new CredentialsFileError(
      'broken-file',
      `${file}: the edited file would break botocore's rule ${violation.rule} at line ${violation.line}; nothing was written`,
      { file, line: violation.line, rule: violation.rule },
    );
  }
  const line = disturbedSection(before, after, fileEdit.managed);
  if (line !== undefined) {
    throw new CredentialsFileError(
      'unsupported-layout',
      `${file}:${line}: this section header is indented, and the edit would make botocore read it as part of a value; remove the indentation so the app can write this file`,
      { file, line },
    );
  }
  return after;
}

/** Backups of adopted sections: one new file each, never overwritten. */
async function writeKeptSections(
  targets: readonly string[],
  edits: readonly FileEdit[],
  options: SafeWriterOptions,
): Promise<string[]> {
  const written: string[] = [];
  const stamp = new Date(options.now()).toISOString().replace(/[-:]|\.\d{3}/g, '');
  for (let i = 0; i < targets.length; i++) {
    const keep = edits[i]!.keep;
    if (keep === undefined) continue;
    for (let n = 1; ; n++) {
      const suffix = n === 1 ? '' : `-${n}`;
      const file = `${targets[i]}.${TAG}-adopted-${keep.label}-${stamp}${suffix}.bak`;
      if (await writeNewFile(options.fs, file, Buffer.from(keep.text))) {
        written.push(file);
        break;
      }
    }
  }
  return written;
}

/** Creates `file` with mode 0600 and fsyncs it; false if it already exists. */
async function writeNewFile(fs: WriterFs, file: string, bytes: Uint8Array): Promise<boolean> {
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

async function replaceFile(
  target: string,
  text: string,
  snapshot: Snapshot,
  lock: HeldLock,
  options: SafeWriterOptions,
): Promise<void> {
  const { fs } = options;
  const bytes = Buffer.from(text);
  const dir = path.dirname(target);
  if (options.inPlace && snapshot.bytes !== undefined) {
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
async function removeLeftovers(fs: WriterFs, target: string): Promise<void> {
  const prefix = `.${path.basename(target)}.${TAG}-`;
  const dir = path.dirname(target);
  for (const name of await fs.readdir(dir)) {
    if (name.startsWith(prefix) && name.endsWith('.tmp')) {
      await fs.unlink(path.join(dir, name)).catch(() => undefined);
    }
  }
}

function ioError(file: string, error: unknown): CredentialsFileError {
  if (error instanceof CredentialsFileError) return error;
  const reason = errorCode(error) ?? (error instanceof Error ? error.message : String(error));
  return new CredentialsFileError('io', `${file}: ${reason}`, { file, cause: error });
}
