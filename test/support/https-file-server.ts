import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestCertificates } from './tls.js';

/**
 * One file over https on loopback, with a certificate of test/support/tls.ts (for 127.0.0.1):
 * what a team's web server hands out. `body` is read at each request, so a test can change it.
 */
export async function serveHttpsFile(
  certificates: TestCertificates,
  path: string,
  body: () => string,
): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = createServer(
    { key: readFileSync(certificates.serverKey), cert: readFileSync(certificates.serverCert) },
    (req, res) => {
      requests.push(req.url ?? '');
      if (req.url !== path) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(body());
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
