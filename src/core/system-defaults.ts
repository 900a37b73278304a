import { existsSync } from 'node:fs';
import type { Settings } from '../shared/settings.js';
import { TeamSettingsError } from '../shared/team-settings.js';
import type { EngineApi } from './engine/engine-api.js';
import type { Logger } from './ports.js';
import { readTeamSettings } from './team-file-source.js';
import { applySetup, planProblems, planSetup } from './team-setup.js';

/** A first start: nothing saved yet that a preset could overwrite. */
export function isFirstStart(settings: Settings): boolean {
  return settings.vault === undefined && Object.keys(settings.profiles).length === 0;
}

/**
 * The machine's defaults file (systemDefaultsFile in src/shared/paths.ts) applied on a first
 * start, as a team file without asking: nothing exists yet to change. A missing file is the usual
 * case; a broken one is logged and the app starts as without it. Returns whether it was applied.
 */
export async function applySystemDefaults(
  engine: EngineApi,
  options: {
    file: string;
    settings: Settings;
    configDir: string;
    home: string;
    env: Record<string, string | undefined>;
    logger: Logger;
  },
): Promise<boolean> {
  if (!isFirstStart(options.settings) || !existsSync(options.file)) return false;
  let team;
  try {
    ({ team } = await readTeamSettings(options.file, {
      env: options.env,
      cwd: options.home,
      tlsFromEnv: false,
    }));
  } catch (error) {
    if (!(error instanceof TeamSettingsError)) throw error;
    options.logger.warn(`the system defaults were not applied: ${error.message}`);
    return false;
  }
  const plan = planSetup(options.settings, team, {
    prune: false,
    configDir: options.configDir,
    home: options.home,
  });
  const problems = await planProblems(engine, plan);
  if (problems.length > 0) {
    options.logger.warn(`the system defaults were not applied: ${problems.join('; ')}`);
    return false;
  }
  await applySetup(engine, plan);
  options.logger.info(`applied the system defaults of ${options.file}`);
  return true;
}
