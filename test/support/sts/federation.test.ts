import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../fake-clock.js';
import { AwsEmulator, CONSOLE_COOKIE, SIGNIN_TOKEN_TTL_MS, type AwsKeys } from './index.js';
import { queryString, send, smithySigned, xmlText, type RawResponse } from './test-http.js';

const ROLE = 'arn:aws:iam::210987654321:role/team/DevReadOnly';
const ROLE_2 = 'arn:aws:iam::210987654321:role/Deploy';
const DESTINATION = 'https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1';
const REFUSAL_TITLE = '<title>HTTP Status 400 - Invalid credentials parameter</title>';
const INVALID_TOKEN = 'The sign-in token is invalid or has expired.';

type Keys = Pick<AwsKeys, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>;

let emulator: AwsEmulator | undefined;
afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});

async function start() {
  const clock = new FakeClock();
  emulator = await AwsEmulator.start({ clock });
  emulator.addRole(ROLE);
  emulator.addRole(ROLE_2);
  return { emulator, clock, root: emulator.createUser('vault-root') };
}

/** Keys issued by the emulator through a real, signed STS call. */
async function issue(em: AwsEmulator, signer: Keys, body: Record<string, string>): Promise<Keys> {
  const form = queryString({ Version: '2011-06-15', ...body });
  const res = await send(em.url, await smithySigned(em.url, signer, { body: form }));
  expect(res.status, res.body).toBe(200);
  return {
    accessKeyId: xmlText(res.body, 'AccessKeyId')!,
    secretAccessKey: xmlText(res.body, 'SecretAccessKey')!,
    sessionToken: xmlText(res.body, 'SessionToken')!,
  };
}

const assumeRole = (em: AwsEmulator, signer: Keys, roleArn = ROLE, name = 'alice') =>
  issue(em, signer, { Action: 'AssumeRole', RoleArn: roleArn, RoleSessionName: name });

const federationToken = (em: AwsEmulator, signer: Keys) =>
  issue(em, signer, { Action: 'GetFederationToken', Name: 'bob' });

const sessionJson = (keys: Keys) =>
  JSON.stringify({
    sessionId: keys.accessKeyId,
    sessionKey: keys.secretAccessKey,
    sessionToken: keys.sessionToken,
  });

function federation(em: AwsEmulator, params: Record<string, string>): Promise<RawResponse> {
  return send(em.url, { method: 'GET', path: `/federation?${queryString(params)}` });
}

const getSigninToken = (em: AwsEmulator, session: string, extra: Record<string, string> = {}) =>
  federation(em, { Action: 'getSigninToken', Session: session, ...extra });

async function signinToken(em: AwsEmulator, keys: Keys, extra: Record<string, string> = {}) {
  const res = await getSigninToken(em, sessionJson(keys), extra);
  expect(res.status, res.body).toBe(200);
  return (JSON.parse(res.body) as { SigninToken: string }).SigninToken;
}

const login = (em: AwsEmulator, token: string, destination = DESTINATION) =>
  federation(em, {
    Action: 'login',
    Issuer: 'https://broker.example.com/',
    Destination: destination,
    SigninToken: token,
  });

const cookieOf = (res: RawResponse) => res.headers['set-cookie']?.[0]?.split(';')[0] ?? '';

const consolePage = (em: AwsEmulator, cookie: string) =>
  send(em.url, { method: 'GET', path: '/console', headers: cookie ? { cookie } : {} });

/** The text of `<dd id="...">` on the console page. */
function field(html: string, id: string): string | undefined {
  return new RegExp(`<dd id="${id}">([^<]*)</dd>`)
    .exec(html)?.[1]
    ?.replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&apos;/g, "'");
}

function expectRefused(res: RawResponse) {
  expect(res.status).toBe(400);
  expect(res.headers['content-type']).toBe('text/html;charset=utf-8');
  expect(res.body).toContain(REFUSAL_TITLE);
  expect(res.body).toContain('The request sent by the client was syntactically incorrect.');
  expect(res.body).not.toContain('SigninToken');
}

const lastError = (em: AwsEmulator) => em.requests.at(-1)?.errorCode;

