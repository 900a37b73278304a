import { z } from '../../shared/zod.js';
import type { Clock } from '../ports.js';
import type { VaultClient } from './client.js';

/** A signed-in Vault token and what the app knows of it (design.md "VaultSession"). */
export interface VaultSession {
  address: string;
  namespace: string;
  displayName: string;
  policies: string[];
  /** Local-clock instant (ms) the token expires; null for a token that never does (root). */
  expiresAt: number | null;
  renewable: boolean;
}

const lookupSelfData = z.object({
  display_name: z.string(),
  policies: z.array(z.string()).nullable(),
  identity_policies: z.array(z.string()).nullable().optional(),
  ttl: z.number().int().nonnegative(),
  expire_time: z.string().nullable().optional(),
  renewable: z.boolean().optional(),
});

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
  return {
    address: client.address,
    namespace,
    displayName: data.display_name,
    policies: [...new Set([...(data.policies ?? []), ...(data.identity_policies ?? [])])].sort(),
    expiresAt: data.expire_time ? now + data.ttl * 1000 : null,
    renewable: data.renewable ?? false,
  };
}
