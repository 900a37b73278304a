/**
 * The AWS console signed in as a profile's role, as AWS's custom identity broker does it
 * (docs/console.md): the profile's temporary credentials are exchanged at the federation
 * endpoint of the region's partition for a sign-in token, which goes into a login URL. That URL
 * is a bearer credential for 15 minutes: nothing here logs it.
 */
import { httpExchange } from '../vault/http-exchange.js';
import { agentsFor } from '../vault/transport.js';
import type { HandedOutCredentials } from './credential-output.js';

interface Partition {
  /** Regions whose names start with this belong to it ('' for the commercial partition). */
  prefix: string;
  federation: string;
  consoleHost: string;
}

/** By region prefix; the first that matches wins, so the commercial partition comes last. */
const PARTITIONS: readonly Partition[] = [
  {
    prefix: 'cn-',
    federation: 'https://signin.amazonaws.cn/federation',
    consoleHost: 'console.amazonaws.cn',
  },
  {
    prefix: 'us-gov-',
    federation: 'https://signin.amazonaws-us-gov.com/federation',
    consoleHost: 'console.amazonaws-us-gov.com',
  },
  {
    prefix: '',
    federation: 'https://signin.aws.amazon.com/federation',
    consoleHost: 'console.aws.amazon.com',
  },
];

export function partitionOf(region: string | undefined): Partition {
  return PARTITIONS.find((p) => (region ?? '').startsWith(p.prefix))!;
}

/** Every federation endpoint the app may send a browser to (the open-external allowlist). */
export const FEDERATION_ENDPOINTS: readonly string[] = PARTITIONS.map((p) => p.federation);

/** A console refused by the federation endpoint, or one it could not reach: said in words. */
export class ConsoleSignInError extends Error {
  override readonly name = 'ConsoleSignInError';
}

/**
 * Where the console opens: a full console URL as given, or a service path (`s3`, `ec2/home`) on
 * the region's console host; the console's home page when neither is given.
 */
export function consoleDestination(region: string | undefined, destination?: string): string {
  if (destination && /^https:\/\//.test(destination)) return destination;
  const host = partitionOf(region).consoleHost;
  const path = (destination ?? 'console/home').replace(/^\/+/, '');
  const base = region ? `https://${region}.${host}` : `https://${host}`;
  const url = new URL(`${base}/${path.includes('/') ? path : `${path}/home`}`);
  if (region) url.searchParams.set('region', region);
  return url.href;
}

export interface ConsoleRequest {
  credentials: HandedOutCredentials;
  region?: string;
  destination?: string;
  /** The federation endpoint: VAULT_AWS_TRAY_FEDERATION_URL, else the partition's. */
  federationUrl: string;
  /** Proxies (HTTPS_PROXY / NO_PROXY, or the settings' proxy), as Vault is reached. */
  env: Record<string, string | undefined>;
  /** The name the console shows as the sign-in's issuer. */
  issuer: string;
  timeoutMs?: number;
}

/** The federation endpoint for `region`, unless `override` names another (a private endpoint). */
export function federationUrlFor(region: string | undefined, override: string | undefined) {
  return override || partitionOf(region).federation;
}

/** Why the federation endpoint said no, in words a user can act on. */
function refusal(status: number, body: string, federationUrl: string): ConsoleSignInError {
  const host = new URL(federationUrl).host;
  const said = body
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
  const why =
    status === 400 || status === 401 || status === 403
      ? 'it does not accept these credentials for the console (expired, revoked, or of a kind it cannot sign in, such as IAM user keys)'
      : `it answered HTTP ${status}`;
  return new ConsoleSignInError(
    `the AWS sign-in endpoint ${host} refused the console sign-in: ${why}${said ? ` (${said})` : ''}`,
  );
}

/**
 * The console's login URL for these credentials. `SessionDuration` is never sent: the console
 * session of role credentials is tied to the role session, and AWS refuses it for some of them.
 */
export async function consoleSignInUrl(request: ConsoleRequest): Promise<string> {
  const { credentials, federationUrl } = request;
  const session = JSON.stringify({
    sessionId: credentials.accessKeyId,
    sessionKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
  });
  const tokenUrl = new URL(federationUrl);
  tokenUrl.searchParams.set('Action', 'getSigninToken');
  tokenUrl.searchParams.set('Session', session);
  const exchange = httpExchange(
    agentsFor(federationUrl, { trustSystem: true }, request.env),
    request.timeoutMs ?? 30_000,
  );
  let reply;
  try {
    reply = await exchange({
      method: 'GET',
      url: tokenUrl,
      headers: { Accept: 'application/json' },
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConsoleSignInError(
      `cannot reach the AWS sign-in endpoint ${tokenUrl.host} (${code})`,
    );
  }
  let token: unknown;
  try {
    token = (JSON.parse(reply.data) as { SigninToken?: unknown }).SigninToken;
  } catch {
    token = undefined;
  }
  if (reply.status !== 200 || typeof token !== 'string' || !token)
    throw refusal(reply.status, reply.data, federationUrl);
  const login = new URL(federationUrl);
  login.searchParams.set('Action', 'login');
  login.searchParams.set('Issuer', request.issuer);
  login.searchParams.set('Destination', consoleDestination(request.region, request.destination));
  login.searchParams.set('SigninToken', token);
  return login.href;
}
