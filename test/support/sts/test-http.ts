/**
 * Test helpers: send exact HTTP requests, sign them with @smithy/signature-v4 (an independent
 * signer), and read values out of the XML answers.
 */
import { request, type IncomingHttpHeaders } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsKeys } from './index.js';

export interface RawRequest {
  method?: string;
  /** Path plus query string, already encoded. */
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Sends exactly these headers (Node adds only Content-Length and Connection, both unsigned). */
export function send(baseUrl: string, raw: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${baseUrl}${raw.path ?? '/'}`,
      { method: raw.method ?? 'POST', headers: raw.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(raw.body);
  });
}

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded; charset=utf-8';

export function queryString(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

export interface SmithySignOptions {
  method?: 'GET' | 'POST';
  body?: string;
  query?: Record<string, string>;
  service?: 'sts' | 'iam';
  region?: string;
  signingDate?: Date;
  /** Presign for this many seconds instead of adding an Authorization header. */
  presignSeconds?: number;
}

function signer(
  keys: Pick<AwsKeys, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>,
  options: SmithySignOptions,
) {
  return new SignatureV4({
    credentials: keys,
    region: options.region ?? 'eu-west-1',
    service: options.service ?? 'sts',
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: false,
  });
}

/** A request for `baseUrl` signed by @smithy/signature-v4, ready for {@link send}. */
export async function smithySigned(
  baseUrl: string,
  keys: Pick<AwsKeys, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>,
  options: SmithySignOptions = {},
): Promise<RawRequest> {
  const url = new URL(baseUrl);
  const method = options.method ?? 'POST';
  const unsigned = new HttpRequest({
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: '/',
    query: options.query,
    headers: {
      host: url.host,
      ...(method === 'POST' ? { 'content-type': FORM_CONTENT_TYPE } : {}),
    },
    body: options.body,
  });
  const signed =
    options.presignSeconds === undefined
      ? await signer(keys, options).sign(unsigned, { signingDate: options.signingDate })
      : await signer(keys, options).presign(unsigned, {
          signingDate: options.signingDate,
          expiresIn: options.presignSeconds,
        });
  const query = queryString(signed.query as Record<string, string>);
  return {
    method,
    path: query ? `/?${query}` : '/',
    headers: signed.headers,
    body: options.body,
  };
}

/** The text of the first `<tag>` element, unescaped. */
export function xmlText(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return match?.[1]
    ?.replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
