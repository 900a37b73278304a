import { describe, expect, it } from 'vitest';
import { humanDuration, parseDurationSecond } from './durations.js';
import { Acl, DEFAULT_POLICY, parsePolicy } from './policy.js';
import { calculateTtl } from './tokens.js';

describe('policy parsing', () => {
  it('reads path blocks with comments', () => {
    const rules = parsePolicy(`
      # AWS read access
      path "aws/creds/dev-readonly" {
        capabilities = ["read", "list"]
      }
      // second rule
      path "aws/sts/+" { capabilities = ["update"] }
    `);
    expect(rules).toEqual([
      { path: 'aws/creds/dev-readonly', capabilities: ['read', 'list'] },
      { path: 'aws/sts/+', capabilities: ['update'] },
    ]);
  });

  it('refuses unknown capabilities and stray text', () => {
    expect(() => parsePolicy('path "a" { capabilities = ["reed"] }')).toThrow(
      /invalid capability "reed"/,
    );
    expect(() => parsePolicy('path "a" { capabilities = ["read"] } garbage')).toThrow(/unexpected/);
  });
});

describe('ACL evaluation (vault/acl.go rules)', () => {
  const acl = new Acl(
    parsePolicy(`
      path "aws/creds/dev-readonly" { capabilities = ["read"] }
      path "aws/creds/*" { capabilities = ["list"] }
      path "aws/sts/+" { capabilities = ["update"] }
      path "aws/sts/prod-*" { capabilities = ["deny"] }
      path "secret/+/config" { capabilities = ["read"] }
      path "secret/team/*" { capabilities = ["update"] }
      path "aws/roles" { capabilities = ["list"] }
    `),
  );

  it('an exact path beats a glob', () => {
    expect(acl.capabilities('aws/creds/dev-readonly')).toEqual(['read']);
    expect(acl.capabilities('aws/creds/other')).toEqual(['list']);
  });

  it('+ matches exactly one segment', () => {
    expect(acl.allows('aws/sts/dev', 'update')).toBe(true);
    expect(acl.allows('aws/sts/dev/extra', 'update')).toBe(false);
  });

  it('a later first wildcard has priority, so the glob with the longer prefix wins', () => {
    // "aws/sts/prod-*" has its wildcard later than "aws/sts/+".
    expect(acl.capabilities('aws/sts/prod-admin')).toEqual(['deny']);
    // "secret/team/*" (wildcard at 12) beats "secret/+/config" (wildcard at 7).
    expect(acl.capabilities('secret/team/config')).toEqual(['update']);
    expect(acl.capabilities('secret/other/config')).toEqual(['read']);
  });

  it('merges capabilities of the same path across policies; deny wins', () => {
    const merged = new Acl([
      ...parsePolicy('path "x/y" { capabilities = ["read"] }'),
      ...parsePolicy('path "x/y" { capabilities = ["update"] }'),
      ...parsePolicy('path "x/z" { capabilities = ["read"] }'),
      ...parsePolicy('path "x/z" { capabilities = ["deny"] }'),
    ]);
    expect(merged.capabilities('x/y')).toEqual(['read', 'update']);
    expect(merged.allows('x/z', 'read')).toBe(false);
  });

  it('a LIST on path/ may use the exact rule without the slash', () => {
    expect(acl.allows('aws/roles/', 'list')).toBe(true);
    expect(acl.allows('aws/roles/', 'read')).toBe(false);
  });

  it('nothing granted is ["deny"]; root is ["root"]', () => {
    expect(acl.capabilities('sys/mounts')).toEqual(['deny']);
    expect(new Acl([], true).capabilities('anything')).toEqual(['root']);
  });

  it('tells which mounts a token can see', () => {
    const user = new Acl([
      ...parsePolicy(DEFAULT_POLICY),
      ...parsePolicy('path "aws/creds/dev" { capabilities = ["read"] }'),
    ]);
    expect(user.hasMountAccess('aws/')).toBe(true);
    expect(user.hasMountAccess('cubbyhole/')).toBe(true);
    expect(user.hasMountAccess('auth/token/')).toBe(true);
    expect(user.hasMountAccess('aws-prod/')).toBe(false);
    expect(
      new Acl(parsePolicy('path "+/creds/*" { capabilities = ["read"] }')).hasMountAccess(
        'aws-prod/',
      ),
    ).toBe(true);
  });
});

describe('durations', () => {
  it('parses what ParseDurationSecond accepts', () => {
    expect(parseDurationSecond('15m')).toBe(900);
    expect(parseDurationSecond('1h30m')).toBe(5400);
    expect(parseDurationSecond('900')).toBe(900);
    expect(parseDurationSecond(900)).toBe(900);
    expect(parseDurationSecond('2d')).toBe(172800);
    expect(parseDurationSecond('')).toBe(0);
    expect(() => parseDurationSecond('15x')).toThrow('time: unknown unit "x" in duration "15x"');
    expect(() => parseDurationSecond('abc')).toThrow('time: invalid duration "abc"');
  });

  it('prints like Vault humanDuration', () => {
    expect(humanDuration(8 * 3600)).toBe('8h');
    expect(humanDuration(3 * 3600 + 12 * 60 + 5)).toBe('3h12m5s');
    expect(humanDuration(3600 + 5)).toBe('1h5s');
    expect(humanDuration(42 * 60 + 17)).toBe('42m17s');
    expect(humanDuration(5 * 60)).toBe('5m');
    expect(humanDuration(0)).toBe('0s');
  });
});

describe('CalculateTTL', () => {
  const mount = { defaultLeaseTtl: 2_764_800, maxLeaseTtl: 2_764_800 };
  const base = {
    increment: 0,
    backendTtl: 0,
    period: 0,
    backendMaxTtl: 0,
    explicitMaxTtl: 0,
    mount,
  };

  it('uses the increment, else the method TTL, else the mount default', () => {
    expect(calculateTtl({ ...base, nowMs: 0, increment: 60 }).ttl).toBe(60);
    expect(calculateTtl({ ...base, nowMs: 0, backendTtl: 120 }).ttl).toBe(120);
    expect(calculateTtl({ ...base, nowMs: 0 }).ttl).toBe(2_764_800);
  });

  it('caps at the max counted from the start time, with Vault warning text', () => {
    const start = 1_000_000_000_000;
    const now = start + 4 * 3600 * 1000 + 47 * 60 * 1000 + 55_000;
    const result = calculateTtl({
      ...base,
      nowMs: now,
      startMs: start,
      increment: 8 * 3600,
      backendMaxTtl: 8 * 3600,
    });
    expect(result.ttl).toBe(3 * 3600 + 12 * 60 + 5);
    expect(result.warnings).toEqual([
      'TTL of "8h" exceeded the effective max_ttl of "3h12m5s"; TTL value is capped accordingly',
    ]);
  });

  it('refuses past the max', () => {
    const result = calculateTtl({ ...base, nowMs: 10_000_000, startMs: 0, backendMaxTtl: 60 });
    expect(result.error).toBe('past the max TTL, cannot renew');
  });
});
