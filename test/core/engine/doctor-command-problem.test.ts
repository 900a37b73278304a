import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { doctorFindings } from '../../../src/core/engine/doctor.js';
import { EngineServices } from '../../../src/core/engine/engine-services.js';
import type { EngineHost } from '../../../src/core/engine/engine-services.js';
import { parseSettings } from '../../../src/shared/settings.js';
import { FakeClock } from '../../support/fake-clock.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** doctor for a folder with no Vault yet, from a host that may name a fallback command. */
async function findings(host: Partial<EngineHost>) {
  const dir = mkdtempSync(join(tmpdir(), 'doctor-command-'));
  const clock = new FakeClock();
  const settings = parseSettings(
    { files: { credentialsFile: join(dir, 'credentials'), configFile: join(dir, 'config') } },
    'test',
  );
  const services = new EngineServices({
    configDir: join(dir, 'settings'),
    env: {},
    platform: 'linux',
    homedir: dir,
    cwd: dir,
    clock,
    logger: quiet,
    command: '/opt/vault-aws-tray/vault-aws-tray',
    ...host,
  });
  services.use(settings);
  return doctorFindings({
    configDir: join(dir, 'settings'),
    readSettings: () => settings,
    services,
    clock,
    session: () => Promise.reject(new Error('not asked')),
  });
}

describe('doctor and the command credential_process lines run', () => {
  it('warns when the app fell back to its own binary, saying why', async () => {
    const problem =
      "the standalone CLI /opt/vault-aws-tray/resources/bin/vault-aws-tray is missing; credential_process lines run the app's binary instead";
    expect(await findings({ commandProblem: problem })).toContainEqual({
      level: 'warn',
      check: 'credential_process',
      message: problem,
    });
    expect((await findings({})).map((f) => f.check)).not.toContain('credential_process');
  });
});
