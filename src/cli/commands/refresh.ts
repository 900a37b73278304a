import type { CommandInput } from '../command-specs.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../errors.js';
import { printRefresh, refreshExitCode, refreshJson } from '../refresh-output.js';

/** `refresh [NAME...]`: full fresh credentials from Vault for the named (or all) profiles. */
export async function refresh(
  ctx: CliContext,
  { positionals, values }: CommandInput<'refresh'>,
): Promise<number> {
  const report = await ctx.engine().refresh(positionals.length > 0 ? positionals : undefined);
  if (values.json) {
    ctx.out(refreshJson(report));
    return refreshExitCode(report);
  }
  if (report.outcomes.length === 0) {
    ctx.out('No profiles to refresh: add one with `vault-aws-tray profile add NAME --role ROLE`');
    return EXIT.ok;
  }
  return printRefresh(ctx, report);
}
