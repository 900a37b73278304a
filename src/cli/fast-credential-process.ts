import { credentialProcessJson } from '../core/aws/credential-output.js';
import { cachedHandOut } from '../core/engine/cached-credentials.js';
import type { HandOut } from '../core/engine/engine-api.js';
import { askEngine, NoEngineError } from '../core/engine/engine-client.js';
import { EngineError } from '../core/engine/engine-protocol.js';
import { leadingConfigDir } from '../shared/cli-commands.js';
import { configDir } from '../shared/paths.js';
import type { PathEnvironment } from '../shared/paths.js';
import { exitCodeFor } from './errors.js';

/** `[--config-dir DIR] credential-process NAME`, and nothing else, or undefined. */
function parse(args: string[]): { dir?: string; name: string } | undefined {
  const { dir, rest } = leadingConfigDir(args);
  if (rest.length !== 2 || rest[0] !== 'credential-process' || rest[1]!.startsWith('-')) return;
  return { dir, name: rest[1]! };
}

/**
 * `credential-process NAME` answered without loading the CLI: from the running engine's memory,
 * or, with none running, from the one-shot engine's cache while it may be handed out. The exit
 * code, or undefined when the full CLI must answer (a Vault read, other arguments).
 * `npm run build:cli` bundles this file and what it imports into one CommonJS file, which the
 * bin loads first.
 */
export async function fastCredentialProcess(
  args: string[],
  environment: PathEnvironment,
): Promise<number | undefined> {
  const request = parse(args);
  if (!request) return undefined;
  const folder = configDir(request.dir, environment);
  try {
    const answer = (await askEngine(folder, environment.platform, 'credentials', [
      request.name,
    ])) as HandOut;
    process.stdout.write(credentialProcessJson(answer.credentials));
    return 0;
  } catch (error) {
    if (error instanceof NoEngineError) {
      const cached = cachedHandOut(folder, request.name, Date.now());
      if (!cached) return undefined;
      process.stdout.write(credentialProcessJson(cached));
      return 0;
    }
    process.stderr.write(`vault-aws-tray: ${(error as Error).message}\n`);
    return error instanceof EngineError ? exitCodeFor(error.code) : 1;
  }
}
