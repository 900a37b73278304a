import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BindingError, readAwsCredentials } from '../../../src/core/vault/aws-credentials.js';
import type { ProfileBinding } from '../../../src/core/vault/aws-credentials.js';
import { VaultClient } from '../../../src/core/vault/client.js';
import { VaultError } from '../../../src/core/vault/errors.js';
import {
  canRead,
  capabilitiesOf,
  listAwsMounts,
  listAwsRoles,
  readAwsRole,
} from '../../../src/core/vault/discovery.js';
import { FakeClock } from '../../support/fake-clock.js';
import { DEV_ROLE_ARN, STACK_REGION, startStack } from '../../support/stack.js';
import type { Stack } from '../../support/stack.js';
import { AwsBackend, VAULT_VERSIONS } from '../../support/vault/index.js';

const dev: ProfileBinding = {
  profile: 'dev',
  mount: 'aws',
  role: 'dev-readonly',
  endpoint: 'creds',
};

describe.each(VAULT_VERSIONS)('AWS credentials from Vault %s', (version) => {
  let stack: Stack;
  let clock: FakeClock;
  let client: VaultClient;

  beforeAll(async () => {
    clock = new FakeClock();
    stack = await startStack({ version, clock });
    client = new VaultClient({
      address: stack.vault.url,
      token: stack.vault.createToken({ policies: ['aws-dev-readonly'] }),
    });
    stack.vault.writePolicy(
      'sts-update',
      'path "aws/sts/dev-readonly" { capabilities = ["update"] }',
    );
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('reads aws/creds/<role>: keys that STS accepts, the session token whatever its field name, the expiry', async () => {
    const { credentials, clockSkewMs } = await readAwsCredentials(client, dev, clock);
    expect(credentials.grantedTtlSeconds).toBe(3599);
    expect(credentials.expiresAt).toBe(clock.now() + 3599_000);
    expect(Math.abs(clockSkewMs!)).toBeLessThan(2000);
    const sts = new STSClient({
      endpoint: stack.aws.url,
      region: STACK_REGION,
      maxAttempts: 1,
      credentials: credentials,
    });
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(credentials.arn);
    expect(identity.Arn).toMatch(/^arn:aws:sts::123456789012:assumed-role\/DevReadOnly\//);
  });

  it('asks for the TTL, role ARN and session name; POSTs to sts/ with the update capability', async () => {
    const stsToken = stack.vault.createToken({ policies: ['sts-update'] });
    const binding: ProfileBinding = {
      ...dev,
      endpoint: 'sts',
      ttlSeconds: 7200,
      roleArn: DEV_ROLE_ARN,
      roleSessionName: 'alice-laptop',
    };
    const { credentials } = await readAwsCredentials(client.withToken(stsToken), binding, clock);
    expect(credentials.grantedTtlSeconds).toBe(7199);
    expect(credentials.arn).toBe('arn:aws:sts::123456789012:assumed-role/DevReadOnly/alice-laptop');
    const sent = stack.vault.requests.at(-1)!;
    expect([sent.method, sent.path]).toEqual(['POST', '/v1/aws/sts/dev-readonly']);
    expect(JSON.parse(sent.body)).toEqual({
      ttl: '7200s',
      role_arn: DEV_ROLE_ARN,
      role_session_name: 'alice-laptop',
    });
    // The plain reader token has only `read` on creds/, so the POST is denied by policy.
    await expect(readAwsCredentials(client, binding, clock)).rejects.toMatchObject({
      kind: 'permission_denied',
    });
  });

  it('measures the expiry against Vault’s Date header and reports the clock skew', async () => {
    stack.vault.dateOffsetMs = -5 * 60_000;
    try {
      const { credentials, clockSkewMs } = await readAwsCredentials(client, dev, clock);
      expect(clockSkewMs).toBeGreaterThan(4 * 60_000);
      expect(clockSkewMs).toBeLessThan(6 * 60_000);
      expect(credentials.expiresAt).toBe(clock.now() + credentials.grantedTtlSeconds * 1000);
    } finally {
      stack.vault.dateOffsetMs = 0;
    }
  });

  it('refuses a TTL under 15 minutes without asking Vault', async () => {
    const before = stack.vault.requests.length;
    await expect(readAwsCredentials(client, { ...dev, ttlSeconds: 600 }, clock)).rejects.toThrow(
      BindingError,
    );
    await expect(readAwsCredentials(client, { ...dev, ttlSeconds: 600 }, clock)).rejects.toThrow(
      "profile dev: a TTL of 600 s is under AWS's minimum of 15 minutes (900 s)",
    );
    expect(stack.vault.requests.length).toBe(before);
  });

  it('refuses an iam_user role with a message that says why', async () => {
    stack.awsEngine.writeRole('legacy', {
      credential_type: 'iam_user',
      policy_arns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    });
    const root = client.withToken(stack.vault.rootToken);
    const error = await readAwsCredentials(root, { ...dev, role: 'legacy' }, clock).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VaultError);
    expect((error as VaultError).message).toContain(
      'long-lived IAM user keys (credential_type iam_user)',
    );
    expect((error as VaultError).message).toContain('assumed_role');
  });

  it('a role that does not exist is Vault’s 400 in words', async () => {
    const root = client.withToken(stack.vault.rootToken);
    await expect(readAwsCredentials(root, { ...dev, role: 'nope' }, clock)).rejects.toMatchObject({
      kind: 'bad_request',
      message: `Vault at ${stack.vault.url} refused the request to aws/creds/nope: Role "nope" not found`,
    });
  });
});

describe('role discovery', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('finds the AWS mounts the token can see, by path without the slash', async () => {
    stack.vault.mount('aws-prod', new AwsBackend(stack.vault));
    const reader = new VaultClient({
      address: stack.vault.url,
      token: stack.vault.createToken({ policies: ['aws-dev-readonly'] }),
    });
    expect(await listAwsMounts(reader)).toEqual(['aws']);
    expect(await listAwsMounts(reader.withToken(stack.vault.rootToken))).toEqual([
      'aws',
      'aws-prod',
    ]);
  });

  it('lists roles (none is an empty list) and reads a role’s types and ARNs', async () => {
    const root = new VaultClient({ address: stack.vault.url, token: stack.vault.rootToken });
    expect(await listAwsRoles(root, 'aws')).toEqual(['dev-readonly', 'prod-admin']);
    stack.vault.mount('aws-empty', new AwsBackend(stack.vault));
    expect(await listAwsRoles(root, 'aws-empty')).toEqual([]);
    expect(await readAwsRole(root, 'aws', 'dev-readonly')).toEqual({
      name: 'dev-readonly',
      credentialTypes: ['assumed_role'],
      roleArns: [DEV_ROLE_ARN],
      defaultStsTtlSeconds: 3600,
      maxStsTtlSeconds: 43200,
    });
    expect(await readAwsRole(root, 'aws', 'nope')).toBeUndefined();
  });

  it('listing is often denied to users, and says so', async () => {
    const reader = new VaultClient({
      address: stack.vault.url,
      token: stack.vault.createToken({ policies: ['aws-dev-readonly'] }),
    });
    await expect(listAwsRoles(reader, 'aws')).rejects.toMatchObject({ kind: 'permission_denied' });
  });

  it('tells before adding a binding whether the token may read it', async () => {
    const reader = new VaultClient({
      address: stack.vault.url,
      token: stack.vault.createToken({ policies: ['aws-dev-readonly'] }),
    });
    expect(
      await capabilitiesOf(reader, ['aws/creds/dev-readonly', 'aws/creds/prod-admin']),
    ).toEqual({
      'aws/creds/dev-readonly': ['read'],
      'aws/creds/prod-admin': ['deny'],
    });
    expect(await canRead(reader, dev)).toBe(true);
    expect(await canRead(reader, { ...dev, endpoint: 'sts' })).toBe(false);
    expect(await canRead(reader, { ...dev, role: 'prod-admin' })).toBe(false);
    expect(
      await canRead(reader.withToken(stack.vault.rootToken), { ...dev, role: 'prod-admin' }),
    ).toBe(true);
  });
});
