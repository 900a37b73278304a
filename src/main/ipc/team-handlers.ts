import type { EngineApi } from '../../core/engine/engine-api.js';
import type { EngineHost } from '../../core/engine/engine-services.js';
import type { SettingsStore } from '../../core/ports.js';
import { readTeamSettings } from '../../core/team-file-source.js';
import {
  applySetup,
  describePlan,
  planIsEmpty,
  planNeedsConsent,
  planProblems,
  planSetup,
} from '../../core/team-setup.js';
import type { SetupPlan } from '../../core/team-setup.js';
import type { IpcHandlers } from '../ipc-handlers.js';
import { connectionOf } from './setup-handlers.js';

type TeamChannels = 'setup:choose-team-file' | 'setup:apply-team-file';

export interface TeamDeps {
  engine: EngineApi;
  host: EngineHost;
  settings: SettingsStore;
  /** The OS file picker; undefined when the user cancelled it. */
  chooseTeamFile(): Promise<string | undefined>;
}

/**
 * The Connect screen's "Use team settings…": the same plan and the same engine operations as
 * `vault-aws-tray setup` (src/core/team-setup.ts). Main keeps the chosen plan, so the window
 * confirms what it was shown and never hands main a path to read.
 */
export function teamHandlers(deps: TeamDeps): Pick<IpcHandlers, TeamChannels> {
  const { engine, host, settings } = deps;
  let chosen: SetupPlan | undefined;
  return {
    'setup:choose-team-file': async () => {
      const path = await deps.chooseTeamFile();
      if (path === undefined) return null;
      chosen = undefined;
      const current = settings.read();
      // The app reads a URL's certificate as it reads Vault's: the OS store as well.
      const { team, source } = await readTeamSettings(path, {
        saved: current.vault,
        env: host.env,
        cwd: host.homedir,
        tlsFromEnv: false,
        trustSystem: true,
      });
      const plan = planSetup(current, team, {
        prune: false,
        configDir: host.configDir,
        home: host.homedir,
      });
      const problems = planIsEmpty(plan) ? [] : await planProblems(engine, plan);
      if (problems.length === 0) chosen = plan;
      return {
        source,
        // The window removes no profile a file does not name: it says so without a CLI flag.
        lines: describePlan(plan, ''),
        problems,
        changesExisting: planNeedsConsent(plan),
      };
    },
    'setup:apply-team-file': async () => {
      const plan = chosen;
      if (!plan) throw new Error('Choose a team settings file first.');
      chosen = undefined;
      await applySetup(engine, plan);
      return { connection: connectionOf(settings.read()) };
    },
  };
}
