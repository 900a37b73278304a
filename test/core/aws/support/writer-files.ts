/** A scratch folder with a credentials and a config path, and what a refusal must leave as it was. */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { FileProfileUpdate } from '../../../../src/core/aws/credentials-file-writer.js';
import { CredentialsFileError } from '../../../../src/core/aws/errors.js';

export const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCY';

export interface Scratch {
  readonly dir: string;
  readonly credentialsFile: string;
  readonly configFile: string;
}

export function scratch(prefix: string): Scratch {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return {
    dir,
    credentialsFile: path.join(dir, 'aws', 'credentials'),
    configFile: path.join(dir, 'aws', 'config'),
  };
}

export function update(profile: string, n = 1, region?: string): FileProfileUpdate {
  return {
    profile,
    credentials: {
      accessKeyId: `AKIA${profile.toUpperCase().replace(/[^A-Z]/g, '')}${n}`,
      secretAccessKey: `${SECRET}${n}`,
      sessionToken: `FwoGZXIvYXdzE${n}==`,
      expiresAt: new Date(Date.UTC(2030, 0, 1, 0, n)),
    },
    ...(region === undefined ? {} : { region }),
  };
}

export function seed(file: string, text: string, mode = 0o644): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text, { mode });
}

/** Everything a refusal must leave as it was, the owner too. */
export function state(file: string): unknown {
  const stat = statSync(file, { bigint: true });
  return {
    bytes: readFileSync(file).toString('base64'),
    mode: stat.mode,
    uid: stat.uid,
    gid: stat.gid,
    ino: stat.ino,
    mtimeNs: stat.mtimeNs,
    folder: readdirSync(path.dirname(file)).sort(),
  };
}

export async function refusal(promise: Promise<unknown>): Promise<CredentialsFileError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CredentialsFileError);
  return error as CredentialsFileError;
}

export const modeOf = (file: string): number => statSync(file).mode & 0o777;
