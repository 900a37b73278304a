import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/core/engine/engine.js';
import { StateFile } from '../../src/core/engine/state-file.js';
import { applySetup, planProblems, planSetup, teamCaFile } from '../../src/core/team-setup.js';
import { parseSettings, vaultSettingsSchema } from '../../src/shared/settings.js';
import { parseTeamSettings } from '../../src/shared/team-settings.js';
import { FakeClock } from '../support/fake-clock.js';
import { STACK_REGION, startStack } from '../support/stack.js';
import type { Stack } from '../support/stack.js';
import { readPem, makeCertificates } from '../support/tls.js';
import { MemorySecrets, MemorySettings } from './engine/engine-harness.js';

let stack: Stack;
let clock: FakeClock;
beforeAll(async () => {
  clock = new FakeClock();
  stack = await startStack({ clock });
});
afterAll(async () => {
  await stack.stop();
});

/** The one-shot engine a CLI command starts (src/cli/engines.ts), on in-memory ports. */
async function oneShot() {
  const dir = mkdtempSync(join(tmpdir(), 'team-apply-'));
  const files = { credentialsFile: join(dir, 'credentials'), configFile: join(dir, 'config') };
  const settings = new MemorySettings(parseSettings({ files }, 'test'));
  const configDir = join(dir, 'settings');
  const engine = new Engine({
    kind: 'none',
    host: {
      configDir,
      env: {},
      platform: 'linux',
      homedir: dir,
      cwd: dir,
      clock,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      command: '/usr/local/bin/vault-aws-tray',
    },
    settings,
    secrets: new MemorySecrets(),
    state: new StateFile(configDir),
  });
  await engine.start();
  return { engine, settings, configDir, ...files };
}

const team = (profiles: Record<string, unknown>, vault: Record<string, unknown> = {}) =>
  parseTeamSettings(
    JSON.stringify({
      vault: { address: stack.vault.url, authMethod: 'token', ...vault },
      profiles,
    }),
    'team.json',
  );

describe('applySetup through the one-shot engine', () => {
  it('saves the Vault and the profiles signed out; a sign-in then writes them', async () => {
    const h = await oneShot();
    const file = team({ dev: { role: 'dev-readonly', region: STACK_REGION } });
    const plan = planSetup(h.settings.read(), file, { prune: false, configDir: h.configDir });
    expect(await planProblems(h.engine, plan)).toEqual([]);
    const report = await applySetup(h.engine, plan);
    expect(report).toMatchObject({ vaultChanged: true, added: ['dev'], waiting: 'sign-in' });
    expect(h.settings.read().vault).toMatchObject({
      address: stack.vault.url,
      authMethod: 'token',
    });
    expect(h.settings.read().profiles.dev).toMatchObject({ role: 'dev-readonly', written: false });
    expect(existsSync(h.credentialsFile)).toBe(false);

    const token = stack.vault.createToken({ policies: ['aws-dev-readonly'] });
    await h.engine.signIn({ token, vault: h.settings.read().vault! });
    expect(readFileSync(h.credentialsFile, 'utf8')).toMatch(/^\[dev\]\naws_access_key_id = ASIA/);

    // Signed in: a changed field is written at once.
    const changed = team({ dev: { role: 'dev-readonly', region: 'us-east-2' } });
    const second = await applySetup(
      h.engine,
      planSetup(h.settings.read(), changed, { prune: false, configDir: h.configDir }),
    );
    expect(second).toMatchObject({ vaultChanged: false, changed: ['dev'], added: [] });
    expect(second.refreshes).toHaveLength(1);
    expect(readFileSync(h.configFile, 'utf8')).toBe('[profile dev]\nregion = us-east-2\n');
    await h.engine.stop();
  });

  it('prunes with removeProfile, sections and all', async () => {
    const h = await oneShot();
    const token = stack.vault.createToken({ policies: ['aws-dev-readonly'] });
    const vault = vaultSettingsSchema.parse({ address: stack.vault.url, authMethod: 'token' });
    await h.engine.signIn({ token, vault });
    await h.engine.addProfiles(
      [
        { name: 'dev', binding: { role: 'dev-readonly' } },
        { name: 'old', binding: { role: 'dev-readonly' } },
      ],
      { refresh: true },
    );
    const plan = planSetup(h.settings.read(), team({ dev: { role: 'dev-readonly' } }), {
      prune: true,
      configDir: h.configDir,
    });
    expect(plan).toMatchObject({ remove: ['old'], same: ['dev'] });
    expect(await applySetup(h.engine, plan)).toMatchObject({
      removed: ['old'],
      vaultChanged: false,
    });
    expect(Object.keys(h.settings.read().profiles)).toEqual(['dev']);
    expect(readFileSync(h.credentialsFile, 'utf8')).not.toMatch(/\[old\]/);
    await h.engine.stop();
  });

  it('writes an inline CA to the settings folder, private, before saving the Vault', async () => {
    const h = await oneShot();
    const pem = readPem(makeCertificates().caFile);
    const plan = planSetup(h.settings.read(), team({}, { caPem: pem }), {
      prune: false,
      configDir: h.configDir,
    });
    await applySetup(h.engine, plan);
    const caFile = teamCaFile(h.configDir, pem);
    expect(h.settings.read().vault?.caFile).toBe(caFile);
    expect(readFileSync(caFile, 'utf8')).toBe(`${pem.trim()}\n`);
    expect(statSync(caFile).mode & 0o777).toBe(0o600);
    await h.engine.stop();
  });
});