describe('getSigninToken, login and the console page', () => {
  it('signs a role assumed with user keys in to the console, end to end', async () => {
    const { emulator, root } = await start();
    const role = await assumeRole(emulator, root);
    const tokenRes = await getSigninToken(emulator, sessionJson(role));
    expect(tokenRes.status).toBe(200);
    expect(tokenRes.headers['content-type']).toBe('application/json');
    const { SigninToken } = JSON.parse(tokenRes.body) as { SigninToken: string };
    expect(SigninToken).toMatch(/^[\w-]{100,}$/);

    const loginRes = await login(emulator, SigninToken);
    expect(loginRes.status).toBe(302);
    expect(loginRes.headers.location).toBe('/console');
    expect(loginRes.headers['set-cookie']?.[0]).toMatch(
      new RegExp(`^${CONSOLE_COOKIE}=[\\w-]+; Path=/; HttpOnly; SameSite=Lax$`),
    );

    const page = await consolePage(emulator, cookieOf(loginRes));
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html;charset=utf-8');
    expect(page.body).toContain('<title>AWS Management Console</title>');
    expect(field(page.body, 'arn')).toBe(
      'arn:aws:sts::210987654321:assumed-role/DevReadOnly/alice',
    );
    expect(field(page.body, 'account')).toBe('210987654321');
    expect(field(page.body, 'destination')).toBe(DESTINATION);
    expect(field(page.body, 'region')).toBe('eu-west-1');
    expect(field(page.body, 'issuer')).toBe('https://broker.example.com/');
    // No SessionDuration: the console session ends with the role session.
    const expiresAt = emulator.describeKey(role.accessKeyId)!.expiresAt!;
    expect(field(page.body, 'expires')).toBe(new Date(expiresAt).toISOString().slice(0, 19) + 'Z');
  });

  it('records each call with the key id and never a secret, session token or sign-in token', async () => {
    const { emulator, root } = await start();
    const role = await assumeRole(emulator, root);
    const before = emulator.requests.length;
    const token = await signinToken(emulator, role);
    const cookie = cookieOf(await login(emulator, token));
    await consolePage(emulator, cookie);
    const records = emulator.requests.slice(before);
    expect(
      records.map(({ service, action, accessKeyId, status }) => ({
        service,
        action,
        accessKeyId,
        status,
      })),
    ).toEqual([
      { service: 'signin', action: 'getSigninToken', accessKeyId: role.accessKeyId, status: 200 },
      { service: 'signin', action: 'login', accessKeyId: role.accessKeyId, status: 302 },
      { service: 'signin', action: 'console', accessKeyId: role.accessKeyId, status: 200 },
    ]);
    const logged = JSON.stringify(emulator.requests);
    for (const secret of [role.secretAccessKey, role.sessionToken!, token, cookie.split('=')[1]!]) {
      expect(logged).not.toContain(secret);
    }
  });

  it('signs in federated-user keys (GetFederationToken); no region without one in the destination', async () => {
    const { emulator, root } = await start();
    const federated = await federationToken(emulator, root);
    const token = await signinToken(emulator, federated);
    const res = await login(emulator, token, 'https://console.aws.amazon.com/s3/home');
    const page = await consolePage(emulator, cookieOf(res));
    expect(field(page.body, 'arn')).toBe('arn:aws:sts::123456789012:federated-user/bob');
    expect(field(page.body, 'destination')).toBe('https://console.aws.amazon.com/s3/home');
    expect(page.body).not.toContain('id="region"');
  });

  it('takes the region from a <region>.console host when the destination has no region=', async () => {
    const { emulator, root } = await start();
    const token = await signinToken(emulator, await assumeRole(emulator, root));
    const res = await login(
      emulator,
      token,
      'https://us-gov-west-1.console.amazonaws-us-gov.com/ec2/home',
    );
    expect(field((await consolePage(emulator, cookieOf(res))).body, 'region')).toBe(
      'us-gov-west-1',
    );
  });

  it('accepts a form POST as well as a GET', async () => {
    const { emulator, root } = await start();
    const role = await assumeRole(emulator, root);
    const res = await send(emulator.url, {
      method: 'POST',
      path: '/federation',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: queryString({ Action: 'getSigninToken', Session: sessionJson(role) }),
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toHaveProperty('SigninToken');
  });
});

describe('getSigninToken refusals: HTTP 400, "Invalid credentials parameter"', () => {
  it('refuses an unknown key', async () => {
    const { emulator, root } = await start();
    const role = await assumeRole(emulator, root);
    const res = await getSigninToken(
      emulator,
      sessionJson({ ...role, accessKeyId: 'ASIAAAAAAAAAAAAAAAAA' }),
    );
    expectRefused(res);
    expect(emulator.requests.at(-1)).toMatchObject({
      service: 'signin',
      action: 'getSigninToken',
      accessKeyId: 'ASIAAAAAAAAAAAAAAAAA',
      status: 400,
      errorCode: 'UnknownKey',
    });
  });

  it('refuses a wrong secret and a wrong session token', async () => {
    const { emulator, root } = await start();
    const role = await assumeRole(emulator, root);
    const other = await assumeRole(emulator, root, ROLE, 'carol');
    expectRefused(
      await getSigninToken(
        emulator,
        sessionJson({ ...role, secretAccessKey: other.secretAccessKey }),
      ),
    );
    expect(lastError(emulator)).toBe('KeyMismatch');
    expectRefused(
      await getSigninToken(emulator, sessionJson({ ...role, sessionToken: other.sessionToken })),
    );
    expect(lastError(emulator)).toBe('KeyMismatch');
    expectRefused(
      await getSigninToken(emulator, sessionJson({ ...role, sessionToken: undefined })),
    );
    expect(lastError(emulator)).toBe('KeyMismatch');
  });

  it("refuses an IAM user's long-term keys", async () => {
    const { emulator, root } = await start();
    expectRefused(await getSigninToken(emulator, sessionJson(root)));
    expect(lastError(emulator)).toBe('LongTermKey');
  });

  it("refuses a key at its expiry on the emulator's clock, not a millisecond before", async () => {
    const { emulator, clock, root } = await start();
    const role = await assumeRole(emulator, root);
    const expiresAt = emulator.describeKey(role.accessKeyId)!.expiresAt!;
    clock.advance(expiresAt - clock.now() - 1);
    expect((await getSigninToken(emulator, sessionJson(role))).status).toBe(200);
    clock.advance(1);
    expectRefused(await getSigninToken(emulator, sessionJson(role)));
    expect(lastError(emulator)).toBe('ExpiredKey');
  });

  it('refuses a malformed Session', async () => {
    const { emulator, root } = await start();
    const role = await assumeRole(emulator, root);
    const malformed = [
      'not json',
      '["ASIA", "secret", "token"]',
      'null',
      JSON.stringify({ sessionId: role.accessKeyId, sessionToken: role.sessionToken }),
      JSON.stringify({ sessionId: 42, sessionKey: 'x', sessionToken: 'y' }),
      JSON.stringify({ ...JSON.parse(sessionJson(role)), sessionToken: 7 }),
    ];
    for (const session of malformed) {
      expectRefused(await getSigninToken(emulator, session));
      expect(lastError(emulator)).toBe('MalformedSession');
    }
    expectRefused(await federation(emulator, { Action: 'getSigninToken' }));
    expect(lastError(emulator)).toBe('MalformedSession');
  });

  it('refuses an unknown Action', async () => {
    const { emulator } = await start();
    const res = await federation(emulator, { Action: 'GetSigninToken' });
    expect(res.status).toBe(400);
    expect(lastError(emulator)).toBe('InvalidAction');
  });
});

describe('SessionDuration', () => {
  it('is accepted from 900 to 43200 for a role assumed with user keys, and sets the console session', async () => {
    const { emulator, clock, root } = await start();
    const role = await assumeRole(emulator, root);
    await signinToken(emulator, role, { SessionDuration: '43200' });
    const token = await signinToken(emulator, role, { SessionDuration: '900' });
    const res = await login(emulator, token);
    const loggedInAt = clock.now();
    const page = await consolePage(emulator, cookieOf(res));
    expect(field(page.body, 'expires')).toBe(
      new Date(loggedInAt + 900_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    );
    clock.advance(900_000 - 1);
    expect((await consolePage(emulator, cookieOf(res))).status).toBe(200);
    clock.advance(1);
    const expired = await consolePage(emulator, cookieOf(res));
    expect(expired.status).toBe(401);
    expect(expired.body).toContain('Your session has expired.');
    expect(expired.body).toContain('href="https://broker.example.com/"');
    expect(lastError(emulator)).toBe('ConsoleSessionExpired');
  });

  it('is refused outside 900-43200 or when not a whole number', async () => {
    const { emulator, root } = await start();
    const role = await assumeRole(emulator, root);
    for (const value of ['899', '43201', '3600.5', '1e3', '', 'abc', '-900']) {
      expectRefused(await getSigninToken(emulator, sessionJson(role), { SessionDuration: value }));
      expect(lastError(emulator)).toBe('InvalidSessionDuration');
    }
  });

  it('is refused with GetFederationToken keys, which are accepted without it', async () => {
    const { emulator, root } = await start();
    const federated = await federationToken(emulator, root);
    expectRefused(
      await getSigninToken(emulator, sessionJson(federated), { SessionDuration: '3600' }),
    );
    expect(lastError(emulator)).toBe('SessionDurationNotAllowed');
    await signinToken(emulator, federated);
  });

  it('is refused for a role assumed with temporary keys (role chaining), accepted without it', async () => {
    const { emulator, root } = await start();
    const first = await assumeRole(emulator, root);
    const chained = await assumeRole(emulator, first, ROLE_2, 'chained');
    expectRefused(
      await getSigninToken(emulator, sessionJson(chained), { SessionDuration: '3600' }),
    );
    expect(lastError(emulator)).toBe('SessionDurationNotAllowed');
    const token = await signinToken(emulator, chained);
    const page = await consolePage(emulator, cookieOf(await login(emulator, token)));
    expect(field(page.body, 'arn')).toBe('arn:aws:sts::210987654321:assumed-role/Deploy/chained');
  });
});

describe('login refusals', () => {
  it('uses a sign-in token once', async () => {
    const { emulator, root } = await start();
    const token = await signinToken(emulator, await assumeRole(emulator, root));
    expect((await login(emulator, token)).status).toBe(302);
    const again = await login(emulator, token);
    expect(again.status).toBe(400);
    expect(again.headers['content-type']).toBe('text/html;charset=utf-8');
    expect(again.headers['set-cookie']).toBeUndefined();
    expect(again.body).toContain('<title>Amazon Web Services Sign-In</title>');
    expect(again.body).toContain(INVALID_TOKEN);
    expect(lastError(emulator)).toBe('UsedSigninToken');
  });

  it('refuses a token 15 minutes after it was issued, not a millisecond before', async () => {
    const { emulator, clock, root } = await start();
    const role = await assumeRole(emulator, root);
    const early = await signinToken(emulator, role);
    const late = await signinToken(emulator, role);
    clock.advance(SIGNIN_TOKEN_TTL_MS - 1);
    expect((await login(emulator, early)).status).toBe(302);
    clock.advance(1);
    const res = await login(emulator, late);
    expect(res.status).toBe(400);
    expect(res.body).toContain(INVALID_TOKEN);
    expect(lastError(emulator)).toBe('ExpiredSigninToken');
  });

  it('refuses an unknown token', async () => {
    const { emulator } = await start();
    const res = await login(emulator, 'not-a-token');
    expect(res.status).toBe(400);
    expect(res.body).toContain(INVALID_TOKEN);
    expect(lastError(emulator)).toBe('UnknownSigninToken');
  });

  it('refuses a missing Destination without using up the token', async () => {
    const { emulator, root } = await start();
    const token = await signinToken(emulator, await assumeRole(emulator, root));
    const res = await federation(emulator, { Action: 'login', SigninToken: token });
    expect(res.status).toBe(400);
    expect(lastError(emulator)).toBe('InvalidDestination');
    expect((await login(emulator, token)).status).toBe(302);
  });

  it('gives GetSessionToken keys a token, then refuses them at login in AWS words', async () => {
    const { emulator, root } = await start();
    const session = await issue(emulator, root, { Action: 'GetSessionToken' });
    const res = await login(emulator, await signinToken(emulator, session));
    expect(res.status).toBe(400);
    expect(res.body).toContain(
      'Only federation tokens or assume role tokens may be used for federated login. Please contact your administrator.',
    );
    expect(lastError(emulator)).toBe('NotFederationOrRoleKey');
  });

  it('shows no console without the session cookie', async () => {
    const { emulator } = await start();
    for (const cookie of ['', `${CONSOLE_COOKIE}=unknown`]) {
      const res = await consolePage(emulator, cookie);
      expect(res.status).toBe(401);
      expect(res.body).toContain('You are not signed in.');
      expect(lastError(emulator)).toBe('NotSignedIn');
    }
  });
});
