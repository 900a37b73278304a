import { removeAppFiles } from '../../core/app-files.js';
import { readTeamSettings } from '../../core/team-file-source.js';
import {
  applySetup,
  describePlan,
  planIsEmpty,
  planNeedsConsent,
  planProblems,
  planSetup,
} from '../../core/team-setup.js';
import { TeamSettingsError } from '../../shared/team-settings.js';
import type { CommandInput } from '../command-specs.js';
import type { CliContext } from '../context.js';
import { EXIT, failure } from '../errors.js';
import { printRefresh } from '../refresh-output.js';

/**
 * Asks before a change to what the user has; `--yes` answers for scripts. With nobody at the
 * terminal and no `--yes`, nothing changes: a script must say it means it.
 */
async function consent(
  ctx: CliContext,
  yes: boolean | undefined,
  question: string,
  refusal: string,
): Promise<boolean> {
  if (yes) return true;
  if (!ctx.io.stdinIsTty) throw failure(`${refusal}; run again with --yes to do it without asking`);
  const answer = await ctx.io.promptLine(`${question} [y/N]`);
  return /^y(es)?$/i.test(answer?.trim() ?? '');
}

/**
 * `setup FILE|URL`: a team's settings file applied to this machine (docs/team-settings.md).
 * It says what changes, asks before changing what exists, and changes it through the engine.
 */
export async function setup(ctx: CliContext, { values, positionals }: CommandInput<'setup'>) {
  const current = ctx.savedSettings();
  const { team, source } = await readTeamSettings(positionals[0]!, {
    saved: current.vault,
    env: ctx.io.env,
    cwd: ctx.io.cwd,
    tlsFromEnv: true,
  }).catch((error: unknown) => {
    // A file's or a server's refusal is the user's to fix: said as one line, not as a crash.
    throw error instanceof TeamSettingsError ? failure(error.message) : error;
  });
  const plan = planSetup(current, team, {
    prune: values.prune ?? false,
    configDir: ctx.configDir,
    home: ctx.io.homedir,
  });
  ctx.out(`Team settings from ${source}:`);
  for (const line of describePlan(plan)) ctx.out(`  ${line}`);
  if (planIsEmpty(plan)) return EXIT.ok;
  const engine = ctx.engine();
  const problems = await planProblems(engine, plan);
  if (problems.length > 0) {
    for (const problem of problems) ctx.io.stderr(`vault-aws-tray: ${problem}\n`);
    throw failure('nothing was changed');
  }
  if (values['dry-run']) {
    ctx.out('Nothing changed (--dry-run).');
    return EXIT.ok;
  }
  if (
    planNeedsConsent(plan) &&
    !(await consent(
      ctx,
      values.yes,
      'Change these settings and profiles?',
      'the file changes settings or profiles you have',
    ))
  ) {
    ctx.out('Nothing changed.');
    return EXIT.ok;
  }
  const report = await applySetup(engine, plan);
  if (report.vaultChanged && plan.vault)
    ctx.out(`Saved the Vault settings for ${plan.vault.next.address}`);
  for (const name of report.removed) ctx.out(`${name}: removed`);
  let code: number = EXIT.ok;
  for (const refresh of report.refreshes) code = Math.max(code, printRefresh(ctx, refresh));
  if (report.waiting === 'sign-in')
    ctx.out(
      `${[...report.added, ...report.changed].join(', ')}: saved; written when you sign in: run \`vault-aws-tray login\``,
    );
  else if (report.refreshes.length === 0 && (report.added.length || report.changed.length))
    ctx.out(`${[...report.added, ...report.changed].join(', ')}: saved`);
  return code;
}

/**
 * `reset`: back to before the app. The token is revoked first (by the engine that holds it),
 * then every managed profile goes with its sections, then the files the app wrote.
 */
export async function reset(ctx: CliContext, { values }: CommandInput<'reset'>) {
  const engine = ctx.engine();
  const { status } = await engine.status();
  const names = (await engine.listProfiles()).map((p) => p.name);
  ctx.out('This signs out of Vault (revoking the token) and removes:');
  ctx.out(
    names.length > 0
      ? `  the profiles ${names.join(', ')} and their sections in the AWS files`
      : '  no profiles (none are managed)',
  );
  ctx.out(`  the settings, tokens and caches in ${ctx.configDir}`);
  if (!(await consent(ctx, values.yes, 'Remove all of this?', 'reset removes all of the above'))) {
    ctx.out('Nothing changed.');
    return EXIT.ok;
  }
  const signOut = await engine.signOut();
  if (signOut.wasSignedIn) ctx.out(`Signed out of ${signOut.address ?? 'Vault'}`);
  for (const name of names) {
    const removed = await engine.removeProfile(name, { keepSections: false });
    ctx.out(`${name}: removed${removed.hadSections ? ' with its sections' : ''}`);
  }
  // A one-shot engine saves its state as it stops: stopped first, so nothing comes back.
  await ctx.close();
  const settings = ctx.savedSettings();
  const engineRunning = status.engine !== 'none';
  const files = await removeAppFiles(
    ctx.configDir,
    { env: ctx.io.env, homeDir: ctx.io.homedir, cwd: ctx.io.cwd, settings: settings.files },
    { engineRunning },
  );
  for (const removed of files.removed) ctx.out(`Removed ${removed}`);
  for (const kept of files.kept)
    ctx.out(`Kept ${kept}: your own text from before the app took a profile over`);
  if (engineRunning)
    ctx.out(
      status.engine === 'daemon'
        ? 'The daemon still runs, with nothing to do: stop it (systemctl --user stop vault-aws-tray, or its service)'
        : 'The tray app still runs, with nothing to do: quit it from its menu',
    );
  return EXIT.ok;
}
