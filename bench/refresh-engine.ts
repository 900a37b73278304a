/**
 * An Engine as the daemon builds one, on the real clock, against a Vault in another process:
 * for timing `refresh`, which adds the engine's own work (queue, state file, status) to
 * `refreshProfiles`.
 */
import path from 'node:path';
import { systemClock } from '../src/core/clock.js';
import { Engine } from '../src/core/engine/engine.js';
import { StateFile } from '../src/core/engine/state-file.js';
import { sessionKey } from '../src/core/vault/session.js';
import { parseSettings } from '../src/shared/settings.js';
import { MemorySecrets, MemorySettings } from '../test/core/engine/engine-harness.js';

const quiet = () => undefined;

export async function startRefreshEngine(options: {
  dir: string;
  vaultAddr: string;
  token: string;
  role: string;
  profiles: readonly string[];
}): Promise<Engine> {
  const files = {
    credentialsFile: path.join(options.dir, 'credentials'),
    configFile: path.join(options.dir, 'config'),
  };
  const settings = new MemorySettings(
    parseSettings(
      {
        vault: { address: options.vaultAddr, authMethod: 'token' },
        profiles: Object.fromEntries(
          options.profiles.map((name) => [name, { role: options.role, written: true }]),
        ),
        files,
      },
      'bench',
    ),
  );
  const secrets = new MemorySecrets();
  await secrets.set(sessionKey(options.vaultAddr, ''), options.token);
  const engine = new Engine({
    kind: 'daemon',
    host: {
      configDir: path.join(options.dir, 'settings'),
      env: {},
      platform: process.platform,
      homedir: options.dir,
      cwd: options.dir,
      clock: systemClock,
      logger: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    },
    settings,
    secrets,
    state: new StateFile(path.join(options.dir, 'settings')),
    notifier: { notify: quiet },
    watch: false,
  });
  await engine.start();
  // start() refreshes every profile at once (none has been written by this engine yet).
  await engine.settled();
  return engine;
}
