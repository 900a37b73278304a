// The AWS CLI v2 (botocore) and the AWS SDK for JavaScript read what the writer wrote.
import { fromIni } from '@aws-sdk/credential-provider-ini';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialProcessLine } from '../../../src/core/aws/credential-process-line.js';
import { CredentialsFileWriter } from '../../../src/core/aws/credentials-file-writer.js';

const AWS = '/usr/bin/aws';
let dir: string;
let credentialsFile: string;
let configFile: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vat-readers-'));
  credentialsFile = path.join(dir, 'credentials');
  configFile = path.join(dir, 'config');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function aws(...args: string[]): string {
  return execFileSync(AWS, args, {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
      AWS_CONFIG_FILE: configFile,
    },
  });
}

const jsCredentials = (profile: string) =>
  fromIni({ profile, filepath: credentialsFile, configFilepath: configFile, ignoreCache: true })();

describe('real readers after a write', () => {
  it('see the new keys, not a stale aws_security_token or config-file token', async () => {
    // A CRLF file without a final newline, with the traps the writer must clear.
    writeFileSync(
      credentialsFile,
      '; team file\r\n[other]\r\naws_access_key_id = AKIAOTHER\r\naws_secret_access_key = o\r\n\r\n[dev]\r\naws_access_key_id = AKIAOLD\r\naws_security_token = STALE',
    );
    writeFileSync(
      configFile,
      '[profile dev]\naws_session_token = CONFIGTOKEN\nregion = us-east-1\n',
    );
    const writer = new CredentialsFileWriter({ paths: { credentialsFile, configFile } });
    await writer.applyProfiles([
      {
        profile: 'dev',
        credentials: {
          accessKeyId: 'AKIAFRESH0001',
          secretAccessKey: 'fresh/secret+key',
          sessionToken: 'IQoJb3JpZ2luFRESH==',
          expiresAt: new Date('2030-01-01T00:00:00Z'),
        },
        region: 'eu-west-1',
      },
    ]);

    expect(
      JSON.parse(aws('configure', 'export-credentials', '--profile', 'dev', '--format', 'process')),
    ).toEqual({
      Version: 1,
      AccessKeyId: 'AKIAFRESH0001',
      SecretAccessKey: 'fresh/secret+key',
      SessionToken: 'IQoJb3JpZ2luFRESH==',
    });
    const list = aws('configure', 'list', '--profile', 'dev');
    expect(list).toMatch(/access_key\s+\*+0001\s+shared-credentials-file/);
    expect(list).toMatch(/region\s+eu-west-1\s+config-file/);

    expect(await jsCredentials('dev')).toMatchObject({
      accessKeyId: 'AKIAFRESH0001',
      secretAccessKey: 'fresh/secret+key',
      sessionToken: 'IQoJb3JpZ2luFRESH==',
    });
    const { configFile: config } = await loadSharedConfigFiles({
      filepath: credentialsFile,
      configFilepath: configFile,
      ignoreCache: true,
    });
    expect(config.dev).toEqual({ region: 'eu-west-1' });
    expect(await jsCredentials('other')).toMatchObject({ accessKeyId: 'AKIAOTHER' });
  });

  it('see no session token once the credentials have none', async () => {
    // The JS SDK would pair the new keys with a token left in the config file.
    writeFileSync(configFile, '[profile dev]\naws_session_token = CONFIGTOKEN\n');
    const writer = new CredentialsFileWriter({ paths: { credentialsFile, configFile } });
    await writer.applyProfiles([
      {
        profile: 'dev',
        credentials: {
          accessKeyId: 'AKIAUSER0002',
          secretAccessKey: 'user/secret',
          expiresAt: new Date('2030-01-01T00:00:00Z'),
        },
      },
    ]);
    expect(
      JSON.parse(aws('configure', 'export-credentials', '--profile', 'dev', '--format', 'process')),
    ).toEqual({
      Version: 1,
      AccessKeyId: 'AKIAUSER0002',
      SecretAccessKey: 'user/secret',
    });
    const js = await jsCredentials('dev');
    expect(js.accessKeyId).toBe('AKIAUSER0002');
    expect(js.sessionToken).toBeUndefined();
  });

  it('run the credential_process helper once a profile switches to it, not old static keys', async () => {
    const expiration = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const output = {
      Version: 1,
      AccessKeyId: 'AKIAHELPER0003',
      SecretAccessKey: 'helper/secret',
      SessionToken: 'IQoJHELPER==',
      Expiration: expiration,
    };
    const helper = path.join(dir, 'bin', 'vat-helper');
    mkdirSync(path.dirname(helper), { recursive: true });
    // Answers only when called as the line says, so the test also checks the arguments.
    writeFileSync(
      helper,
      `#!/bin/sh\n[ "$1 $2 $#" = "credential-process ci 2" ] || exit 3\nprintf '%s\\n' '${JSON.stringify(output)}'\n`,
      { mode: 0o755 },
    );
    writeFileSync(credentialsFile, '');
    writeFileSync(configFile, '');
    const writer = new CredentialsFileWriter({ paths: { credentialsFile, configFile } });
    await writer.applyProfiles([
      {
        profile: 'ci',
        credentials: {
          accessKeyId: 'AKIASTATIC0003',
          secretAccessKey: 'static/secret',
          expiresAt: new Date('2030-01-01T00:00:00Z'),
        },
      },
    ]);
    await writer.applyProfiles([
      {
        profile: 'ci',
        credentialProcess: credentialProcessLine(helper, 'ci'),
        region: 'eu-west-1',
      },
    ]);

    const exported = JSON.parse(
      aws('configure', 'export-credentials', '--profile', 'ci', '--format', 'process'),
    ) as typeof output;
    // The CLI writes the expiry back as +00:00.
    expect({ ...exported, Expiration: new Date(exported.Expiration) }).toEqual({
      ...output,
      Expiration: new Date(expiration),
    });
    expect(await jsCredentials('ci')).toMatchObject({
      accessKeyId: 'AKIAHELPER0003',
      sessionToken: 'IQoJHELPER==',
      expiration: new Date(expiration),
    });
  });
});
