import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { AwsError } from './errors.js';
import {
  canonicalRequest,
  expectedSignature,
  parseAuth,
  sha256Hex,
  signingKey,
  verifyRequest,
  type ReceivedRequest,
} from './sigv4.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

function request(
  parts: Omit<Partial<ReceivedRequest>, 'headers'> & { headers: Record<string, string | string[]> },
): ReceivedRequest {
  return {
    method: 'GET',
    path: '/',
    query: [],
    body: Buffer.alloc(0),
    ...parts,
    headers: new Map(
      Object.entries(parts.headers).map(([k, v]) => [k, typeof v === 'string' ? [v] : v]),
    ),
  };
}

/** The request as the server would receive it after @smithy/signature-v4 signed it. */
async function signedBySmithy(init: {
  path: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string;
}): Promise<ReceivedRequest> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET },
    region: 'eu-west-1',
    service: 'sts',
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: false,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      hostname: 'sts.local',
      path: init.path,
      query: init.query,
      headers: { host: 'sts.local:8080', ...init.headers },
      body: init.body,
    }),
    { signingDate: new Date(Date.UTC(2026, 10, 28, 9, 30)) },
  );
  return request({
    method: 'POST',
    path: init.path,
    query: Object.entries(signed.query ?? {}).flatMap(([k, v]) =>
      (Array.isArray(v) ? v : [v ?? '']).map((value): [string, string] => [k, value]),
    ),
    headers: signed.headers,
    body: Buffer.from(init.body ?? ''),
  });
}

/** `message` may be a string or an asymmetric matcher such as expect.stringContaining. */
function expectAwsError(fn: () => unknown, code: string, message: unknown) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AwsError);
    expect(error).toMatchObject({ code, message });
    return;
  }
  expect.fail(`expected ${code}`);
}

describe('SigV4 primitives', () => {
  // The worked example in the AWS General Reference ("Create a signed AWS API request", IAM ListUsers).
  it('reproduces the AWS documentation example', () => {
    const req = request({
      query: [
        ['Action', 'ListUsers'],
        ['Version', '2010-05-08'],
      ],
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        host: 'iam.amazonaws.com',
        'x-amz-date': '20150830T123600Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
      },
    });
    const auth = parseAuth(req, ['iam'])!;
    expect(sha256Hex(canonicalRequest(req, auth))).toBe(
      'f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59',
    );
    expect(signingKey(SECRET, '20150830', 'us-east-1', 'iam').toString('hex')).toBe(
      'c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9',
    );
    expect(expectedSignature(req, auth, SECRET)).toBe(auth.signature);
    expect(
      verifyRequest(req, auth, { secretAccessKey: SECRET }, Date.UTC(2015, 7, 30, 12, 40)),
    ).toEqual({
      secretAccessKey: SECRET,
    });
  });

  it('trims header values, collapses whitespace and joins repeated headers with ","', () => {
    const req = request({
      headers: {
        host: 'h:1',
        'x-amz-date': '20261128T093000Z',
        'x-a': ['  one   two\t three  ', ' 2 '],
        authorization:
          'AWS4-HMAC-SHA256 Credential=K/20261128/r/sts/aws4_request, SignedHeaders=host;x-a;x-amz-date, Signature=00',
      },
    });
    expect(
      canonicalRequest(req, parseAuth(req, ['sts'])!)
        .split('\n')
        .slice(3, 7),
    ).toEqual(['host:h:1', 'x-a:one two three,2', 'x-amz-date:20261128T093000Z', '']);
  });

  it.each<{
    name: string;
    path: string;
    query: Record<string, string | string[]>;
    headers?: Record<string, string>;
    body?: string;
  }>([
    {
      name: 'an awkward query',
      path: '/',
      query: { Action: 'GetCallerIdentity', b: ['z', 'a b', 'é*~+/='], a: '', 'k y': 'v&w' },
    },
    { name: 'a non-root path', path: '/one%20two/./x/../three/', query: {} },
    {
      name: 'padded header values and a body',
      path: '/',
      query: {},
      headers: { 'x-amz-meta': '  a   b  ' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    },
  ])('agrees with @smithy/signature-v4 on $name', async ({ path, query, headers, body }) => {
    const req = await signedBySmithy({ path, query, headers, body });
    const auth = parseAuth(req, ['sts'])!;
    expect(() =>
      verifyRequest(req, auth, { secretAccessKey: SECRET }, Date.UTC(2026, 10, 28, 9, 30)),
    ).not.toThrow();
    expect(() =>
      verifyRequest(
        { ...req, body: Buffer.from(`${body ?? ''}x`) },
        auth,
        { secretAccessKey: SECRET },
        Date.UTC(2026, 10, 28, 9, 30),
      ),
    ).toThrow(AwsError);
  });
});

