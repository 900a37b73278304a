import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../support/fake-clock.js';
import { VaultEmulator } from '../support/vault/index.js';
import { cliHarness } from './cli-harness.js';

describe('login at an address that is not the Vault expected: the message says so', () => {
  const clock = new FakeClock();
  let vault: VaultEmulator;
  let web: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    vault = await VaultEmulator.start({ clock });
    // An nginx-like site: a 403 page for everything it does not serve.
    const server = createServer((_req, res) => {
      res.writeHead(403, { 'Content-Type': 'text/html', Server: 'nginx' });
      res.end('<html><head><title>403 Forbidden</title></head><body>403 Forbidden</body></html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    web = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () =>
        new Promise((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    };
  });
  afterAll(async () => {
    await Promise.all([vault.stop(), web.close()]);
  });

  it('a web server’s 403 is not "does not accept this token"', async () => {
    const result = await cliHarness({ clock }).run(
      ['login', '--method', 'token', '--addr', web.url],
      { env: { VAULT_TOKEN: vault.rootToken } },
    );
    expect([result.code, result.stderr]).toEqual([
      1,
      `vault-aws-tray: the server at ${web.url} does not answer like Vault (HTTP 403 for auth/token/lookup-self); check the URL\n`,
    ]);
  });

  it('https:// at a plain-HTTP Vault: it does not speak TLS, try http://', async () => {
    const https = vault.url.replace(/^http:/, 'https:');
    const result = await cliHarness({ clock }).run(
      ['login', '--method', 'token', '--addr', https],
      { env: { VAULT_TOKEN: vault.rootToken } },
    );
    expect([result.code, result.stderr]).toEqual([
      1,
      `vault-aws-tray: Vault at ${https} does not speak TLS: try ${vault.url}\n`,
    ]);
  });
});
