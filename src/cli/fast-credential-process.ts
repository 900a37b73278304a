import { credentialProcessJson } from '../core/aws/credential-output.js';
import type { WireCredentials } from '../core/engine/engine-endpoint.js';
import { leadingConfigDir } from '../shared/cli-commands.js';
import { configDir } from '../shared/paths.js';
import type { PathEnvironment } from '../shared/paths.js';
import { askEngine, NoEngineError } from './engine-client.js';
import { engineExitCode } from './errors.js';

/** `[--config-dir DIR] credential-process NAME`, and nothing else, or undefined. */
function parse(args: string[]): { dir?: string; name: string } | undefined {
  const { dir, rest } = leadingConfigDir(args);
  if (rest.length !== 2 || rest[0] !== 'credential-process' || rest[1]!.startsWith('-')) return;
  return { dir, name: rest[1]! };
}

/**
 * `credential-process NAME` answered from the running engine's memory: the exit code, or
 * undefined when the full CLI must answer (no engine, or other arguments). `npm run build:cli`
 * bundles this file and what it imports into one CommonJS file, which the bin loads first.
 */
export async function fastCredentialProcess(
  args: string[],
  environment: PathEnvironment,
): Promise<number | undefined> {
  const request = parse(args);
  if (!request) return undefined;
  const folder = configDir(request.dir, environment);
  let reply;
  try {
    reply = await askEngine<{ credentials: WireCredentials }>(folder, environment.platform, {
      op: 'credentials',
      profile: request.name,
    });
  } catch (error) {
    if (error instanceof NoEngineError) return undefined;
    process.stderr.write(`vault-aws-tray: ${(error as Error).message}\n`);
    return 1;
  }
  if (reply.ok) {
    process.stdout.write(credentialProcessJson(reply.credentials));
    return 0;
  }
  process.stderr.write(`vault-aws-tray: ${reply.message}\n`);
  return engineExitCode(reply.code);
}
