import { parseArgs } from 'node:util';
import type { CliContext } from '../context.js';
import { EXIT } from '../errors.js';
import { printRefresh } from '../refresh-output.js';

/** `refresh [NAME...]`: full fresh credentials from Vault for the named (or all) profiles. */
export async function refresh(ctx: CliContext, args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const report = await ctx.engine().refresh(positionals.length > 0 ? positionals : undefined);
  if (report.outcomes.length === 0) {
    ctx.out('No profiles to refresh: add one with `vault-aws-tray profile add NAME --role ROLE`');
    return EXIT.ok;
  }
  return printRefresh(ctx, report);
}
