/**
 * The one-shot engine's credential cache as the `credential-process` fast path reads it: plain
 * node:fs and JSON, no schemas (the fast path loads this file). The engine writes it through
 * credential-cache.ts; docs/engine.md says what it holds and for how long.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canHandOut } from './hand-out.js';

export const CACHE_FILE = 'credentials-cache.json';

/** One profile's credentials as cached, with the binding they were read for. */
export interface CachedCredentials {
  binding: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** ms since the epoch */
  expiresAt: number;
  grantedTtlSeconds: number;
}

export interface CacheFile {
  version: 1;
  profiles: Record<string, CachedCredentials>;
}

interface BindingFields {
  mount?: string;
  endpoint?: string;
  role?: string;
  ttlSeconds?: number;
  roleArn?: string;
  roleSessionName?: string;
}

/**
 * What the cached credentials were read for: the Vault and the role. A profile moved to another
 * role or Vault (by any program, a hand edit included) no longer matches its cached credentials.
 */
export function bindingFingerprint(
  vault: { address?: string; namespace?: string } | undefined,
  binding: BindingFields,
): string {
  return JSON.stringify([
    vault?.address ?? '',
    vault?.namespace ?? '',
    binding.mount ?? 'aws',
    binding.endpoint ?? 'creds',
    binding.role ?? '',
    binding.ttlSeconds ?? null,
    binding.roleArn ?? null,
    binding.roleSessionName ?? null,
  ]);
}

/** The cache's entries, or none when the file is missing or damaged (it is only a cache). */
export function readCacheFile(configDir: string): Record<string, CachedCredentials> {
  try {
    const parsed = JSON.parse(readFileSync(join(configDir, CACHE_FILE), 'utf8')) as CacheFile;
    return parsed.version === 1 && parsed.profiles && typeof parsed.profiles === 'object'
      ? parsed.profiles
      : {};
  } catch {
    return {};
  }
}

/**
 * A profile's cached credentials when the settings still bind it to what they were read for,
 * caching is on, and they may be handed out now; otherwise undefined (the engine decides).
 */
export function cachedHandOut(
  configDir: string,
  profile: string,
  now: number,
): CachedCredentials | undefined {
  let settings: {
    vault?: { address?: string; namespace?: string };
    profiles?: Record<string, BindingFields>;
    engine?: { credentialCache?: boolean };
  };
  try {
    settings = JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')) as typeof settings;
  } catch {
    return undefined;
  }
  const binding = settings.profiles?.[profile];
  if (!binding || settings.engine?.credentialCache === false) return undefined;
  const entries = readCacheFile(configDir);
  const cached = Object.hasOwn(entries, profile) ? entries[profile] : undefined;
  if (!cached || cached.binding !== bindingFingerprint(settings.vault, binding)) return undefined;
  return canHandOut(cached, now) ? cached : undefined;
}