describe('parseAuth', () => {
  const base = { host: 'h', 'x-amz-date': '20261128T093000Z' };
  const withAuthorization = (authorization: string, headers: Record<string, string> = base) =>
    request({ headers: { ...headers, authorization } });

  it('finds no authentication in a bare request', () => {
    expect(parseAuth(request({ headers: { host: 'h' } }), ['sts'])).toBeUndefined();
  });

  it('names every missing part of the Authorization header', () => {
    const header = 'AWS4-HMAC-SHA256 Credential=K/20261128/r/sts/aws4_request';
    expectAwsError(
      () => parseAuth(withAuthorization(header, { host: 'h' }), ['sts']),
      'IncompleteSignature',
      `Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${header}`,
    );
  });

  it.each([
    [
      'AWS4-HMAC-SHA512 Credential=K/20261128/r/sts/aws4_request, SignedHeaders=host, Signature=0',
      'IncompleteSignature',
      "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'",
    ],
    [
      'AWS4-HMAC-SHA256 Credential=K/20261128/sts/aws4_request, SignedHeaders=host, Signature=0',
      'IncompleteSignature',
      "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'K/20261128/sts/aws4_request'",
    ],
    [
      'AWS4-HMAC-SHA256 Credential=K/20261128/r/sts/aws5_request, SignedHeaders=host, Signature=0',
      'SignatureDoesNotMatch',
      "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. ",
    ],
    [
      'AWS4-HMAC-SHA256 Credential=K/20261128/r/s3/aws4_request, SignedHeaders=host, Signature=0',
      'SignatureDoesNotMatch',
      "Credential should be scoped to correct service: 'sts'. ",
    ],
  ])('rejects %s', (header, code, message) => {
    expectAwsError(() => parseAuth(withAuthorization(header), ['sts', 'iam']), code, message);
  });

  it('rejects an X-Amz-Date that is not ISO 8601 basic format', () => {
    const header =
      'AWS4-HMAC-SHA256 Credential=K/20261128/r/sts/aws4_request, SignedHeaders=host, Signature=0';
    expectAwsError(
      () =>
        parseAuth(withAuthorization(header, { host: 'h', 'x-amz-date': '2026-11-28T09:30:00Z' }), [
          'sts',
        ]),
      'IncompleteSignature',
      "Date must be in ISO-8601 'basic format'. Got '2026-11-28T09:30:00Z'. See http://en.wikipedia.org/wiki/ISO_8601",
    );
  });

  it('falls back to the Date header, which must then be signed', () => {
    const header =
      'AWS4-HMAC-SHA256 Credential=K/20261128/r/sts/aws4_request, SignedHeaders=host, Signature=0';
    const req = withAuthorization(header, { host: 'h', date: 'Sat, 28 Nov 2026 09:30:00 GMT' });
    const auth = parseAuth(req, ['sts'])!;
    expect(auth).toMatchObject({ amzDate: '20261128T093000Z', dateHeader: 'date' });
    expectAwsError(
      () => verifyRequest(req, auth, { secretAccessKey: SECRET }, Date.UTC(2026, 10, 28, 9, 30)),
      'IncompleteSignature',
      "'Date' must be a 'SignedHeader' in the AWS Authorization.",
    );
  });

  it('requires the scope date to be the request date', async () => {
    const req = await signedBySmithy({ path: '/' });
    req.headers.set('x-amz-date', ['20261129T093000Z']);
    expectAwsError(
      () =>
        verifyRequest(
          req,
          parseAuth(req, ['sts'])!,
          { secretAccessKey: SECRET },
          Date.UTC(2026, 10, 29, 9, 30),
        ),
      'SignatureDoesNotMatch',
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261128' != '20261129', from '20261129T093000Z'.",
    );
  });

  it('rejects SignedHeaders that are not lower-case and sorted', async () => {
    const req = await signedBySmithy({ path: '/' });
    const authorization = req.headers
      .get('authorization')![0]!
      .replace('SignedHeaders=host;x-amz-date', 'SignedHeaders=x-amz-date;host');
    req.headers.set('authorization', [authorization]);
    expectAwsError(
      () =>
        verifyRequest(
          req,
          parseAuth(req, ['sts'])!,
          { secretAccessKey: SECRET },
          Date.UTC(2026, 10, 28, 9, 30),
        ),
      'SignatureDoesNotMatch',
      expect.stringContaining('The request signature we calculated'),
    );
  });

  it('reads presigned query parameters and bounds X-Amz-Expires', () => {
    const query = (expires: string): Array<[string, string]> => [
      ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
      ['X-Amz-Credential', 'K/20261128/r/sts/aws4_request'],
      ['X-Amz-Date', '20261128T093000Z'],
      ['X-Amz-Expires', expires],
      ['X-Amz-SignedHeaders', 'host'],
      ['X-Amz-Security-Token', 'tok'],
      ['X-Amz-Signature', 'ab'],
    ];
    expect(
      parseAuth(request({ query: query('60'), headers: { host: 'h' } }), ['sts']),
    ).toMatchObject({
      via: 'query',
      accessKeyId: 'K',
      expiresSeconds: 60,
      securityToken: 'tok',
    });
    expectAwsError(
      () => parseAuth(request({ query: query('604801'), headers: { host: 'h' } }), ['sts']),
      'IncompleteSignature',
      'X-Amz-Expires must be less than a week (in seconds) that is 604800',
    );
    expectAwsError(
      () =>
        parseAuth(
          request({
            query: query('60').filter(([k]) => k !== 'X-Amz-Date'),
            headers: { host: 'h' },
          }),
          ['sts'],
        ),
      'IncompleteSignature',
      "AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters.",
    );
  });
});
