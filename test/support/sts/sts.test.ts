import { connect } from 'node:net';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  GetFederationTokenCommand,
  GetSessionTokenCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import aws4 from 'aws4';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../fake-clock.js';
import { AwsEmulator, type AwsEmulatorOptions, type AwsKeys } from './index.js';
import { FORM_CONTENT_TYPE, send, smithySigned, xmlText } from './test-http.js';

const ROLE = 'arn:aws:iam::210987654321:role/team/DevReadOnly';
const ROLE_2 = 'arn:aws:iam::210987654321:role/Deploy';
const CALLER_IDENTITY = 'Action=GetCallerIdentity&Version=2011-06-15';
const SIGNATURE_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
// 2026-11-28T09:30:00Z, a fixed instant for tests that sign with an explicit date.
const FIXED = Date.UTC(2026, 10, 28, 9, 30);

let emulator: AwsEmulator | undefined;
afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});

async function start(options: AwsEmulatorOptions = {}) {
  emulator = await AwsEmulator.start(options);
  emulator.addRole(ROLE);
  emulator.addRole(ROLE_2, { maxSessionDurationSeconds: 43200 });
  return { emulator, root: emulator.createUser('vault-root') };
}

function sts(
  em: AwsEmulator,
  keys: Pick<AwsKeys, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>,
) {
  return new STSClient({
    endpoint: em.url,
    region: 'eu-west-1',
    credentials: keys,
    maxAttempts: 1, // assert the first answer; no retries, no skew correction
  });
}

/** The SDK's credentials shape turned back into AwsKeys-like input. */
function keysOf(
  credentials:
    { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } | undefined,
) {
  return {
    accessKeyId: credentials!.AccessKeyId!,
    secretAccessKey: credentials!.SecretAccessKey!,
    sessionToken: credentials!.SessionToken,
  };
}

function changeOneChar(text: string): string {
  return (text[0] === 'A' ? 'B' : 'A') + text.slice(1);
}

