import { describe, expect, it } from 'vitest';
import { parseIni } from '../../../src/core/aws/ini-document.js';
import { findShadowing } from '../../../src/core/aws/shadowing.js';

const CONFIG = [
  '[profile dev]',
  'region = eu-west-1',
  'credential_process = /usr/bin/helper',
  'role_arn = arn:aws:iam::1:role/x',
  'source_profile = base',
  'sso_session = corp',
  'web_identity_token_file = /t',
  'aws_access_key_id = AKIASTATIC',
  'AWS_SESSION_TOKEN = old',
  '[profile other]',
  'role_arn = arn:aws:iam::1:role/y',
].join('\n');

describe('findShadowing', () => {
  it('reports every setting that hides or mixes the managed keys, by line and key', () => {
    const findings = findShadowing(parseIni(CONFIG), '/c/config', 'profile dev', true);
    expect(findings.map((f) => [f.kind, f.line, f.key])).toEqual([
      ['credential-process', 3, 'credential_process'],
      ['assume-role', 4, 'role_arn'],
      ['assume-role', 5, 'source_profile'],
      ['sso', 6, 'sso_session'],
      ['web-identity', 7, 'web_identity_token_file'],
      ['static-keys', 8, 'aws_access_key_id'],
      ['static-keys', 9, 'aws_session_token'],
    ]);
    expect(findings[1]!.message).toBe(
      '/c/config:4: [profile dev] has role_arn: part of an assume-role setup, which botocore, the AWS CLI and the JS and Go SDKs use instead of the managed keys',
    );
  });

  it('never puts a value in a message', () => {
    const findings = findShadowing(parseIni(CONFIG), '/c/config', 'profile dev', true);
    for (const secret of ['AKIASTATIC', 'old', '/usr/bin/helper', 'arn:aws']) {
      expect(findings.some((f) => f.message.includes(secret))).toBe(false);
    }
  });

  it('expects key material in the credentials file, but not other credential sources', () => {
    const credentials = '[dev]\naws_access_key_id = A\ncredential_process = x\n';
    expect(
      findShadowing(parseIni(credentials), '/c/credentials', 'dev', false).map((f) => f.kind),
    ).toEqual(['credential-process']);
  });

  it('for a process profile, reports what runs instead of its command, not the command', () => {
    const findings = findShadowing(parseIni(CONFIG), '/c/config', 'profile dev', true, 'process');
    expect(findings.map((f) => [f.kind, f.line, f.key])).toEqual([
      ['assume-role', 4, 'role_arn'],
      ['assume-role', 5, 'source_profile'],
      ['sso', 6, 'sso_session'],
      ['web-identity', 7, 'web_identity_token_file'],
      ['static-keys', 8, 'aws_access_key_id'],
      ['static-keys', 9, 'aws_session_token'],
    ]);
    expect(findings[2]!.message).toBe(
      '/c/config:6: [profile dev] has sso_session: botocore, the AWS CLI and the Go SDK use SSO instead of the managed credential_process',
    );
    expect(findings[4]!.message).toMatch(
      /: the JS and Go SDKs use these static keys instead of the managed credential_process$/,
    );
  });

  it('for a process profile, any key material or command in the credentials file is foreign', () => {
    const credentials = '[dev]\nregion = x\naws_secret_access_key = S\ncredential_process = y\n';
    const findings = findShadowing(
      parseIni(credentials),
      '/c/credentials',
      'dev',
      false,
      'process',
    );
    expect(findings.map((f) => [f.kind, f.line, f.key])).toEqual([
      ['static-keys', 3, 'aws_secret_access_key'],
      ['credential-process', 4, 'credential_process'],
    ]);
    expect(findings[0]!.message).toBe(
      '/c/credentials:3: [dev] has aws_secret_access_key: static keys in the credentials file take precedence over credential_process in every SDK, so the managed command never runs',
    );
    expect(findings[1]!.message).toMatch(/run this command instead of the managed one$/);
  });

  it('finds nothing for a profile without a section', () => {
    expect(findShadowing(parseIni(CONFIG), '/c/config', 'profile none', true)).toEqual([]);
  });
});
