/** The AWS CLI v2 (Debian's /usr/bin/aws; plain `aws` on PATH is an old v1) against the emulator. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsEmulator, type AwsKeys } from './index.js';

const AWS = '/usr/bin/aws';
const ROLE = 'arn:aws:iam::210987654321:role/DevReadOnly';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;
let emulator: AwsEmulator;
let root: AwsKeys;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sts-cli-'));
  emulator = await AwsEmulator.start();
  emulator.addRole(ROLE);
  root = emulator.createUser('vault-root');
});

afterEach(async () => {
  await emulator.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI with only the files written here (async: the emulator lives in this process). */
async function aws(
  keys: Pick<AwsKeys, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>,
  args: string[],
): Promise<CliResult> {
  const credentials = join(dir, 'credentials');
  const config = join(dir, 'config');
  const token = keys.sessionToken ? `aws_session_token = ${keys.sessionToken}\n` : '';
  await writeFile(
    credentials,
    `[test]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\n${token}`,
  );
  await writeFile(config, '[profile test]\nregion = eu-west-1\noutput = json\n');
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_CONFIG_FILE: config,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  };
  return new Promise((resolve) => {
    execFile(
      AWS,
      [...args, '--profile', 'test', '--endpoint-url', emulator.url],
      { env },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

describe('/usr/bin/aws against the emulator', () => {
  it('sts get-caller-identity', async () => {
    const result = await aws(root, ['sts', 'get-caller-identity']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      UserId: expect.stringMatching(/^AIDA[A-Z0-9]{17}$/),
      Account: '123456789012',
      Arn: 'arn:aws:iam::123456789012:user/vault-root',
    });
    expect(emulator.requests).toEqual([
      expect.objectContaining({
        service: 'sts',
        action: 'GetCallerIdentity',
        accessKeyId: root.accessKeyId,
        status: 200,
      }),
    ]);
  });

  it('sts assume-role, then the new credentials (with their session token) identify the role', async () => {
    const assumed = await aws(root, [
      'sts',
      'assume-role',
      '--role-arn',
      ROLE,
      '--role-session-name',
      'cli-session',
    ]);
    expect(assumed.code).toBe(0);
    const { Credentials, AssumedRoleUser } = JSON.parse(assumed.stdout) as {
      Credentials: {
        AccessKeyId: string;
        SecretAccessKey: string;
        SessionToken: string;
        Expiration: string;
      };
      AssumedRoleUser: { AssumedRoleId: string; Arn: string };
    };
    expect(AssumedRoleUser.Arn).toBe(
      'arn:aws:sts::210987654321:assumed-role/DevReadOnly/cli-session',
    );
    expect(Date.parse(Credentials.Expiration)).toBe(
      emulator.describeKey(Credentials.AccessKeyId)?.expiresAt,
    );

    const identity = await aws(
      {
        accessKeyId: Credentials.AccessKeyId,
        secretAccessKey: Credentials.SecretAccessKey,
        sessionToken: Credentials.SessionToken,
      },
      ['sts', 'get-caller-identity'],
    );
    expect(identity.code).toBe(0);
    expect(JSON.parse(identity.stdout)).toMatchObject({
      Arn: AssumedRoleUser.Arn,
      UserId: AssumedRoleUser.AssumedRoleId,
    });
  });

  it('exits 254 with SignatureDoesNotMatch when one character of the secret is wrong', async () => {
    const secret = root.secretAccessKey;
    const changed = `${secret.slice(0, 5)}${secret[5] === 'x' ? 'y' : 'x'}${secret.slice(6)}`;
    const result = await aws({ ...root, secretAccessKey: changed }, ['sts', 'get-caller-identity']);
    expect(result.code).toBe(254);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      'An error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity operation: The request signature we calculated does not match the signature you provided.',
    );
  });

  it('exits 254 with InvalidClientTokenId for a key the emulator never issued', async () => {
    const result = await aws({ ...root, accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }, [
      'sts',
      'get-caller-identity',
    ]);
    expect(result.code).toBe(254);
    expect(result.stderr).toContain(
      'An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: The security token included in the request is invalid.',
    );
  });

  it('iam create-access-key gives a key the CLI can use at once', async () => {
    expect((await aws(root, ['iam', 'create-user', '--user-name', 'alice'])).code).toBe(0);
    const created = await aws(root, ['iam', 'create-access-key', '--user-name', 'alice']);
    expect(created.code).toBe(0);
    const { AccessKey } = JSON.parse(created.stdout) as {
      AccessKey: { AccessKeyId: string; SecretAccessKey: string };
    };
    const identity = await aws(
      { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey },
      ['sts', 'get-caller-identity'],
    );
    expect(JSON.parse(identity.stdout)).toMatchObject({
      Arn: 'arn:aws:iam::123456789012:user/alice',
    });
  });
});
