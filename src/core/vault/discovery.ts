import { VAULT_NAME, VAULT_PATH } from '../../shared/fields.js';
import type { DiscoveredRole, Discovery } from '../../shared/ipc.js';
import { z } from '../../shared/zod.js';
import type { ProfileBinding } from './aws-credentials.js';
import type { VaultClient } from './client.js';
import { VaultError } from './errors.js';
import { vaultPath } from './vault-path.js';

/** What the app shows when a user picks roles (docs/vault-setup.md lists the policies it needs). */
export interface AwsRoleInfo {
  name: string;
  /** `credential_type` is one comma-joined string on the wire. */
  credentialTypes: string[];
  roleArns: string[];
  defaultStsTtlSeconds: number;
  maxStsTtlSeconds: number;
}

const mountsData = z.object({
  secret: z.record(z.string(), z.object({ type: z.string() })),
  auth: z.record(z.string(), z.object({ type: z.string() })).optional(),
});

const roleData = z.object({
  credential_type: z.string(),
  role_arns: z.array(z.string()).nullable().optional(),
  default_sts_ttl: z.number().int().optional(),
  max_sts_ttl: z.number().int().optional(),
});

const capabilitiesData = z.record(z.string(), z.unknown());

/** AWS secrets engines the token can see, by mount path without the trailing slash. */
export async function listAwsMounts(client: VaultClient): Promise<string[]> {
  const { data } = await client.read('sys/internal/ui/mounts', mountsData);
  // A mount whose path a profile could not be saved with (src/shared/fields.ts) is not offered.
  return Object.entries(data.secret)
    .filter(([, mount]) => mount.type === 'aws')
    .map(([path]) => path.replace(/\/$/, ''))
    .filter((path) => VAULT_PATH.test(path))
    .sort();
}

/** Role names of an engine that a profile can be bound to; none is an empty list, not an error. */
export async function listAwsRoles(client: VaultClient, mount: string): Promise<string[]> {
  return (await client.list(vaultPath(mount, 'roles'))).filter((name) => VAULT_NAME.test(name));
}

/** A role's details, or undefined when it does not exist (Vault answers 404 with no errors). */
export async function readAwsRole(
  client: VaultClient,
  mount: string,
  role: string,
): Promise<AwsRoleInfo | undefined> {
  try {
    const { data } = await client.read(vaultPath(mount, 'roles', role), roleData);
    return {
      name: role,
      credentialTypes: data.credential_type.split(',').filter(Boolean),
      roleArns: data.role_arns ?? [],
      defaultStsTtlSeconds: data.default_sts_ttl ?? 0,
      maxStsTtlSeconds: data.max_sts_ttl ?? 0,
    };
  } catch (error) {
    if (error instanceof VaultError && error.kind === 'not_found') return undefined;
    throw error;
  }
}

/** The token's capabilities on each path (`sys/capabilities-self`); `["deny"]` means none. */
export async function capabilitiesOf(
  client: VaultClient,
  paths: string[],
): Promise<Record<string, string[]>> {
  const { data } = await client.write('sys/capabilities-self', { paths }, capabilitiesData);
  const result: Record<string, string[]> = {};
  for (const path of paths) {
    const caps = data[path];
    result[path] = Array.isArray(caps) ? caps.map(String) : ['deny'];
  }
  return result;
}

/** Whether capabilities allow reading credentials: GET needs `read`, the POST to `sts/` `update`. */
export function allowsCredentials(caps: readonly string[], endpoint: 'creds' | 'sts'): boolean {
  return caps.includes('root') || caps.includes(endpoint === 'creds' ? 'read' : 'update');
}

/** Whether the token may read this binding. */
export async function canRead(client: VaultClient, binding: ProfileBinding): Promise<boolean> {
  const path = `${binding.mount}/${binding.endpoint}/${binding.role}`;
  return allowsCredentials((await capabilitiesOf(client, [path]))[path] ?? [], binding.endpoint);
}

const denied = (error: unknown) =>
  error instanceof VaultError && error.kind === 'permission_denied';

/**
 * Every AWS role the token can see, with whether it may read each one's credentials. Listing is
 * often denied by policy; that is an answer (type the role by hand), not an error.
 */
export async function discoverRoles(client: VaultClient): Promise<Discovery> {
  let mounts: string[];
  try {
    mounts = await listAwsMounts(client);
  } catch (error) {
    if (denied(error))
      return {
        roles: [],
        listingDenied: true,
        message: 'Your policies do not let you list Vault’s secrets engines.',
      };
    throw error;
  }
  const roles: Array<Omit<DiscoveredRole, 'readable'>> = [];
  let someDenied = false;
  for (const mount of mounts) {
    let names: string[];
    try {
      names = await listAwsRoles(client, mount);
    } catch (error) {
      if (!denied(error)) throw error;
      someDenied = true;
      continue;
    }
    // One read per role, at once: a mount with many roles should not take a round trip each.
    const infos = await Promise.all(
      names.map((name) =>
        readAwsRole(client, mount, name).catch((error: unknown) => {
          if (denied(error)) return undefined;
          throw error;
        }),
      ),
    );
    names.forEach((name, i) =>
      roles.push({
        mount,
        name,
        credentialTypes: infos[i]?.credentialTypes ?? [],
        roleArns: infos[i]?.roleArns ?? [],
        defaultStsTtlSeconds: infos[i]?.defaultStsTtlSeconds ?? 0,
      }),
    );
  }
  const paths = roles.map((r) => `${r.mount}/creds/${r.name}`);
  const caps = paths.length > 0 ? await capabilitiesOf(client, paths) : {};
  return {
    roles: roles.map((r, i) => ({
      ...r,
      readable: allowsCredentials(caps[paths[i]!] ?? [], 'creds'),
    })),
    listingDenied: someDenied || mounts.length === 0,
    // When no role could be listed at all, the manual entry explains it.
    message:
      someDenied && roles.length > 0
        ? 'Your policies do not let you list the roles of some engines.'
        : undefined,
  };
}
