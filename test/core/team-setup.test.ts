import { describe, expect, it } from 'vitest';
import {
  describePlan,
  planIsEmpty,
  planNeedsConsent,
  planSetup,
} from '../../src/core/team-setup.js';
import { parseSettings } from '../../src/shared/settings.js';
import type { Settings } from '../../src/shared/settings.js';
import { parseTeamSettings } from '../../src/shared/team-settings.js';

const VAULT = 'https://vault.example.com:8200';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const team = (value: unknown) => parseTeamSettings(JSON.stringify(value), 'team.json');
const saved = (value: unknown): Settings => parseSettings(value, 'config.json');
const options = { prune: false, configDir: '/cfg', home: '/home/ann' };

/** What a machine looks like after `setup` of TEAM and a sign-in (profiles written). */
const TEAM = {
  vault: { address: VAULT, authMethod: 'oidc', authRole: 'dev' },
  profiles: { dev: { role: 'dev-readonly', region: 'eu-west-1' } },
};
const applied = (extra: Record<string, unknown> = {}) =>
  saved({
    vault: TEAM.vault,
    profiles: { dev: { role: 'dev-readonly', region: 'eu-west-1', written: true }, ...extra },
  });

describe('planSetup', () => {
  it('the first time: the Vault and every profile are added, and nothing needs consent', () => {
    const plan = planSetup(saved({}), team(TEAM), options);
    expect(plan.vault).toMatchObject({
      replaces: false,
      next: { address: VAULT, authRole: 'dev' },
    });
    expect(plan.vault!.changes.map((c) => c.field)).toEqual(['address', 'authMethod', 'authRole']);
    expect(plan.add).toEqual([
      { name: 'dev', binding: expect.objectContaining({ role: 'dev-readonly' }) },
    ]);
    expect(planNeedsConsent(plan)).toBe(false);
    expect(describePlan(plan)).toEqual([
      'Vault:',
      `  address: ${VAULT}`,
      '  authMethod: oidc',
      '  authRole: dev',
      'Add profile dev: aws/creds/dev-readonly (region eu-west-1)',
    ]);
  });

  it('the same file again changes nothing', () => {
    const plan = planSetup(applied(), team(TEAM), options);
    expect(plan).toMatchObject({ same: ['dev'], add: [], change: [], remove: [], keep: [] });
    expect(plan.vault).toBeUndefined();
    expect(planIsEmpty(plan)).toBe(true);
    expect(describePlan(plan)).toEqual([
      'Nothing to change: the settings are already as the file says.',
    ]);
  });

  it('another Vault replaces the saved one, with consent', () => {
    const other = { ...TEAM, vault: { ...TEAM.vault, address: 'https://other.example' } };
    const plan = planSetup(applied(), team(other), options);
    expect(plan.vault).toMatchObject({
      replaces: true,
      changes: [{ field: 'address', from: VAULT, to: 'https://other.example' }],
    });
    expect(planNeedsConsent(plan)).toBe(true);
    expect(describePlan(plan)).toEqual([
      'Change the Vault settings:',
      `  address: ${VAULT} → https://other.example`,
    ]);
  });

  it('a changed profile needs consent and says field by field what changes', () => {
    const changed = { ...TEAM, profiles: { dev: { role: 'dev-readonly', ttlSeconds: 3600 } } };
    const plan = planSetup(applied(), team(changed), options);
    expect(plan.change).toEqual([
      expect.objectContaining({
        name: 'dev',
        changes: [
          { field: 'ttlSeconds', from: undefined, to: '3600' },
          { field: 'region', from: 'eu-west-1', to: undefined },
        ],
      }),
    ]);
    expect(planNeedsConsent(plan)).toBe(true);
    expect(describePlan(plan)).toEqual([
      'Change profile dev: ttlSeconds: 3600; region: eu-west-1 → (none)',
    ]);
  });

  it('profiles the file does not name are kept, or removed with prune (with consent)', () => {
    const current = applied({ old: { role: 'old-role', written: true } });
    const kept = planSetup(current, team(TEAM), options);
    expect([kept.keep, kept.remove, planNeedsConsent(kept), planIsEmpty(kept)]).toEqual([
      ['old'],
      [],
      false,
      true,
    ]);
    const pruned = planSetup(current, team(TEAM), { ...options, prune: true });
    expect([pruned.keep, pruned.remove, planNeedsConsent(pruned)]).toEqual([[], ['old'], true]);
    expect(describePlan(pruned)).toEqual(['Remove profile old and its sections']);
  });

  it('says what it keeps when there is something else to do', () => {
    const current = applied({ old: { role: 'old-role' } });
    const more = {
      ...TEAM,
      profiles: { ...TEAM.profiles, ci: { role: 'ci', delivery: 'process' } },
    };
    expect(describePlan(planSetup(current, team(more), options))).toEqual([
      'Add profile ci: aws/creds/ci (credential_process)',
      'Keep old (not in the file; --prune removes them)',
    ]);
  });

  it('keeps an inline CA in the settings folder, named by its content, as the CA file', () => {
    const inline = { vault: { ...TEAM.vault, caPem: PEM } };
    const plan = planSetup(saved({}), team(inline), options);
    expect(plan.vault!.next.caFile).toMatch(/^\/cfg\/team-ca-[0-9a-f]{16}\.pem$/);
    expect(plan.caPem).toBe(PEM);
    expect(describePlan(plan)).toContain(
      `  the CA certificates of the file, kept in ${plan.vault!.next.caFile}`,
    );
    // Other certificates are another file: the Vault settings change, and engines take them up.
    const other = planSetup(
      saved({}),
      team({ vault: { ...TEAM.vault, caPem: `${PEM}\n${PEM}` } }),
      options,
    );
    expect(other.vault!.next.caFile).not.toBe(plan.vault!.next.caFile);
  });

  it('reads `~/` in a CA path as the home folder of whoever applies the file', () => {
    const byPath = (caFile: string) =>
      planSetup(saved({}), team({ vault: { address: VAULT, caFile } }), options).vault!.next.caFile;
    expect(byPath('~/certs/ca.pem')).toBe('/home/ann/certs/ca.pem');
    expect(byPath('/etc/ssl/ca.pem')).toBe('/etc/ssl/ca.pem');
    expect(byPath('~other/ca.pem')).toBe('~other/ca.pem');
  });

  it('shows a machine’s own TLS setting that the file drops', () => {
    const current = saved({ vault: { ...TEAM.vault, caPath: '/etc/vault-cas' }, profiles: {} });
    const plan = planSetup(current, team({ vault: TEAM.vault }), options);
    expect(plan.vault).toMatchObject({
      replaces: true,
      changes: [{ field: 'caPath', from: '/etc/vault-cas', to: undefined }],
    });
  });
});
