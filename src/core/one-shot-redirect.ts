import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OneShotRedirect {
  /** The loopback address to hand to the browser instead of the target itself. */
  url: string;
  /** Resolves once the browser has been redirected (true), or the wait ran out (false). */
  done: Promise<boolean>;
  close(): void;
}

/**
 * A loopback address that redirects once to `target`, then closes. A process's arguments are
 * readable by every local user, so a bearer URL (the console's sign-in URL is good for 15
 * minutes) is never put on a browser's command line: the browser gets this instead, on
 * 127.0.0.1 with a random path, and anything but that path is answered 404.
 */
export async function oneShotRedirect(
  target: string,
  options: { timeoutMs?: number } = {},
): Promise<OneShotRedirect> {
  const path = `/${randomBytes(24).toString('base64url')}`;
  let finish: (served: boolean) => void = () => undefined;
  const done = new Promise<boolean>((resolve) => (finish = resolve));
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== path) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found\n');
      return;
    }
    res.writeHead(302, {
      Location: target,
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
    });
    res.end(() => close(true));
  });
  const close = (served: boolean) => {
    clearTimeout(timer);
    server.close();
    server.closeAllConnections();
    finish(served);
  };
  const timer = setTimeout(() => close(false), options.timeoutMs ?? 2 * 60_000);
  timer.unref();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}${path}`, done, close: () => close(false) };
}
