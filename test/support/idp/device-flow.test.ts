import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveDevice } from './device-approval.js';
import { discoverAppClient } from './oidc-clients.js';
import { IdentityProvider } from './provider.js';
import { DEFAULT_USERS } from './users.js';

const [alice, bob] = DEFAULT_USERS;

let idp: IdentityProvider;
let app: client.Configuration;

beforeAll(async () => {
  idp = await IdentityProvider.start();
  app = await discoverAppClient(idp);
});
afterAll(() => idp.stop());

describe('device authorization grant with the public client', () => {
  it('is approved at the verification page and the poll returns tokens of that user', async () => {
    const device = await client.initiateDeviceAuthorization(app, {
      scope: 'openid email groups offline_access',
    });
    expect(device.verification_uri).toBe(`${idp.issuer}/device`);
    expect(device.interval).toBe(1);

    const page = await approveDevice(idp, device.user_code, bob);
    expect(page.status).toBe(200);

    const tokens = await client.pollDeviceAuthorizationGrant(app, device);
    expect(tokens.claims()).toMatchObject({
      iss: idp.issuer,
      aud: idp.appClientId,
      sub: bob.sub,
      email: bob.email,
      groups: bob.groups,
    });
    expect(tokens.refresh_token).toEqual(expect.any(String));
  });

  it('is denied by aborting, which ends the poll with access_denied', async () => {
    const device = await client.initiateDeviceAuthorization(app, { scope: 'openid' });

    const page = await approveDevice(idp.issuer, device.user_code, alice, { deny: true });
    expect(page.body).toContain('the interaction was aborted');

    await expect(client.pollDeviceAuthorizationGrant(app, device)).rejects.toMatchObject({
      error: 'access_denied',
    });
  });

  it('rejects an unknown user code and a wrong password', async () => {
    await expect(approveDevice(idp, 'BCDF-GHJK', alice)).rejects.toThrow(/code was not found/);

    const device = await client.initiateDeviceAuthorization(app, { scope: 'openid' });
    await expect(
      approveDevice(idp, device.user_code, { email: alice.email, password: 'wrong' }),
    ).rejects.toThrow(/Invalid email or password/);
  });
});
