/**
 * What the writer may read and replace, decided before it does: no file larger than a cap, no
 * file that is read-only or someone else's, and (in place) no secrets into a file others can read.
 * Decided from stat, not from EACCES, so the rules hold for root too, whom the kernel lets through.
 */
import type { BigIntStats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { CredentialsFileError, ioError } from './errors.js';
import { errorCode, type WriterFs } from './writer-fs.js';

/**
 * The largest file the app reads. Real credentials and config files are a few kilobytes; parsing
 * an 18 MB one took 700 MB of memory, and a huge sparse one could not even be allocated.
 */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;
const MAX_TEXT = '16 MiB';
/** The first extra room when a file turns out longer than its stat said. */
const MIN_GROWTH = 64 * 1024;

/**
 * The whole file behind `handle`, whose stat was `stat`, refused in words when it is over the cap
 * (before anything is allocated), or grows past it while being read.
 */
export async function readCapped(
  handle: FileHandle,
  file: string,
  stat: BigIntStats,
): Promise<Buffer> {
  if (stat.size > BigInt(MAX_FILE_BYTES)) throw tooLargeError(file, stat.size);
  // One byte more than the stat size, so that reading it shows a file still growing.
  let buffer = Buffer.allocUnsafe(Number(stat.size) + 1);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > MAX_FILE_BYTES) throw tooLargeError(file, undefined);
      const bigger = Buffer.allocUnsafe(
        Math.min(Math.max(length * 2, MIN_GROWTH), MAX_FILE_BYTES + 1),
      );
      buffer.copy(bigger, 0, 0, length);
      buffer = bigger;
    }
    const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
    if (bytesRead === 0) return buffer.subarray(0, length);
    length += bytesRead;
  }
}

/** For reads without the lock (inspect): the file's bytes, or undefined when it is missing. */
export async function readFileCapped(fs: WriterFs, file: string): Promise<Buffer | undefined> {
  let handle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw ioError(file, error);
  }
  try {
    return await readCapped(handle, file, await handle.stat({ bigint: true }));
  } catch (error) {
    throw ioError(file, error);
  } finally {
    await handle.close();
  }
}

function tooLargeError(file: string, size: bigint | undefined): CredentialsFileError {
  const what =
    size === undefined
      ? `grew past ${MAX_TEXT} while the app read it`
      : `is ${mebibytes(size)} (${size} bytes), more than the ${MAX_TEXT} the app reads`;
  return new CredentialsFileError(
    'too-large',
    `${file} ${what}; AWS credentials and config files are a few kilobytes, so this is probably not one. Point the app at the right file, or shrink this one; the app left it unchanged.`,
    { file },
  );
}

/**
 * Refuses to replace a file that is read-only (no owner write bit) or belongs to another user:
 * a rename would silently swap it for this user's 0600 file, which its owner can no longer read
 * and which no longer says "do not write me".
 */
export async function checkReplaceable(
  fs: WriterFs,
  file: string,
  stat: BigIntStats,
): Promise<void> {
  const readOnly = (stat.mode & 0o200n) === 0n;
  const uid = process.getuid?.();
  const foreign = uid !== undefined && stat.uid !== BigInt(uid);
  if (!readOnly && !foreign) return;
  // Windows has no uids: stat says 0 for every file.
  const owner = uid === undefined ? '' : `, owner ${await ownerText(fs, stat.uid)}`;
  const facts = `mode ${octal(stat.mode)}${owner}`;
  if (!foreign) {
    throw new CredentialsFileError(
      'not-writable',
      `${file} is read-only (${facts}), so the app will not replace it. Make it writable with chmod u+w ${file}, or point the app at another file.`,
      { file },
    );
  }
  const self = await ownerText(fs, BigInt(uid!));
  const state = readOnly ? 'is read-only and belongs' : 'belongs';
  throw new CredentialsFileError(
    'not-writable',
    `${file} ${state} to another user (${facts}; the app runs as ${self}), so the app will not replace it: the new file would be this user's, and its owner could no longer read it. Run the app as its owner, give the file to this user with chown, or point the app at another file.`,
    { file },
  );
}

/**
 * Before secrets are written into an existing file in place (which keeps its mode), the file is
 * made 0600 as a replacement would be; refused when that does not take (a mount that ignores or
 * forbids chmod), so the secrets never land in a file others can read.
 */
export async function makePrivate(fs: WriterFs, file: string, stat: BigIntStats): Promise<void> {
  if ((stat.mode & 0o777n) === 0o600n) return;
  let mode: bigint | undefined;
  let reason = '';
  try {
    await fs.chmod(file, 0o600);
    mode = (await fs.stat(file, { bigint: true })).mode;
  } catch (error) {
    reason = ` (${errorCode(error) ?? String(error)})`;
  }
  if (mode !== undefined && (mode & 0o777n) === 0o600n) return;
  throw new CredentialsFileError(
    'not-writable',
    `${file} is mode ${octal(stat.mode)} and the app could not make it 0600${reason}, so it will not write credentials into it in place, where others could read them. Make it private with chmod 600 ${file}, or mount its folder and turn in-place mode off.`,
    { file },
  );
}

function octal(mode: bigint): string {
  return `0${(mode & 0o777n).toString(8).padStart(3, '0')}`;
}

function mebibytes(size: bigint): string {
  return `${(Number(size) / (1024 * 1024)).toFixed(1)} MiB`;
}

/** `uid 1000 (alice)`, with the name only when it is cheap to find (this user, /etc/passwd). */
async function ownerText(fs: WriterFs, uid: bigint): Promise<string> {
  const name = await userName(fs, uid).catch(() => undefined);
  return name === undefined ? `uid ${uid}` : `uid ${uid} (${name})`;
}

async function userName(fs: WriterFs, uid: bigint): Promise<string | undefined> {
  if (uid === BigInt(process.getuid?.() ?? -1)) return userInfo().username;
  const passwd = await fs.readFile('/etc/passwd', 'utf8');
  for (const line of passwd.split('\n')) {
    const [name, , id] = line.split(':');
    if (id === String(uid) && name) return name;
  }
  return undefined;
}
