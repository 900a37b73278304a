import { createServer } from 'node:http';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultClient } from '../../../src/core/vault/client.js';
import { VaultError } from '../../../src/core/vault/errors.js';
import { z } from '../../../src/shared/zod.js';
import { makeCertificates, readPem } from '../../support/tls.js';
import type { TestCertificates } from '../../support/tls.js';
import { VaultEmulator } from '../../support/vault/index.js';

const lookup = z.object({ id: z.string() });
const closers: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
});

async function vault(): Promise<VaultEmulator> {
  const v = await VaultEmulator.start();
  closers.push(() => v.stop());
  return v;
}

/** A small server that records what it was sent (the token among it). */
async function serve(
  scheme: 'http' | 'https',
  answer: (req: IncomingMessage, res: ServerResponse, url: string) => void,
  certs?: TestCertificates,
) {
  const seen: IncomingMessage[] = [];
  let url = '';
  const listener: RequestListener = (req, res) => {
    seen.push(req);
    answer(req, res, url);
  };
  const server: Server =
    scheme === 'https'
      ? createHttpsServer(
          { key: readPem(certs!.serverKey), cert: readPem(certs!.serverCert) },
          listener,
        )
      : createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closers.push(
    () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  );
  return { url, seen };
}

async function failure(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VaultError);
  return error as VaultError;
}

describe('VaultClient redirects: at most three, with the token, never from https to http', () => {
  let certs: TestCertificates;
  beforeAll(() => {
    certs = makeCertificates();
  });

  it('a standby’s 307 to the active node (another origin) works, through three hops at most', async () => {
    const active = await vault();
    const token = active.createToken({ policies: [] });
    const standbys = [await vault(), await vault(), await vault()];
    standbys[0]!.setStandby(active.url);
    standbys[1]!.setStandby(standbys[0]!.url);
    standbys[2]!.setStandby(standbys[1]!.url);
    expect(new URL(standbys[0]!.url).origin).not.toBe(new URL(active.url).origin);

    const one = new VaultClient({ address: standbys[0]!.url, token });
    expect((await one.read('auth/token/lookup-self', lookup)).data.id).toBe(token);
    expect(active.requests.at(-1)!.headers['x-vault-token']).toBe(token);

    const three = new VaultClient({ address: standbys[2]!.url, token });
    expect((await three.read('auth/token/lookup-self', lookup)).data.id).toBe(token);
    // POST keeps its method and body across the hops.
    const caps = await new VaultClient({
      address: standbys[2]!.url,
      token: active.rootToken,
    }).write('sys/capabilities-self', { paths: ['a/b'] }, z.unknown());
    expect(caps.data).toMatchObject({ 'a/b': ['root'] });
    expect(active.requests.at(-1)!.body).toBe('{"paths":["a/b"]}');
  });

  it('a redirect loop is refused after three redirects, in words', async () => {
    const loop = await serve('http', (req, res) => {
      res.writeHead(307, { Location: req.url! });
      res.end();
    });
    const error = await failure(
      new VaultClient({ address: loop.url, token: 'hvs.loop' }).read('sys/mounts', lookup),
    );
    expect([error.kind, error.message]).toEqual([
      'standby',
      `Vault at ${loop.url} redirected more than 3 times for sys/mounts (a redirect loop?); refused`,
    ]);
    // The first request and three redirects followed; the fourth redirect is not.
    expect(loop.seen).toHaveLength(4);
  });

  it('a redirect from https to http is refused, in words, and the token never goes in clear', async () => {
    const plain = await serve('http', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
    const secure = await serve(
      'https',
      (req, res) => {
        res.writeHead(307, { Location: `${plain.url}${req.url}` });
        res.end();
      },
      certs,
    );
    const client = new VaultClient({
      address: secure.url,
      token: 'hvs.secret',
      tls: { caFile: certs.caFile },
    });
    const error = await failure(client.read('auth/token/lookup-self', lookup));
    expect([error.kind, error.message]).toEqual([
      'tls',
      `Vault at ${secure.url} redirected to ${plain.url} without TLS; refused`,
    ]);
    expect(secure.seen).toHaveLength(1);
    expect(plain.seen).toHaveLength(0);
  });

  it('a redirect without a Location, or to another scheme, is refused', async () => {
    const nowhere = await serve('http', (_req, res) => {
      res.writeHead(302);
      res.end();
    });
    expect(
      (await failure(new VaultClient({ address: nowhere.url }).read('sys/mounts', lookup))).message,
    ).toBe(`Vault at ${nowhere.url} redirected sys/mounts without saying where to`);
    const ftp = await serve('http', (_req, res) => {
      res.writeHead(301, { Location: 'ftp://127.0.0.1/x' });
      res.end();
    });
    expect(
      (await failure(new VaultClient({ address: ftp.url }).read('sys/mounts', lookup))).kind,
    ).toBe('malformed_response');
  });
});
