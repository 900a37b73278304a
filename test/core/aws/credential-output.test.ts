import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  applyEnvironment,
  credentialProcessJson,
  credentialVariables,
  profileEnvironment,
  shellLines,
} from '../../../src/core/aws/credential-output.js';

const credentials = {
  accessKeyId: 'ASIAEXAMPLE',
  secretAccessKey: 'se/cr+et=',
  sessionToken: "IQo+tok/en'$(touch /tmp/x)=",
  expiresAt: Date.parse('2026-11-29T10:20:30.456Z'),
};

describe('credential_process output', () => {
  it('is one line of JSON with Version 1 and a strict RFC 3339 UTC expiry', () => {
    const text = credentialProcessJson(credentials);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trimEnd()).not.toContain('\n');
    expect(text).toContain('"Version":1,');
    expect(JSON.parse(text)).toEqual({
      Version: 1,
      AccessKeyId: 'ASIAEXAMPLE',
      SecretAccessKey: 'se/cr+et=',
      SessionToken: credentials.sessionToken,
      Expiration: '2026-11-29T10:20:30Z',
    });
  });

  it('leaves SessionToken out when there is none', () => {
    expect(
      JSON.parse(credentialProcessJson({ ...credentials, sessionToken: '' })),
    ).not.toHaveProperty('SessionToken');
  });
});

describe('environment variables', () => {
  it('names what the SDKs read, with the region when the profile has one', () => {
    expect(credentialVariables(credentials, 'eu-west-1').map(([name]) => name)).toEqual([
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_CREDENTIAL_EXPIRATION',
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
    ]);
    expect(credentialVariables(credentials).map(([name]) => name)).not.toContain('AWS_REGION');
  });

  it('sh reads the export lines back byte for byte, and runs nothing inside them', () => {
    const script = shellLines(profileEnvironment('dev', credentials), 'env');
    const out = execFileSync('sh', ['-c', `${script}printf %s "$AWS_SESSION_TOKEN"`], {
      encoding: 'utf8',
    });
    expect(out).toBe(credentials.sessionToken);
  });

  it('takes out what competes with the keys: another profile, keys it does not set', () => {
    const noToken = profileEnvironment(
      'ci',
      { ...credentials, sessionToken: undefined },
      'us-east-1',
    );
    expect(noToken.set).toContainEqual(['VAULT_AWS_TRAY_PROFILE', 'ci']);
    expect(noToken.unset).toEqual(
      expect.arrayContaining(['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN']),
    );
    expect(noToken.unset).not.toContain('AWS_ACCESS_KEY_ID');
    const script = shellLines(noToken, 'env');
    const out = execFileSync(
      'sh',
      [
        '-c',
        `${script}printf '%s|%s|%s|%s' "$AWS_PROFILE" "$AWS_SESSION_TOKEN" "$AWS_REGION" "$VAULT_AWS_TRAY_PROFILE"`,
      ],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, AWS_PROFILE: 'prod', AWS_SESSION_TOKEN: 'old' },
      },
    );
    expect(out).toBe('||us-east-1|ci');
    // A child's environment: Windows names compared without case.
    const child = applyEnvironment({ aws_profile: 'prod', PATH: '/bin', AWS_REGION: 'x' }, noToken);
    expect(child).not.toHaveProperty('aws_profile');
    expect(child).toMatchObject({
      PATH: '/bin',
      AWS_REGION: 'us-east-1',
      VAULT_AWS_TRAY_PROFILE: 'ci',
    });
  });

  it('writes fish and PowerShell forms', () => {
    const change = {
      set: [['AWS_SESSION_TOKEN', 'a$b"c']] as Array<[string, string]>,
      unset: ['AWS_PROFILE'],
    };
    expect(shellLines(change, 'fish')).toBe(
      `set -e AWS_PROFILE\nset -gx AWS_SESSION_TOKEN 'a$b"c'\n`,
    );
    expect(shellLines(change, 'powershell')).toBe(
      'Remove-Item Env:AWS_PROFILE -ErrorAction SilentlyContinue\n$Env:AWS_SESSION_TOKEN="a`$b`"c"\n',
    );
  });
});
