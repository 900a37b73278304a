import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STACK_REGION, startStack } from './stack.js';
import type { Stack } from './stack.js';
import { vaultRequest } from './vault/vault-http.js';

// On the real clock: what the fake-clock tests assert must also hold when time really passes.
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ minStsDurationSeconds: 2 });
});
afterAll(async () => {
  await stack.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the stack on the wall clock', () => {
  it('a Vault token with a 2-second TTL stops working once it has passed', async () => {
    const token = stack.vault.createToken({ policies: [], ttlSeconds: 2 });
    expect(
      (await vaultRequest(stack.vault.url, 'GET', 'auth/token/lookup-self', { token })).status,
    ).toBe(200);
    await sleep(2_100);
    const res = await vaultRequest(stack.vault.url, 'GET', 'auth/token/lookup-self', { token });
    expect(res.json).toEqual({
      errors: ['2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n'],
    });
  });

  it('STS credentials minted through Vault expire at STS when their time is up', async () => {
    const token = stack.vault.createToken({ policies: ['aws-dev-readonly'] });
    const creds = await vaultRequest(stack.vault.url, 'GET', 'aws/creds/dev-readonly?ttl=3', {
      token,
    });
    const data = creds.json!.data as Record<string, string>;
    const client = new STSClient({
      endpoint: stack.aws.url,
      region: STACK_REGION,
      maxAttempts: 1,
      credentials: {
        accessKeyId: data.access_key!,
        secretAccessKey: data.secret_key!,
        sessionToken: data.session_token,
      },
    });
    expect((await client.send(new GetCallerIdentityCommand({}))).Arn).toBe(data.arn);
    await sleep(3_500);
    await expect(client.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'ExpiredToken',
    });
  });
});
