import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CallbackRequest {
  method: string;
  url: URL;
  /** Parsed body of a POST (response_mode=form_post). */
  form?: URLSearchParams;
}

export const CALLBACK_PAGE = 'Signed in. You can close this window.';

/**
 * A stand-in for a client's loopback redirect URI listener (the app's, or `vault login`'s): answers
 * requests on `path` with a small page and remembers them; anything else (a browser's favicon
 * request) gets a 404 and is not recorded.
 */
export class CallbackListener {
  readonly requests: CallbackRequest[] = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
    readonly path: string,
  ) {}

  static async start(path = '/callback'): Promise<CallbackListener> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const listener = new CallbackListener(server, (server.address() as AddressInfo).port, path);
    server.on('request', (req, res) => {
      void listener.record(req).then((recorded) => {
        res.writeHead(recorded ? 200 : 404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(recorded ? CALLBACK_PAGE : 'not found');
      });
    });
    return listener;
  }

  /** The redirect URI to register/send, e.g. http://127.0.0.1:41234/callback. */
  redirectUri(host: '127.0.0.1' | 'localhost' = '127.0.0.1'): string {
    return `http://${host}:${this.port}${this.path}`;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async record(req: IncomingMessage): Promise<boolean> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    let body = '';
    for await (const chunk of req) body += String(chunk);
    if (url.pathname !== this.path) return false;
    const method = req.method ?? 'GET';
    this.requests.push({
      method,
      url,
      ...(method === 'POST' && { form: new URLSearchParams(body) }),
    });
    return true;
  }
}
