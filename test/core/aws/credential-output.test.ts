import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  credentialProcessJson,
  credentialVariables,
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
    const script = shellLines(credentialVariables(credentials), 'env');
    const out = execFileSync('sh', ['-c', `${script}printf %s "$AWS_SESSION_TOKEN"`], {
      encoding: 'utf8',
    });
    expect(out).toBe(credentials.sessionToken);
  });

  it('writes fish and PowerShell forms', () => {
    const vars: Array<[string, string]> = [['AWS_SESSION_TOKEN', 'a$b"c']];
    expect(shellLines(vars, 'fish')).toBe(`set -gx AWS_SESSION_TOKEN 'a$b"c'\n`);
    expect(shellLines(vars, 'powershell')).toBe('$Env:AWS_SESSION_TOKEN="a`$b`"c"\n');
  });
});