describe('independent signers', () => {
  it('accepts a POST signed by @smithy/signature-v4 and answers in the STS XML shape', async () => {
    const { emulator, root } = await start();
    const res = await send(
      emulator.url,
      await smithySigned(emulator.url, root, { body: CALLER_IDENTITY }),
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/xml');
    expect(res.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).toMatch(
      /^<GetCallerIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><GetCallerIdentityResult><Arn>.*<\/Arn><UserId>AIDA[A-Z0-9]{17}<\/UserId><Account>123456789012<\/Account><\/GetCallerIdentityResult><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/GetCallerIdentityResponse>$/,
    );
    expect(xmlText(res.body, 'Arn')).toBe('arn:aws:iam::123456789012:user/vault-root');
    expect(xmlText(res.body, 'RequestId')).toBe(res.headers['x-amzn-requestid']);
  });

  it('accepts a GET with the parameters in the query string', async () => {
    const { emulator, root } = await start();
    const signed = await smithySigned(emulator.url, root, {
      method: 'GET',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    });
    const res = await send(emulator.url, signed);
    expect(res.status).toBe(200);
    expect(xmlText(res.body, 'Arn')).toBe(root.arn);
  });

  it('accepts requests signed by aws4, with long-term and with temporary keys', async () => {
    const { emulator, root } = await start();
    const { host } = new URL(emulator.url);
    const signWithAws4 = (
      keys: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
      body: string,
    ) =>
      aws4.sign(
        {
          host,
          path: '/',
          method: 'POST',
          service: 'sts',
          region: 'us-east-1',
          body,
          headers: { 'Content-Type': FORM_CONTENT_TYPE },
        },
        keys,
      );
    const asUser = signWithAws4(
      root,
      `Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(ROLE)}&RoleSessionName=aws4`,
    );
    const assumed = await send(emulator.url, {
      headers: asUser.headers as Record<string, string>,
      body: asUser.body as string,
    });
    expect(assumed.status).toBe(200);
    const temporary = {
      accessKeyId: xmlText(assumed.body, 'AccessKeyId')!,
      secretAccessKey: xmlText(assumed.body, 'SecretAccessKey')!,
      sessionToken: xmlText(assumed.body, 'SessionToken')!,
    };
    const asRole = signWithAws4(temporary, CALLER_IDENTITY);
    expect(asRole.headers!['X-Amz-Security-Token']).toBe(temporary.sessionToken);
    const res = await send(emulator.url, {
      headers: asRole.headers as Record<string, string>,
      body: CALLER_IDENTITY,
    });
    expect(res.status).toBe(200);
    expect(xmlText(res.body, 'Arn')).toBe(
      'arn:aws:sts::210987654321:assumed-role/DevReadOnly/aws4',
    );
  });

  it('accepts an aws4 presigned URL carrying awkward query parameters', async () => {
    const { emulator, root } = await start();
    const { host } = new URL(emulator.url);
    const presigned = aws4.sign(
      {
        host,
        method: 'GET',
        path: "/?Action=GetCallerIdentity&Version=2011-06-15&Note=a%20b*~%C3%A9!'()",
        service: 'sts',
        region: 'eu-west-1',
        signQuery: true,
      },
      root,
    );
    expect(presigned.path).toContain('X-Amz-Signature=');
    const res = await send(emulator.url, {
      method: 'GET',
      path: presigned.path,
      headers: { host },
    });
    expect(res.status).toBe(200);
    expect(xmlText(res.body, 'Arn')).toBe(root.arn);
  });

  it('rejects a tampered body (one body signed, another sent)', async () => {
    const { emulator, root } = await start();
    const signed = await smithySigned(emulator.url, root, { body: CALLER_IDENTITY });
    const res = await send(emulator.url, {
      ...signed,
      body: 'Action=GetSessionToken&Version=2011-06-15',
    });
    expect(res.status).toBe(403);
    expect(res.body).toMatch(
      /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>SignatureDoesNotMatch<\/Code><Message>The request signature we calculated .*<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/,
    );
    expect(xmlText(res.body, 'Message')).toBe(SIGNATURE_MESSAGE);
    expect(emulator.requests.at(-1)).toMatchObject({
      service: 'sts',
      accessKeyId: root.accessKeyId,
      status: 403,
      errorCode: 'SignatureDoesNotMatch',
    });
  });

  it('rejects a signed header changed in transit, and a Host signed with another port', async () => {
    const { emulator, root } = await start();
    const signed = await smithySigned(emulator.url, root, { body: CALLER_IDENTITY });
    const changed = await send(emulator.url, {
      ...signed,
      headers: { ...signed.headers, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(xmlText(changed.body, 'Code')).toBe('SignatureDoesNotMatch');
    // Signed for the host without its port, sent (as every client does) with the port.
    const portless = await smithySigned(emulator.url.replace(/:\d+$/, ''), root, {
      body: CALLER_IDENTITY,
    });
    expect(portless.headers!.host).toBe('127.0.0.1');
    const res = await send(emulator.url, {
      ...portless,
      headers: { ...portless.headers, host: new URL(emulator.url).host },
    });
    expect(xmlText(res.body, 'Code')).toBe('SignatureDoesNotMatch');
  });

  it('accepts a presigned GET URL until its X-Amz-Expires has passed', async () => {
    const clock = new FakeClock(FIXED);
    const { emulator, root } = await start({ clock });
    const presigned = await smithySigned(emulator.url, root, {
      method: 'GET',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      presignSeconds: 60,
      signingDate: new Date(FIXED),
    });
    expect(presigned.path).toContain('X-Amz-Signature=');
    expect(presigned.headers).toEqual({ host: new URL(emulator.url).host });
    expect((await send(emulator.url, presigned)).status).toBe(200);
    clock.advance(60_000);
    expect((await send(emulator.url, presigned)).status).toBe(200);
    clock.advance(1000);
    const res = await send(emulator.url, presigned);
    expect(res.status).toBe(403);
    expect(xmlText(res.body, 'Code')).toBe('SignatureDoesNotMatch');
    expect(xmlText(res.body, 'Message')).toBe(
      'Signature expired: 20261128T093000Z is now earlier than 20261128T093001Z (20261128T093101Z - 1 min.)',
    );
  });

  it('keeps presigned URLs to STS’s 15-minute window even with a longer X-Amz-Expires', async () => {
    const clock = new FakeClock(FIXED);
    const { emulator, root } = await start({ clock });
    const presigned = await smithySigned(emulator.url, root, {
      method: 'GET',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      presignSeconds: 3600,
      signingDate: new Date(FIXED),
    });
    clock.advance(15 * 60_000);
    expect((await send(emulator.url, presigned)).status).toBe(200);
    clock.advance(1000);
    expect(xmlText((await send(emulator.url, presigned)).body, 'Message')).toBe(
      'Signature expired: 20261128T093000Z is now earlier than 20261128T093001Z (20261128T094501Z - 15 min.)',
    );
  });

  it('rejects a presigned URL with a changed parameter', async () => {
    const { emulator, root } = await start();
    const presigned = await smithySigned(emulator.url, root, {
      method: 'GET',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      presignSeconds: 60,
    });
    const res = await send(emulator.url, {
      ...presigned,
      path: presigned.path!.replace('GetCallerIdentity', 'GetSessionToken'),
    });
    expect(xmlText(res.body, 'Code')).toBe('SignatureDoesNotMatch');
  });
});

describe('authentication errors', () => {
  it('answers an unsigned request with MissingAuthenticationToken', async () => {
    const { emulator } = await start();
    const res = await send(emulator.url, {
      headers: { 'content-type': FORM_CONTENT_TYPE },
      body: CALLER_IDENTITY,
    });
    expect(res.status).toBe(403);
    expect(xmlText(res.body, 'Code')).toBe('MissingAuthenticationToken');
    expect(xmlText(res.body, 'Message')).toBe('Request is missing Authentication Token');
  });

  it('answers a malformed Authorization header with IncompleteSignature', async () => {
    const { emulator, root } = await start();
    const signed = await smithySigned(emulator.url, root, { body: CALLER_IDENTITY });
    const authorization = signed.headers!.authorization!.replace(/, Signature=[0-9a-f]+/, '');
    const res = await send(emulator.url, {
      ...signed,
      headers: { ...signed.headers, authorization },
    });
    expect(res.status).toBe(400);
    expect(xmlText(res.body, 'Code')).toBe('IncompleteSignature');
    expect(xmlText(res.body, 'Message')).toBe(
      `Authorization header requires 'Signature' parameter. Authorization=${authorization}`,
    );
  });

  it('requires host among the signed headers', async () => {
    const { emulator, root } = await start();
    const signed = await smithySigned(emulator.url, root, { body: CALLER_IDENTITY });
    const authorization = signed.headers!.authorization!.replace(';host;', ';');
    const res = await send(emulator.url, {
      ...signed,
      headers: { ...signed.headers, authorization },
    });
    expect(xmlText(res.body, 'Code')).toBe('IncompleteSignature');
    expect(xmlText(res.body, 'Message')).toBe(
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
  });

  it('answers a changed secret with SignatureDoesNotMatch', async () => {
    const { emulator, root } = await start();
    const client = sts(emulator, { ...root, secretAccessKey: changeOneChar(root.secretAccessKey) });
    await expect(client.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
      message: SIGNATURE_MESSAGE,
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('answers an unknown key with InvalidClientTokenId', async () => {
    const { emulator, root } = await start();
    const client = sts(emulator, { ...root, accessKeyId: 'AKIAIOSFODNN7EXAMPLE' });
    await expect(client.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
      message: 'The security token included in the request is invalid.',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('answers a wrong or missing session token with InvalidClientTokenId', async () => {
    const { emulator, root } = await start();
    const { Credentials } = await sts(emulator, root).send(
      new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'ss' }),
    );
    const temporary = keysOf(Credentials);
    for (const sessionToken of [changeOneChar(temporary.sessionToken!), undefined]) {
      await expect(
        sts(emulator, { ...temporary, sessionToken }).send(new GetCallerIdentityCommand({})),
      ).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
    }
    // A long-term key sent with some token is refused the same way.
    await expect(
      sts(emulator, { ...root, sessionToken: temporary.sessionToken }).send(
        new GetCallerIdentityCommand({}),
      ),
    ).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
  });

  it('answers expired temporary credentials with ExpiredToken once the clock passes Expiration', async () => {
    const clock = new FakeClock();
    const { emulator, root } = await start({ clock });
    const { Credentials } = await sts(emulator, root).send(
      new GetSessionTokenCommand({ DurationSeconds: 900 }),
    );
    const client = sts(emulator, keysOf(Credentials));
    await expect(client.send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
    clock.advance(Credentials!.Expiration!.getTime() - clock.now());
    await expect(client.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'ExpiredToken',
      message: 'The security token included in the request is expired',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('refuses requests signed more than 15 minutes before or after the server clock', async () => {
    const clock = new FakeClock(FIXED);
    const { emulator, root } = await start({ clock });
    const at = async (ms: number) =>
      send(
        emulator.url,
        await smithySigned(emulator.url, root, {
          body: CALLER_IDENTITY,
          signingDate: new Date(ms),
        }),
      );
    expect((await at(FIXED - 15 * 60_000)).status).toBe(200);
    expect((await at(FIXED + 15 * 60_000)).status).toBe(200);
    const early = await at(FIXED - 15 * 60_000 - 1000);
    expect(early.status).toBe(403);
    expect(xmlText(early.body, 'Code')).toBe('SignatureDoesNotMatch');
    expect(xmlText(early.body, 'Message')).toBe(
      'Signature expired: 20261128T091459Z is now earlier than 20261128T091500Z (20261128T093000Z - 15 min.)',
    );
    const late = await at(FIXED + 15 * 60_000 + 1000);
    expect(xmlText(late.body, 'Message')).toBe(
      'Signature not yet current: 20261128T094501Z is still later than 20261128T094500Z (20261128T093000Z + 15 min.)',
    );
  });

  it('reports skew to the SDK as "Signature expired"', async () => {
    const clock = new FakeClock();
    const { emulator, root } = await start({ clock });
    clock.advance(16 * 60_000);
    await expect(sts(emulator, root).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
      message: expect.stringMatching(
        /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/,
      ),
    });
  });
});

describe('STS actions through @aws-sdk/client-sts', () => {
  it('GetCallerIdentity of an IAM user', async () => {
    const { emulator, root } = await start();
    const identity = await sts(emulator, root).send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({
      Arn: 'arn:aws:iam::123456789012:user/vault-root',
      Account: '123456789012',
    });
    expect(identity.UserId).toMatch(/^AIDA[A-Z0-9]{17}$/);
    expect(root.accessKeyId).toMatch(/^AKIA[A-Z0-9]{16}$/);
  });

  it('AssumeRole returns working credentials of the assumed role in the role’s account', async () => {
    const clock = new FakeClock();
    const { emulator, root } = await start({ clock });
    const out = await sts(emulator, root).send(
      new AssumeRoleCommand({
        RoleArn: ROLE,
        RoleSessionName: 'vault-alice-dev-1795000000',
        Policy: '{"Version":"2012-10-17","Statement":[]}',
        PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
        ExternalId: 'ext-1',
        Tags: [{ Key: 'team', Value: 'dev' }],
      }),
    );
    const arn = 'arn:aws:sts::210987654321:assumed-role/DevReadOnly/vault-alice-dev-1795000000';
    expect(out.AssumedRoleUser?.Arn).toBe(arn);
    expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(
      /^AROA[A-Z0-9]{17}:vault-alice-dev-1795000000$/,
    );
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(out.Credentials?.SecretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    const expiresAt = Math.floor(clock.now() / 1000) * 1000 + 3600_000;
    expect(out.Credentials?.Expiration?.getTime()).toBe(expiresAt);
    expect(emulator.describeKey(out.Credentials!.AccessKeyId!)).toEqual({
      ...keysOf(out.Credentials),
      expiresAt,
      arn,
      kind: 'assumed-role',
    });
    const identity = await sts(emulator, keysOf(out.Credentials)).send(
      new GetCallerIdentityCommand({}),
    );
    expect(identity).toEqual(
      expect.objectContaining({
        Arn: arn,
        UserId: out.AssumedRoleUser?.AssumedRoleId,
        Account: '210987654321',
      }),
    );
  });

  it('GetFederationToken returns a federated user whose credentials work', async () => {
    const { emulator, root } = await start();
    const out = await sts(emulator, root).send(
      new GetFederationTokenCommand({
        Name: 'vault-1795-abc',
        DurationSeconds: 3600,
        Policy: '{}',
      }),
    );
    expect(out.FederatedUser).toEqual({
      FederatedUserId: '123456789012:vault-1795-abc',
      Arn: 'arn:aws:sts::123456789012:federated-user/vault-1795-abc',
    });
    const identity = await sts(emulator, keysOf(out.Credentials)).send(
      new GetCallerIdentityCommand({}),
    );
    expect(identity).toMatchObject({
      Arn: out.FederatedUser?.Arn,
      UserId: out.FederatedUser?.FederatedUserId,
    });
    expect(emulator.describeKey(out.Credentials!.AccessKeyId!)?.kind).toBe('federated-user');
  });

  it('GetSessionToken defaults to 12 hours and speaks for the user', async () => {
    const clock = new FakeClock();
    const { emulator, root } = await start({ clock });
    const out = await sts(emulator, root).send(
      new GetSessionTokenCommand({
        SerialNumber: 'arn:aws:iam::123456789012:mfa/x',
        TokenCode: '123456',
      }),
    );
    expect(out.Credentials?.Expiration?.getTime()).toBe(
      Math.floor(clock.now() / 1000) * 1000 + 43200_000,
    );
    const identity = await sts(emulator, keysOf(out.Credentials)).send(
      new GetCallerIdentityCommand({}),
    );
    expect(identity.Arn).toBe(root.arn);
    expect(emulator.describeKey(out.Credentials!.AccessKeyId!)?.kind).toBe('session');
  });

  it('refuses DurationSeconds below the minimum, and takes a lowered minimum', async () => {
    const { emulator, root } = await start();
    await expect(
      sts(emulator, root).send(
        new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'short', DurationSeconds: 899 }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message:
        "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      sts(emulator, root).send(
        new GetFederationTokenCommand({ Name: 'fed', DurationSeconds: 600 }),
      ),
    ).rejects.toMatchObject({
      message:
        "1 validation error detected: Value '600' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    });
    await emulator.stop();

    const lowered = await start({ minDurationSeconds: 60 });
    const out = await sts(lowered.emulator, lowered.root).send(
      new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'short', DurationSeconds: 899 }),
    );
    expect(out.Credentials).toBeDefined();
    await expect(
      sts(lowered.emulator, lowered.root).send(new GetSessionTokenCommand({ DurationSeconds: 59 })),
    ).rejects.toMatchObject({ message: expect.stringContaining('greater than or equal to 60') });
  });

  it('refuses durations above the role’s MaxSessionDuration and above 1 hour when role chaining', async () => {
    const { emulator, root } = await start();
    await expect(
      sts(emulator, root).send(
        new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'long', DurationSeconds: 3601 }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    });
    const first = await sts(emulator, root).send(
      new AssumeRoleCommand({ RoleArn: ROLE_2, RoleSessionName: 'first', DurationSeconds: 7200 }),
    );
    const chained = sts(emulator, keysOf(first.Credentials));
    await expect(
      chained.send(
        new AssumeRoleCommand({
          RoleArn: ROLE_2,
          RoleSessionName: 'second',
          DurationSeconds: 3601,
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message:
        'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    });
    const second = await chained.send(
      new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'second' }),
    );
    expect(second.AssumedRoleUser?.Arn).toBe(
      'arn:aws:sts::210987654321:assumed-role/DevReadOnly/second',
    );
  });

  it('refuses an unknown role with AccessDenied naming the caller', async () => {
    const { emulator, root } = await start();
    const unknown = 'arn:aws:iam::210987654321:role/Nope';
    await expect(
      sts(emulator, root).send(new AssumeRoleCommand({ RoleArn: unknown, RoleSessionName: 'sx' })),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: ${root.arn} is not authorized to perform: sts:AssumeRole on resource: ${unknown}`,
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('validates RoleSessionName like AWS', async () => {
    const { emulator, root } = await start();
    await expect(
      sts(emulator, root).send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'a b' })),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message:
        "1 validation error detected: Value 'a b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    });
    await expect(
      sts(emulator, root).send(
        new AssumeRoleCommand({
          RoleArn: ROLE,
          RoleSessionName: 'x'.repeat(65),
          DurationSeconds: 1,
        }),
      ),
    ).rejects.toMatchObject({
      message: expect.stringMatching(
        /^2 validation errors detected: .*length less than or equal to 64; .*greater than or equal to 900$/,
      ),
    });
  });

  it('refuses GetFederationToken and GetSessionToken with session credentials', async () => {
    const { emulator, root } = await start();
    const { Credentials } = await sts(emulator, root).send(
      new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'ss' }),
    );
    const client = sts(emulator, keysOf(Credentials));
    await expect(client.send(new GetFederationTokenCommand({ Name: 'fed' }))).rejects.toMatchObject(
      {
        name: 'AccessDenied',
        message: 'Cannot call GetFederationToken with session credentials',
        $metadata: { httpStatusCode: 403 },
      },
    );
    await expect(client.send(new GetSessionTokenCommand({}))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: 'Cannot call GetSessionToken with session credentials',
    });
  });

  it('issues long base64 session tokens, about half of them ending in "="', async () => {
    const { emulator, root } = await start();
    const client = sts(emulator, root);
    const tokens = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        client
          .send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: `s${i}0` }))
          .then((o) => o.Credentials!.SessionToken!),
      ),
    );
    for (const token of tokens) {
      expect(token.length).toBeGreaterThanOrEqual(300);
      expect(token).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    }
    const padded = tokens.filter((t) => t.endsWith('=')).length;
    expect(padded).toBeGreaterThan(5);
    expect(padded).toBeLessThan(35);
  });

  it('fails the next matching calls with an injected fault, then recovers', async () => {
    const { emulator, root } = await start();
    const client = sts(emulator, root);
    emulator.injectFault({
      action: 'AssumeRole',
      code: 'Throttling',
      message: 'Rate exceeded',
      status: 400,
      times: 2,
    });
    await expect(client.send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
    for (let i = 0; i < 2; i++) {
      await expect(
        client.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'ss' })),
      ).rejects.toMatchObject({
        name: 'Throttling',
        message: 'Rate exceeded',
        $metadata: { httpStatusCode: 400 },
      });
    }
    await expect(
      client.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'ss' })),
    ).resolves.toBeDefined();
    expect(emulator.requests.map((r) => [r.action, r.status, r.errorCode])).toEqual([
      ['GetCallerIdentity', 200, undefined],
      ['AssumeRole', 400, 'Throttling'],
      ['AssumeRole', 400, 'Throttling'],
      ['AssumeRole', 200, undefined],
    ]);
  });

  it('answers an unknown action or version with InvalidAction', async () => {
    const { emulator, root } = await start();
    const unknown = await send(
      emulator.url,
      await smithySigned(emulator.url, root, { body: 'Action=ListRoles&Version=2011-06-15' }),
    );
    expect(unknown.status).toBe(400);
    expect(xmlText(unknown.body, 'Code')).toBe('InvalidAction');
    expect(xmlText(unknown.body, 'Message')).toBe(
      'Could not find operation ListRoles for version 2011-06-15',
    );
    const wrongVersion = await send(
      emulator.url,
      await smithySigned(emulator.url, root, {
        body: 'Action=GetCallerIdentity&Version=2010-05-08',
      }),
    );
    expect(xmlText(wrongVersion.body, 'Code')).toBe('InvalidAction');
  });
});

describe('IAM', () => {
  const iam = async (em: AwsEmulator, keys: AwsKeys, params: Record<string, string>) =>
    send(
      em.url,
      await smithySigned(em.url, keys, {
        service: 'iam',
        region: 'us-east-1',
        body: new URLSearchParams({ ...params, Version: '2010-05-08' }).toString(),
      }),
    );

  it('creates a user and an access key that works at once, and forgets it when the user is deleted', async () => {
    const { emulator, root } = await start();
    const created = await iam(emulator, root, {
      Action: 'CreateUser',
      UserName: 'vault-token-dev-1795',
      Path: '/vault/',
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatch(
      /^<CreateUserResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><CreateUserResult><User><Path>\/vault\/<\/Path><UserName>vault-token-dev-1795<\/UserName><UserId>AIDA[A-Z0-9]{17}<\/UserId><Arn>arn:aws:iam::123456789012:user\/vault\/vault-token-dev-1795<\/Arn><CreateDate>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/CreateDate><\/User><\/CreateUserResult><ResponseMetadata>/,
    );
    const calls: Array<Record<string, string>> = [
      {
        Action: 'PutUserPolicy',
        UserName: 'vault-token-dev-1795',
        PolicyName: 'p',
        PolicyDocument: '{"Version":"2012-10-17"}',
      },
      {
        Action: 'AttachUserPolicy',
        UserName: 'vault-token-dev-1795',
        PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
      },
      { Action: 'AddUserToGroup', UserName: 'vault-token-dev-1795', GroupName: 'devs' },
    ];
    for (const params of calls) {
      const res = await iam(emulator, root, params);
      expect(res.status).toBe(200);
      expect(res.body).toMatch(
        new RegExp(`^<${params.Action}Response xmlns="[^"]+"><ResponseMetadata><RequestId>`),
      );
    }
    const keyRes = await iam(emulator, root, {
      Action: 'CreateAccessKey',
      UserName: 'vault-token-dev-1795',
    });
    expect(keyRes.body).toContain('<Status>Active</Status>');
    const key = {
      accessKeyId: xmlText(keyRes.body, 'AccessKeyId')!,
      secretAccessKey: xmlText(keyRes.body, 'SecretAccessKey')!,
    };
    expect(key.accessKeyId).toMatch(/^AKIA[A-Z0-9]{16}$/);
    const identity = await sts(emulator, key).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe('arn:aws:iam::123456789012:user/vault/vault-token-dev-1795');

    const deleted = await iam(emulator, root, {
      Action: 'DeleteUser',
      UserName: 'vault-token-dev-1795',
    });
    expect(deleted.status).toBe(200);
    expect(emulator.describeKey(key.accessKeyId)).toBeUndefined();
    await expect(sts(emulator, key).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
    });
    const again = await iam(emulator, root, {
      Action: 'DeleteUser',
      UserName: 'vault-token-dev-1795',
    });
    expect(again.status).toBe(404);
    expect(again.body).toContain(
      '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">',
    );
    expect(xmlText(again.body, 'Code')).toBe('NoSuchEntity');
    expect(xmlText(again.body, 'Message')).toBe(
      'The user with name vault-token-dev-1795 cannot be found.',
    );
  });

  it('answers a duplicate user with EntityAlreadyExists and deletes single access keys', async () => {
    const { emulator, root } = await start();
    await iam(emulator, root, { Action: 'CreateUser', UserName: 'bob' });
    const dup = await iam(emulator, root, { Action: 'CreateUser', UserName: 'bob' });
    expect(dup.status).toBe(409);
    expect(xmlText(dup.body, 'Code')).toBe('EntityAlreadyExists');
    expect(xmlText(dup.body, 'Message')).toBe('User with name bob already exists.');

    const keyRes = await iam(emulator, root, { Action: 'CreateAccessKey', UserName: 'bob' });
    const accessKeyId = xmlText(keyRes.body, 'AccessKeyId')!;
    expect(emulator.describeKey(accessKeyId)).toMatchObject({
      kind: 'user',
      arn: 'arn:aws:iam::123456789012:user/bob',
    });
    expect(
      (
        await iam(emulator, root, {
          Action: 'DeleteAccessKey',
          UserName: 'bob',
          AccessKeyId: accessKeyId,
        })
      ).status,
    ).toBe(200);
    expect(emulator.describeKey(accessKeyId)).toBeUndefined();
    const missing = await iam(emulator, root, {
      Action: 'DeleteAccessKey',
      UserName: 'bob',
      AccessKeyId: accessKeyId,
    });
    expect(missing.status).toBe(404);
    expect(xmlText(missing.body, 'Message')).toBe(
      `The Access Key with id ${accessKeyId} cannot be found.`,
    );
    expect(emulator.requests.at(-1)).toMatchObject({
      service: 'iam',
      action: 'DeleteAccessKey',
      status: 404,
      errorCode: 'NoSuchEntity',
    });
  });
});

describe('HTTP behaviour', () => {
  it('stamps responses with the injected clock and computes Expiration from it', async () => {
    const clock = new FakeClock(FIXED);
    const { emulator, root } = await start({ clock });
    const unsigned = await send(emulator.url, { body: CALLER_IDENTITY });
    expect(unsigned.headers.date).toBe('Sat, 28 Nov 2026 09:30:00 GMT');
    const body = `Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(ROLE)}&RoleSessionName=fixed`;
    const res = await send(
      emulator.url,
      await smithySigned(emulator.url, root, { body, signingDate: new Date(FIXED) }),
    );
    expect(xmlText(res.body, 'Expiration')).toBe('2026-11-28T10:30:00Z');
    clock.advance(90_000);
    const later = await send(emulator.url, { body: CALLER_IDENTITY });
    expect(later.headers.date).toBe('Sat, 28 Nov 2026 09:31:30 GMT');
  });

  it('keeps serving after a client disconnects mid-request', async () => {
    const { emulator, root } = await start();
    const { hostname, port } = new URL(emulator.url);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nAction=Get', () => {
          socket.destroy();
          resolve();
        });
      });
      socket.on('error', reject);
    });
    await expect(sts(emulator, root).send(new GetCallerIdentityCommand({}))).resolves.toMatchObject(
      { Arn: root.arn },
    );
  });

  it('stop() closes idle keep-alive connections promptly', async () => {
    const { emulator, root } = await start();
    const client = sts(emulator, root); // the SDK keeps its socket alive between calls
    await client.send(new GetCallerIdentityCommand({}));
    const started = Date.now();
    await emulator.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    client.destroy();
  });
});
