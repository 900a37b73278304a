import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * The AWS side of Vault's AWS secrets engine: query-protocol calls to STS and IAM, signed with
 * SigV4 using the engine's root keys, as Vault does through the AWS SDK with `sts_endpoint`.
 */

export class AwsApiError extends Error {
  constructor(
    readonly code: string,
    readonly awsMessage: string,
    readonly status: number,
    readonly requestId: string,
  ) {
    super(`${code}: ${awsMessage}`);
  }

  /** aws-sdk-go v1's `awserr.RequestFailure` text, which Vault puts in its error responses. */
  goString(): string {
    return `${this.code}: ${this.awsMessage}\n\tstatus code: ${this.status}, request id: ${this.requestId}`;
  }

  /** The codes `awsutil.CheckAWSError` treats as throttling. */
  isThrottling(): boolean {
    return [
      'Throttling',
      'ThrottlingException',
      'RequestLimitExceeded',
      'TooManyRequestsException',
    ].includes(this.code);
  }
}

export interface AwsCall {
  endpoint: string;
  region: string;
  service: 'sts' | 'iam';
  accessKeyId: string;
  secretAccessKey: string;
  action: string;
  params: Record<string, string | number | undefined>;
  /** Vault signs with its own clock. */
  now: number;
}

const API_VERSION = { sts: '2011-06-15', iam: '2010-05-08' } as const;

/** Makes one signed call and returns the response XML, or throws AwsApiError / a network error. */
export async function callAws(call: AwsCall): Promise<string> {
  const url = new URL(call.endpoint);
  const body = new URLSearchParams({ Action: call.action, Version: API_VERSION[call.service] });
  for (const [k, v] of Object.entries(call.params)) if (v !== undefined) body.set(k, String(v));
  const request = new HttpRequest({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname || '/',
    headers: {
      host: url.host,
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    },
    body: body.toString(),
  });
  const signer = new SignatureV4({
    credentials: { accessKeyId: call.accessKeyId, secretAccessKey: call.secretAccessKey },
    region: call.region,
    service: call.service,
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: false,
  });
  const signed = await signer.sign(request, { signingDate: new Date(call.now) });
  const { status, text: xml } = await post(url, signed.headers, signed.body as string);
  if (status >= 400) {
    throw new AwsApiError(
      xmlValue(xml, 'Code') ?? 'UnknownError',
      xmlValue(xml, 'Message') ?? xml.slice(0, 200),
      status,
      xmlValue(xml, 'RequestId') ?? '',
    );
  }
  return xml;
}

// node:http rather than fetch: fetch would not send the signed Host header as given.
function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; text: string }> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.end(body);
  });
}

/** The text of the first `<tag>` in an AWS XML response, unescaped. */
export function xmlValue(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  if (!m) return undefined;
  return m[1]!
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
