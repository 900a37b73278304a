/**
 * The Vault versions the emulator can answer as. Behaviour that changed between releases is
 * switched on the version (docs/test-stack.md), so the same tests can run against every shape.
 */
export const VAULT_VERSIONS = ['1.13.0', '1.15.6', '1.16.3', '1.20.0'] as const;
export type VaultVersion = (typeof VAULT_VERSIONS)[number] | `${number}.${number}.${number}`;

function parts(version: string): number[] {
  return version.split('.').map((p) => Number.parseInt(p, 10));
}

/** True when `version` is at least `min` ("1.16.0"). */
export function atLeast(version: string, min: string): boolean {
  const a = parts(version);
  const b = parts(min);
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

export interface VersionTraits {
  /** STS responses carry `session_token` (and the `session_token` credential type exists). */
  sessionTokenField: boolean;
  /** STS secrets have no lease (1.13.0–1.13.1 only). */
  stsWithoutLease: boolean;
  /** A bad token answers "permission denied" plus "invalid token". */
  invalidTokenError: boolean;
  /** Role reads show `session_tags` and `external_id`. */
  roleSessionTags: boolean;
  /** Role reads show `mfa_serial_number`. */
  roleMfaSerial: boolean;
  /** The AWS engine pings STS with GetCallerIdentity before first use. */
  stsPing: boolean;
  /** sys/health has echo_duration_ms, clock_skew_ms and replication_primary_canary_age_ms. */
  healthClockFields: boolean;
  /** sys/health knows the removed (530) and HA-unhealthy (474) states. */
  healthRaftCodes: boolean;
}

export function traitsOf(version: string): VersionTraits {
  const is1130 = /^1\.13\.[01]$/.test(version);
  return {
    sessionTokenField: atLeast(version, '1.16.0'),
    stsWithoutLease: is1130,
    invalidTokenError: atLeast(version, '1.17.0'),
    roleSessionTags: atLeast(version, '1.17.2'),
    roleMfaSerial: atLeast(version, '1.16.0'),
    stsPing: atLeast(version, '1.19.0'),
    healthClockFields: atLeast(version, '1.17.0'),
    healthRaftCodes: atLeast(version, '1.19.0'),
  };
}
