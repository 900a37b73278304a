/**
 * The file-system calls the writer makes. Tests swap single calls (a Windows rename that fails
 * with EPERM, a file that changes between read and rename); the app uses `node:fs/promises`.
 */
import * as fsPromises from 'node:fs/promises';

export type WriterFs = Pick<
  typeof fsPromises,
  | 'chmod'
  | 'link'
  | 'lstat'
  | 'mkdir'
  | 'open'
  | 'readdir'
  | 'readFile'
  | 'readlink'
  | 'realpath'
  | 'rename'
  | 'stat'
  | 'unlink'
  | 'utimes'
>;

export const nodeFs: WriterFs = fsPromises;

export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
