import { COMPLETION_SCRIPTS } from '../completion.js';
import type { CommandInput } from '../command-specs.js';
import { SHELLS } from '../command-specs.js';
import type { CliContext } from '../context.js';
import { EXIT, usageError } from '../errors.js';

/** `completion bash|zsh|fish`: the script that completes commands, flags and profile names. */
export async function completion(
  ctx: CliContext,
  { positionals }: CommandInput<'completion'>,
): Promise<number> {
  const shell = positionals[0]! as (typeof SHELLS)[number];
  if (!SHELLS.includes(shell))
    throw usageError(`completion is made for ${SHELLS.join(', ')}, not "${shell}"`);
  ctx.io.stdout(COMPLETION_SCRIPTS[shell]());
  return EXIT.ok;
}
