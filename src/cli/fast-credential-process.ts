import { writeSync } from 'node:fs';
import { credentialProcessJson } from '../core/aws/credential-output.js';
import { cachedHandOut } from '../core/engine/cached-credentials.js';
import type { HandOut } from '../core/engine/engine-api.js';
import { askEngine, NoEngineError } from '../core/engine/engine-client.js';
import { EngineError } from '../core/engine/engine-protocol.js';
import { leadingConfigDir } from '../shared/cli-commands.js';
import { configDir } from '../shared/paths.js';
import type { PathEnvironment } from '../shared/paths.js';
import { exitCodeFor } from './errors.js';

/**
 * Writes to stdout (1) or stderr (2) at once, without making process.stdout: creating that
 * stream costs more than the rest of the answer. A full pipe (EAGAIN) is waited out.
 */
function write(fd: 1 | 2, text: string): void {
  let bytes = Buffer.from(text);
  while (bytes.length > 0) {
    try {
      bytes = bytes.subarray(writeSync(fd, bytes));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

/** `[--config-dir DIR] credential-process NAME`, and nothing else, or undefined. */
function parse(args: string[]): { dir?: string; name: string } | undefined {
  const { dir, rest } = leadingConfigDir(args);
  if (rest.length !== 2 || rest[0] !== 'credential-process' || rest[1]!.startsWith('-')) return;
  return { dir, name: rest[1]! };
}

/**
 * `credential-process NAME` answered without loading the CLI: from the credential cache the
 * engines keep (credential-cache.ts) while its entry may be handed out, else from the running
 * engine's memory through its socket. The exit code, or undefined when the full CLI must answer
 * (no engine and a Vault read to make, or other arguments). `npm run build:cli` bundles this file
 * and what it imports into one CommonJS file, which the bin loads first.
 */
export async function fastCredentialProcess(
  args: string[],
  environment: PathEnvironment,
): Promise<number | undefined> {
  const request = parse(args);
  if (!request) return undefined;
  const folder = configDir(request.dir, environment);
  const cached = cachedHandOut(folder, request.name, Date.now());
  if (cached) {
    write(1, credentialProcessJson(cached));
    return 0;
  }
  try {
    const answer = (await askEngine(folder, environment.platform, 'credentials', [
      request.name,
    ])) as HandOut;
    write(1, credentialProcessJson(answer.credentials));
    return 0;
  } catch (error) {
    if (error instanceof NoEngineError) return undefined;
    write(2, `vault-aws-tray: ${(error as Error).message}\n`);
    return error instanceof EngineError ? exitCodeFor(error.code) : 1;
  }
}
