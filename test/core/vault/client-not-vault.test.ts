import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { VaultClient } from '../../../src/core/vault/client.js';
import { VaultError } from '../../../src/core/vault/errors.js';
import { z } from '../../../src/shared/zod.js';
import { AwsBackend, VaultEmulator } from '../../support/vault/index.js';

const lookup = z.object({ id: z.string() });
const closers: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
});

/** A web server that is not Vault: every path answers the same status and body. */
async function webServer(status: number, body: string, contentType: string): Promise<string> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(status, { 'Content-Type': contentType, Server: 'nginx/1.27.0' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const NGINX_404 =
  '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

async function failure(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VaultError);
  return error as VaultError;
}

describe('VaultClient says what is wrong when the server is not the Vault it expects', () => {
  it('https:// against a plain-HTTP Vault: it does not speak TLS, not an untrusted certificate', async () => {
    const vault = await VaultEmulator.start();
    closers.push(() => vault.stop());
    expect(vault.url).toMatch(/^http:\/\//);
    const https = vault.url.replace(/^http:/, 'https:');
    const client = new VaultClient({ address: https, token: vault.rootToken });
    for (const attempt of [client.health(), client.read('auth/token/lookup-self', lookup)]) {
      const error = await failure(attempt);
      expect([error.kind, error.message]).toEqual([
        'tls',
        `Vault at ${https} does not speak TLS: try ${vault.url}`,
      ]);
    }
  });

  it.each([
    ['nginx’s HTML 404', 404, NGINX_404, 'text/html'],
    ['an HTML page with 200', 200, '<!doctype html><title>Welcome</title>', 'text/html'],
    ['an HTML 403', 403, '<html><body>403 Forbidden</body></html>', 'text/html'],
    ['JSON without Vault’s envelope', 200, '{"status":"ok"}', 'application/json'],
    ['a JSON 404 without Vault’s errors', 404, '{"message":"Not Found"}', 'application/json'],
    ['a JSON 401 without Vault’s errors', 401, '{"error":"unauthorized"}', 'application/json'],
  ])(
    '%s: the server does not answer like Vault (check the URL)',
    async (_name, status, body, type) => {
      const url = await webServer(status, body, type);
      const client = new VaultClient({ address: url, token: 'hvs.whatever' });
      const health = await failure(client.health());
      expect([health.kind, health.message]).toEqual([
        'malformed_response',
        `the server at ${url} does not answer like Vault (HTTP ${status} for sys/health); check the URL`,
      ]);
      const read = await failure(client.read('auth/token/lookup-self', lookup));
      expect([read.kind, read.message]).toEqual([
        'malformed_response',
        `the server at ${url} does not answer like Vault (HTTP ${status} for auth/token/lookup-self); check the URL`,
      ]);
    },
  );

  it('a proxy’s 502 page in front of Vault is still an outage, not a wrong address', async () => {
    const url = await webServer(502, '<html>502 Bad Gateway</html>', 'text/html');
    const error = await failure(new VaultClient({ address: url }).read('sys/mounts', lookup));
    expect([error.kind, error.message]).toEqual([
      'server_error',
      `Vault at ${url} failed with HTTP 502`,
    ]);
  });

  it('Vault’s own answers keep their kinds: a 403, an empty list, a sealed health', async () => {
    const vault = await VaultEmulator.start();
    closers.push(() => vault.stop());
    const denied = await failure(
      new VaultClient({ address: vault.url, token: vault.createToken({ policies: [] }) }).read(
        'aws/creds/x',
        lookup,
      ),
    );
    expect(denied.kind).toBe('permission_denied');
    vault.mount('aws', new AwsBackend(vault));
    expect(
      await new VaultClient({ address: vault.url, token: vault.rootToken }).list('aws/roles'),
    ).toEqual([]);
    vault.seal();
    expect((await new VaultClient({ address: vault.url }).health()).sealed).toBe(true);
  });
});
