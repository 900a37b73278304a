import { describe, expect, it } from 'vitest';
import { parseTeamSettings, TeamSettingsError } from '../../src/shared/team-settings.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const parse = (value: unknown) => parseTeamSettings(JSON.stringify(value), 'team.json');
const refusal = (text: string) => {
  try {
    parseTeamSettings(text, 'team.json');
  } catch (error) {
    expect(error).toBeInstanceOf(TeamSettingsError);
    return (error as Error).message;
  }
  throw new Error(`accepted: ${text}`);
};
const refused = (value: unknown) => refusal(JSON.stringify(value));

describe('the team settings file', () => {
  it('fills in the defaults of the settings file and of a new profile', () => {
    const team = parse({
      vault: { address: 'https://vault.example.com:8200' },
      profiles: { dev: { role: 'dev-readonly' } },
    });
    expect(team).toEqual({
      version: 1,
      vault: { address: 'https://vault.example.com:8200', namespace: '', authMethod: 'oidc' },
      profiles: {
        dev: {
          role: 'dev-readonly',
          mount: 'aws',
          endpoint: 'creds',
          delivery: 'file',
          adopt: false,
        },
      },
    });
  });

  it('takes profiles alone, or the Vault alone, but not neither', () => {
    expect(parse({ profiles: { dev: { role: 'r' } } }).vault).toBeUndefined();
    expect(parse({ vault: { address: 'https://v.example' } }).profiles).toEqual({});
    expect(refused({})).toBe('team.json: a team file names the Vault, profiles, or both');
  });

  it('refuses a bad role, naming the profile and the field', () => {
    expect(refused({ profiles: { dev: { role: 'a/b' } } })).toMatch(
      /^team\.json: profiles\.dev\.role: The role may only contain /,
    );
  });

  it('refuses a name no SDK reads as a profile', () => {
    expect(refused({ profiles: { 'a b': { role: 'r' } } })).toMatch(
      /^team\.json: profiles\.a b: Profile name "a b" may only contain /,
    );
    expect(refused({ profiles: { ['x'.repeat(129)]: { role: 'r' } } })).toMatch(/profiles\.x+: /);
  });

  it('refuses a lifetime outside STS limits in words', () => {
    expect(refused({ profiles: { dev: { role: 'r', ttlSeconds: 60 } } })).toBe(
      'team.json: profiles.dev.ttlSeconds: The lifetime must be a whole number from 900 to 129600 seconds.',
    );
  });

  it('takes the CA by path or inline, not both, and only PEM inline', () => {
    expect(parse({ vault: { address: 'https://v.example', caPem: PEM } }).vault?.caPem).toBe(PEM);
    expect(
      refused({ vault: { address: 'https://v.example', caFile: '/ca.pem', caPem: PEM } }),
    ).toBe('team.json: vault: give the CA as caFile or as caPem, not both');
    expect(refused({ vault: { address: 'https://v.example', caPem: 'not a certificate' } })).toBe(
      'team.json: vault.caPem: caPem holds PEM certificates (-----BEGIN CERTIFICATE-----)',
    );
  });

  it('refuses a file for a newer version, saying to update', () => {
    expect(refused({ version: 2, profiles: { dev: { role: 'r' } } })).toBe(
      'team.json is for a newer vault-aws-tray (team settings version 2); update the app',
    );
  });

  it('refuses text that is not JSON', () => {
    expect(refusal('{"profiles": ')).toMatch(/^team\.json is not JSON \(/);
  });

  it('refuses unknown keys wherever they are, naming them', () => {
    expect(refused({ profiles: { dev: { role: 'r' } }, profile: {} })).toBe(
      'team.json: Unrecognized key: "profile"',
    );
    // A machine's own TLS choices are not the team's to hand out.
    expect(refused({ vault: { address: 'https://v.example', skipVerify: true } })).toBe(
      'team.json: vault: Unrecognized key: "skipVerify"',
    );
    // `written` is the app's own bookkeeping, never a file's.
    expect(refused({ profiles: { dev: { role: 'r', written: true } } })).toBe(
      'team.json: profiles.dev: Unrecognized key: "written"',
    );
  });
});
