import { createServer, request } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConsoleSignInError,
  consoleDestination,
  consoleSignInUrl,
  federationUrlFor,
  partitionOf,
} from '../../../src/core/aws/console-sign-in.js';

const KEYS = {
  accessKeyId: 'ASIAEXAMPLEEXAMPLE01',
  secretAccessKey: 'secret/key+value',
  sessionToken: 'token==',
  expiresAt: Date.parse('2026-12-05T12:00:00Z'),
};

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

/** A loopback HTTP server answering as `answer` says: a federation endpoint that misbehaves. */
async function serve(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(answer);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const signIn = (federationUrl: string, env: Record<string, string | undefined> = {}) =>
  consoleSignInUrl({
    credentials: KEYS,
    region: 'eu-west-1',
    destination: 's3',
    federationUrl,
    env,
    issuer: 'vault-aws-tray',
    timeoutMs: 5000,
  });

describe('partitions and destinations', () => {
  it.each([
    ['eu-west-1', 'https://signin.aws.amazon.com/federation'],
    [undefined, 'https://signin.aws.amazon.com/federation'],
    ['cn-northwest-1', 'https://signin.amazonaws.cn/federation'],
    ['us-gov-west-1', 'https://signin.amazonaws-us-gov.com/federation'],
  ])('region %s signs in at %s', (region, endpoint) => {
    expect(partitionOf(region).federation).toBe(endpoint);
    expect(federationUrlFor(region, undefined)).toBe(endpoint);
    expect(federationUrlFor(region, 'http://127.0.0.1:1/federation')).toBe(
      'http://127.0.0.1:1/federation',
    );
  });

  it.each([
    [undefined, undefined, 'https://console.aws.amazon.com/console/home'],
    [
      'eu-west-1',
      undefined,
      'https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1',
    ],
    ['eu-west-1', 's3', 'https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1'],
    [
      'eu-west-1',
      '/ec2/home',
      'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1',
    ],
    [
      'cn-north-1',
      'ec2/v2/home',
      'https://cn-north-1.console.amazonaws.cn/ec2/v2/home?region=cn-north-1',
    ],
    [
      'us-gov-east-1',
      'iam',
      'https://us-gov-east-1.console.amazonaws-us-gov.com/iam/home?region=us-gov-east-1',
    ],
    [
      'eu-west-1',
      'https://eu-west-1.console.aws.amazon.com/lambda/home#/functions',
      'https://eu-west-1.console.aws.amazon.com/lambda/home#/functions',
    ],
  ])('region %s, destination %s: %s', (region, destination, url) => {
    expect(consoleDestination(region, destination)).toBe(url);
  });
});

describe('consoleSignInUrl', () => {
  it('asks for a token with the session JSON, never SessionDuration, and builds the login URL', async () => {
    const asked: URL[] = [];
    const origin = await serve((req, res) => {
      asked.push(new URL(req.url!, 'http://x'));
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"SigninToken":"tok-1"}');
    });
    const url = new URL(await signIn(`${origin}/federation`));
    expect(asked).toHaveLength(1);
    expect(asked[0]!.pathname).toBe('/federation');
    expect(asked[0]!.searchParams.get('Action')).toBe('getSigninToken');
    expect(asked[0]!.searchParams.has('SessionDuration')).toBe(false);
    expect(JSON.parse(asked[0]!.searchParams.get('Session')!)).toEqual({
      sessionId: KEYS.accessKeyId,
      sessionKey: KEYS.secretAccessKey,
      sessionToken: KEYS.sessionToken,
    });
    expect(`${url.origin}${url.pathname}`).toBe(`${origin}/federation`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      Action: 'login',
      Issuer: 'vault-aws-tray',
      Destination: 'https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1',
      SigninToken: 'tok-1',
    });
  });

  it('says in words what the endpoint refused, with the gist of its page', async () => {
    const origin = await serve((_req, res) => {
      res
        .writeHead(400, { 'Content-Type': 'text/html' })
        .end('<html><body><h1>HTTP Status 400 - Invalid credentials parameter</h1></body></html>');
    });
    const error = await signIn(`${origin}/federation`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsoleSignInError);
    expect((error as Error).message).toBe(
      `the AWS sign-in endpoint ${new URL(origin).host} refused the console sign-in: it does not accept these credentials for the console (expired, revoked, or of a kind it cannot sign in, such as IAM user keys) (HTTP Status 400 - Invalid credentials parameter)`,
    );
  });

  it.each([
    ['a server error', 500, 'oops', /it answered HTTP 500 \(oops\)$/],
    ['200 without JSON', 200, '<html>maintenance</html>', /it answered HTTP 200 \(maintenance\)$/],
    ['200 without a token', 200, '{"SigninToken":""}', /it answered HTTP 200/],
  ])('refuses %s', async (_name, status, body, message) => {
    const origin = await serve((_req, res) => res.writeHead(status).end(body));
    await expect(signIn(`${origin}/federation`)).rejects.toThrow(message);
  });

  it('says when the endpoint cannot be reached', async () => {
    await expect(signIn('http://127.0.0.1:9/federation')).rejects.toThrow(
      /^cannot reach the AWS sign-in endpoint 127\.0\.0\.1:9 \(ECONNREFUSED\)$/,
    );
  });

  it('goes through the proxy in the environment', async () => {
    const endpoint = await serve((_req, res) => res.writeHead(200).end('{"SigninToken":"via"}'));
    const proxied: string[] = [];
    // A plain HTTP forward proxy: absolute-form requests, passed on.
    const proxy = await serve((req, res) => {
      proxied.push(req.url!);
      const upstream = request(req.url!, { method: req.method, headers: req.headers }, (reply) => {
        res.writeHead(reply.statusCode!, reply.headers);
        reply.pipe(res);
      });
      req.pipe(upstream);
    });
    const url = await signIn(`${endpoint}/federation`, { HTTP_PROXY: proxy, NO_PROXY: '' });
    expect(new URL(url).searchParams.get('SigninToken')).toBe('via');
    expect(proxied).toHaveLength(1);
    expect(proxied[0]).toMatch(new RegExp(`^${endpoint}/federation\\?Action=getSigninToken&`));
  });
});
