import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Agents } from './transport.js';

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  /** The whole body as text (Vault answers JSON or nothing). */
  data: string;
}

export interface HttpRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

export type HttpExchange = (request: HttpRequest) => Promise<HttpReply>;

/**
 * One request and its whole answer, whatever the status, with node:http(s) on our agents (TLS
 * and proxy as configured). No redirect is followed. `timeoutMs` bounds the whole exchange; when
 * it passes, the request fails with code `ETIMEDOUT`. Plain node:http keeps the daemon small: an
 * HTTP library loads a second HTTP stack (undici) and a MIME database it does not need.
 */
export function httpExchange(agents: Agents, timeoutMs: number): HttpExchange {
  return ({ method, url, headers, body }) =>
    new Promise<HttpReply>((resolve, reject) => {
      const secure = url.protocol === 'https:';
      const send = secure ? httpsRequest : httpRequest;
      const req = send(url, {
        method,
        headers:
          body === undefined ? headers : { ...headers, 'Content-Length': Buffer.byteLength(body) },
        agent: secure ? agents.httpsAgent : agents.httpAgent,
      });
      let failure: Error | undefined;
      const fail = (error: Error) => {
        clearTimeout(timer);
        reject(failure ?? error);
      };
      const timer = setTimeout(() => {
        failure = Object.assign(new Error(`no answer within ${timeoutMs} ms`), {
          code: 'ETIMEDOUT',
        });
        req.destroy(failure);
      }, timeoutMs);
      req.once('error', fail);
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('error', fail);
        res.once('close', () => {
          if (!res.complete)
            return fail(Object.assign(new Error('the answer was cut off'), { code: 'ECONNRESET' }));
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            data: Buffer.concat(chunks).toString('utf8'),
          });
        });
      });
      req.end(body);
    });
}
