import { z } from '../../shared/zod.js';
import type { Clock } from '../ports.js';
import type { VaultClient } from './client.js';

/** A signed-in Vault token and what the app knows of it (docs/architecture.md, "The nouns"). */
export interface VaultSession {
  address: string;
  namespace: string;
  displayName: string;
  /** Who signed in: the auth method's user claim (display_name without its mount prefix). */
  user: string;
  policies: string[];
  /** Local-clock instant (ms) the token expires; null for a token that never does (root). */
  expiresAt: number | null;
  renewable: boolean;
  /** The token's lifetime when it was issued (seconds): what a renewal asks for again. */
  ttlAtIssueSeconds?: number;
  /** Local-clock instant its explicit max TTL ends it, whatever renewals do; none when unset. */
  maxEndsAt?: number;
}

const lookupSelfData = z.object({
  display_name: z.string(),
  path: z.string().optional(),
  policies: z.array(z.string()).nullable(),
  identity_policies: z.array(z.string()).nullable().optional(),
  ttl: z.number().int().nonnegative(),
  creation_ttl: z.number().int().nonnegative().optional(),
  expire_time: z.string().nullable().optional(),
  renewable: z.boolean().optional(),
  creation_time: z.number().optional(),
  explicit_max_ttl: z.number().int().nonnegative().optional(),
});

/**
 * Vault names a login token `<mount path, / as ->` + the user claim (`oidc-alice@example.com`
 * for a login at auth/oidc/...), so the user claim is the display name without that prefix.
 */
function userOf(displayName: string, path: string | undefined): string {
  const mount = /^auth\/(.+)\/(?:oidc\/callback|login)$/.exec(path ?? '')?.[1];
  const prefix = mount ? `${mount.replace(/\//g, '-')}-` : '';
  return prefix && displayName.startsWith(prefix) ? displayName.slice(prefix.length) : displayName;
}

/** The secret store's key for a session: one token per Vault address and namespace. */
export function sessionKey(address: string, namespace: string): string {
  return `${address.replace(/\/+$/, '')}|${namespace.replace(/^\/+|\/+$/g, '')}`;
}

/** Asks Vault about the client's token (`auth/token/lookup-self`). */
export async function lookupSession(
  client: VaultClient,
  namespace: string,
  clock: Clock,
): Promise<VaultSession> {
  const { data } = await client.read('auth/token/lookup-self', lookupSelfData);
  const now = clock.now();
  // Measured on Vault's own clock from the same answer: its "now" is expire_time minus ttl.
  let maxEndsAt: number | undefined;
  if (data.explicit_max_ttl && data.creation_time !== undefined && data.expire_time) {
    const vaultNow = Date.parse(data.expire_time) / 1000 - data.ttl;
    maxEndsAt = now + (data.creation_time + data.explicit_max_ttl - vaultNow) * 1000;
  }
  return {
    address: client.address,
    namespace,
    displayName: data.display_name,
    user: userOf(data.display_name, data.path),
    policies: [...new Set([...(data.policies ?? []), ...(data.identity_policies ?? [])])].sort(),
    expiresAt: data.expire_time ? now + data.ttl * 1000 : null,
    renewable: data.renewable ?? false,
    ttlAtIssueSeconds: data.creation_ttl,
    maxEndsAt,
  };
}
