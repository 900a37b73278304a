import { commandBrowser } from '../../core/browser-command.js';
import { openThroughRedirect, profileConsoleUrl } from '../../core/profile-console.js';
import { PRODUCT_NAME } from '../../shared/app.js';
import { regionProblem } from '../../shared/fields.js';
import type { CommandInput } from '../command-specs.js';
import type { CliContext } from '../context.js';
import { EXIT, usageError } from '../errors.js';

/** The profile `console` opens: the one named, the only one, or AWS_PROFILE's. */
async function chosenProfile(ctx: CliContext, named: string | undefined): Promise<string> {
  if (named) return named;
  const profiles = (await ctx.engine().listProfiles()).map((p) => p.name);
  if (profiles.length === 1) return profiles[0]!;
  const fromEnv = ctx.io.env.AWS_PROFILE;
  if (fromEnv && profiles.includes(fromEnv)) return fromEnv;
  throw usageError(
    profiles.length === 0
      ? `no profiles yet: add one with \`${PRODUCT_NAME} profile add NAME --role ROLE\``
      : `which profile? name one of ${profiles.join(', ')} (or set AWS_PROFILE)`,
  );
}

/**
 * `console [PROFILE]`: the AWS console signed in as the profile's role, as profile-console.ts
 * does it for the app too. `--print` prints the sign-in URL and nothing else; otherwise the
 * browser gets a one-shot loopback address that redirects to it, never the URL itself.
 */
export async function consoleCommand(
  ctx: CliContext,
  { values, positionals }: CommandInput<'console'>,
): Promise<number> {
  if (values.region !== undefined) {
    const problem = regionProblem(values.region);
    if (problem) throw usageError(problem);
  }
  const profile = await chosenProfile(ctx, positionals[0]);
  const saved = ctx.savedSettings();
  const url = await profileConsoleUrl(
    ctx.engine(),
    profile,
    { region: values.region, destination: values.destination },
    { env: ctx.io.env, proxy: saved.vault?.proxy },
  );
  if (values.print) {
    ctx.out(url);
    return EXIT.ok;
  }
  const command = values.browser ?? saved.console.browser;
  const browser = command ? commandBrowser(command, ctx.io.env) : ctx.io.browser;
  ctx.io.stderr(`Opening the AWS console as ${profile} in the browser…\n`);
  await openThroughRedirect(url, browser);
  return EXIT.ok;
}
