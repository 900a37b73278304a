import { z } from '../../shared/zod.js';
import type { Clock } from '../ports.js';
import type { VaultClient } from './client.js';
import { VaultError } from './errors.js';
import { BindingError, vaultPath } from './vault-path.js';

/** One AWS profile fed by one Vault role (docs/architecture.md, "The nouns"). */
export interface ProfileBinding {
  profile: string;
  /** The AWS secrets engine's mount path, e.g. `aws`. */
  mount: string;
  role: string;
  /** `creds` reads with GET; `sts` writes with POST (and needs the `update` capability). */
  endpoint: 'creds' | 'sts';
  /** Requested lifetime in seconds; Vault's role default when absent. */
  ttlSeconds?: number;
  roleArn?: string;
  roleSessionName?: string;
  region?: string;
}

/** Short-lived credentials as the app keeps them (docs/architecture.md, "The nouns"). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Local-clock instant (ms) at which the credentials expire. */
  expiresAt: number;
  /** The lifetime Vault granted, in seconds (it may cap what was asked). */
  grantedTtlSeconds: number;
  arn?: string;
}

export interface CredentialsRead {
  credentials: AwsCredentials;
  warnings: string[];
  /** Local clock minus Vault's `Date` header (ms); positive when this machine is ahead. */
  clockSkewMs?: number;
}

/** AWS STS refuses durations under 900 s; asking Vault for less only fails there. */
export const MIN_STS_TTL_SECONDS = 900;

// Every version's shape: security_token (≤1.15, and beside session_token in 1.16+),
// session_token (1.16+), ttl (1.13+), arn (assumed_role only); iam_user sends null tokens.
const credsData = z.object({
  access_key: z.string().min(1),
  secret_key: z.string().min(1),
  security_token: z.string().nullable().optional(),
  session_token: z.string().nullable().optional(),
  ttl: z.number().int().nonnegative().optional(),
  arn: z.string().optional(),
});

export { BindingError } from './vault-path.js';

/** Refuses a binding AWS or the app would refuse anyway, before asking Vault. */
export function checkBinding(binding: ProfileBinding): void {
  if (binding.ttlSeconds !== undefined && binding.ttlSeconds < MIN_STS_TTL_SECONDS) {
    throw new BindingError(
      `profile ${binding.profile}: a TTL of ${binding.ttlSeconds} s is under AWS's minimum of 15 minutes (900 s)`,
    );
  }
}

/**
 * Reads fresh credentials for a binding: `GET <mount>/creds/<role>` or `POST <mount>/sts/<role>`.
 * The expiry is measured from Vault's answer (its `ttl`, or the lease when `ttl` is missing), on
 * the local clock, and the skew between the two clocks is reported.
 */
export async function readAwsCredentials(
  client: VaultClient,
  binding: ProfileBinding,
  clock: Clock,
): Promise<CredentialsRead> {
  checkBinding(binding);
  const params: Record<string, string> = {};
  if (binding.ttlSeconds !== undefined) params.ttl = `${binding.ttlSeconds}s`;
  if (binding.roleArn) params.role_arn = binding.roleArn;
  if (binding.roleSessionName) params.role_session_name = binding.roleSessionName;
  const path = vaultPath(binding.mount, binding.endpoint, binding.role);
  const response =
    binding.endpoint === 'creds'
      ? await client.read(path, credsData, params)
      : await client.write(path, params, credsData);
  const now = clock.now();
  const { data, envelope } = response;
  const sessionToken = data.session_token ?? data.security_token;
  if (!sessionToken) {
    // An iam_user role: long-lived keys of a user Vault just created. Not what this app writes.
    throw new VaultError(
      'bad_request',
      `Vault role ${binding.role} at ${binding.mount}/ hands out long-lived IAM user keys (credential_type iam_user); ` +
        'vault-aws-tray writes only short-lived STS credentials: ask your Vault admin for an assumed_role role',
      { path },
    );
  }
  // 1.13.0–1.13.1 sent no lease (lease_duration 0) but did send data.ttl.
  const ttl = data.ttl ?? envelope.lease_duration;
  if (!ttl) {
    throw new VaultError(
      'malformed_response',
      `Vault did not say how long the credentials for ${binding.profile} last`,
      { path },
    );
  }
  return {
    credentials: {
      accessKeyId: data.access_key,
      secretAccessKey: data.secret_key,
      sessionToken,
      expiresAt: now + ttl * 1000,
      grantedTtlSeconds: ttl,
      arn: data.arn,
    },
    warnings: response.warnings,
    clockSkewMs: response.serverDate === undefined ? undefined : now - response.serverDate,
  };
}
