/**
 * Replaces the credentials and config files without ever leaving a partial or broken one:
 * lock, re-read, edit, validate, write a 0600 temp file beside the target, fsync, rename,
 * fsync the folder, release. A file that already breaks botocore's strict rules is refused and
 * left as it was, like every other refusal (too large, read-only, someone else's: file-access.ts):
 * same bytes, mode, owner, inode and mtime, and no temp, lock or backup file left behind. This
 * module orders those steps; file-replacement.ts reads and replaces each file.
 */
import path from 'node:path';
import { CredentialsFileError, brokenFileError, ioError } from './errors.js';
import { checkReplaceable } from './file-access.js';
import { acquireLock, type HeldLock } from './file-lock.js';
import {
  ConcurrentChange,
  adoptedBackupPathOf,
  anyChanged,
  backupPathOf,
  lockPathOf,
  readStable,
  removeLeftovers,
  replaceFile,
  writeNewFile,
  type Snapshot,
} from './file-replacement.js';
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

const ATTEMPTS = 5;

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
    // Every file about to be replaced, before any is: a refusal must leave both as they were.
    for (let i = 0; i < targets.length; i++) {
      const stat = snapshots[i]!.stat;
      if (stat !== undefined && after[i]!.text !== before[i]!.text) {
        await checkReplaceable(fs, targets[i]!, stat);
      }
    }
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
      const file = adoptedBackupPathOf(targets[i]!, keep.label, stamp, n);
      if (await writeNewFile(options.fs, file, Buffer.from(keep.text))) {
        written.push(file);
        break;
      }
    }
  }
  return written;
}
