import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { AddressInfo } from 'node:net';

/** What reached the callback path: the query, or the form of a form_post. */
export interface CallbackRequest {
  method: 'GET' | 'POST';
  params: URLSearchParams;
}

/** The page the browser gets back, and whether the listener is done. */
export interface CallbackAnswer {
  status: number;
  title: string;
  message: string;
  done: boolean;
}

export class ListenerError extends Error {
  override readonly name = 'ListenerError';
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);
const MAX_BODY = 64 * 1024;

export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (LOOPBACK_NAMES.has(host) || LOOPBACK_NAMES.has(bare)) return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A small page for the browser tab: no script, no outside resource, nothing secret. */
function page(answer: CallbackAnswer): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(answer.title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>body{font-family:system-ui,sans-serif;margin:3rem;max-width:40rem}</style></head>
<body><h1>${escapeHtml(answer.title)}</h1><p>${escapeHtml(answer.message)}</p></body></html>`;
}

/**
 * The loopback listener of the OIDC browser flow: serves only `callbackPath`, refuses requests
 * whose Host is not a loopback name (DNS rebinding), hands each callback to `handle` and stops
 * when an answer says it is done. For the host `localhost` it listens on 127.0.0.1 and ::1.
 */
export class LoopbackListener {
  private readonly servers: Server[] = [];
  private handling = false;
  private closing?: Promise<void>;

  private constructor(
    private readonly callbackPath: string,
    private readonly handle: (request: CallbackRequest) => Promise<CallbackAnswer>,
  ) {}

  static async start(options: {
    port: number;
    /** `localhost` means both 127.0.0.1 and ::1; any other address must be a loopback one. */
    listenAddress: string;
    callbackPath: string;
    handle: (request: CallbackRequest) => Promise<CallbackAnswer>;
  }): Promise<LoopbackListener> {
    if (!isLoopback(options.listenAddress)) {
      throw new ListenerError(
        `${options.listenAddress} is not a loopback address; the sign-in listener only listens on this machine`,
      );
    }
    const listener = new LoopbackListener(options.callbackPath, options.handle);
    const addresses =
      options.listenAddress === 'localhost'
        ? ['127.0.0.1', '::1']
        : [options.listenAddress.replace(/^\[|\]$/g, '')];
    try {
      for (const address of addresses) {
        try {
          await listener.listen(address, options.port);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          // A machine without IPv6 has no ::1; 127.0.0.1 is enough then.
          if (address === '::1' && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT')) continue;
          if (code === 'EADDRINUSE') {
            throw new ListenerError(
              `port ${options.port} on ${address} is in use (another sign-in running?); pass --port to use another`,
            );
          }
          throw new ListenerError(
            `cannot listen on ${address}:${options.port}: ${code ?? (error as Error).message}`,
          );
        }
      }
    } catch (error) {
      await listener.close();
      throw error;
    }
    return listener;
  }

  /** The port actually bound (useful when 0 was asked for). */
  get port(): number {
    return (this.servers[0]!.address() as AddressInfo).port;
  }

  /** Stops listening; a page still being sent goes out first (cut after a second at most). */
  close(): Promise<void> {
    this.closing ??= Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeIdleConnections();
            setTimeout(() => server.closeAllConnections(), 1000).unref();
          }),
      ),
    ).then(() => undefined);
    return this.closing;
  }

  private async listen(address: string, port: number): Promise<void> {
    const server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port === 0 && this.servers.length > 0 ? this.port : port, address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.servers.push(server);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reply = (answer: CallbackAnswer) => {
      res.writeHead(answer.status, {
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-store',
      });
      // Closed once the page has gone out, so the browser still gets it.
      if (answer.done) res.once('finish', () => void this.close());
      res.end(page(answer));
    };
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (!isLoopback(host)) {
      return reply({
        status: 403,
        title: 'Refused',
        message: 'This listener answers only to requests for this machine.',
        done: false,
      });
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== this.callbackPath || (req.method !== 'GET' && req.method !== 'POST')) {
      return reply({ status: 404, title: 'Not found', message: 'Nothing here.', done: false });
    }
    let params = url.searchParams;
    if (req.method === 'POST') {
      let body = '';
      for await (const chunk of req) {
        body += String(chunk);
        if (body.length > MAX_BODY)
          return reply({
            status: 413,
            title: 'Too large',
            message: 'The request was too large.',
            done: false,
          });
      }
      params = new URLSearchParams(body);
    }
    // One callback at a time, and none after the one that ended the sign-in.
    if (this.handling) {
      return reply({
        status: 409,
        title: 'Busy',
        message: 'A sign-in is already being completed.',
        done: false,
      });
    }
    this.handling = true;
    try {
      const answer = await this.handle({ method: req.method, params });
      this.handling = answer.done;
      reply(answer);
    } catch (error) {
      this.handling = false;
      reply({
        status: 500,
        title: 'Sign-in failed',
        message: (error as Error).message,
        done: false,
      });
    }
  }
}
