import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireLock } from '../aws/file-lock.js';
import { nodeFs } from '../aws/writer-fs.js';
import { writePrivateFile } from '../private-file.js';
import { CACHE_FILE, readCacheFile } from './cached-credentials.js';
import type { CachedCredentials, CacheFile } from './cached-credentials.js';

/**
 * Where an engine keeps the credentials it hands out between requests. A running engine keeps
 * them in memory ({@link memoryOnly}); the one-shot engine, which lives for one command, keeps
 * them in a file of the settings folder ({@link CredentialCacheFile}), as the AWS CLI keeps
 * `~/.aws/cli/cache`, so that `credential-process` reads Vault once per credential lifetime.
 */
export interface CredentialMemory {
  /** Runs `work` while no other process of this settings folder works on the cache. */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  load(): Promise<Record<string, CachedCredentials>>;
  save(profiles: Record<string, CachedCredentials>): Promise<void>;
}

/** Memory alone (tests): nothing to load, lock or save. */
export const memoryOnly: CredentialMemory = {
  exclusive: (work) => work(),
  load: async () => ({}),
  save: async () => undefined,
};

/**
 * credentials-cache.json: 0600 in the 0700 settings folder, replaced atomically, and changed only
 * under a lock, which is held across the Vault read so that SDKs asking at once read Vault once.
 * Off (`engine.credentialCache: false`), the file is deleted and nothing is kept.
 *
 * `keep`: the one-shot engine keeps what it holds there. `prune`: a running engine holds its
 * credentials in memory and only takes out of the file what it no longer holds (a sign-out, a
 * removed profile), so nothing a user signed out of is handed out after the engine stops.
 */
export class CredentialCacheFile implements CredentialMemory {
  private readonly path: string;
  private held = 0;

  constructor(
    private readonly configDir: string,
    private readonly enabled: () => boolean,
    private readonly mode: 'keep' | 'prune' = 'keep',
  ) {
    this.path = join(configDir, CACHE_FILE);
  }

  /** A running engine is the only one reading Vault for its folder: it needs no lock for that. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.mode === 'prune' ? work() : this.locked(work);
  }

  private async locked<T>(work: () => Promise<T>): Promise<T> {
    // The engine's own nested calls (a save inside a hand-out) already hold it.
    if (this.held > 0) return work();
    const lock = await acquireLock(`${this.path}.lock`, {
      fs: nodeFs,
      staleMs: 10_000,
      waitMs: 60_000,
    });
    this.held++;
    try {
      return await work();
    } finally {
      this.held--;
      await lock.release();
    }
  }

  async load(): Promise<Record<string, CachedCredentials>> {
    return this.enabled() && this.mode === 'keep' ? readCacheFile(this.configDir) : {};
  }

  /** Makes the cache what the engine holds (a profile it dropped is dropped here too). */
  async save(profiles: Record<string, CachedCredentials>): Promise<void> {
    if (this.mode === 'prune' && !existsSync(this.path)) return;
    await this.locked(async () => {
      const kept =
        this.mode === 'keep'
          ? profiles
          : Object.fromEntries(
              Object.entries(readCacheFile(this.configDir)).filter(([name]) =>
                Object.hasOwn(profiles, name),
              ),
            );
      if (!this.enabled() || Object.keys(kept).length === 0) {
        await rm(this.path, { force: true });
        return;
      }
      const file: CacheFile = { version: 1, profiles: kept };
      await writePrivateFile(this.path, `${JSON.stringify(file)}\n`);
    });
  }
}
