import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireLock } from '../aws/file-lock.js';
import { nodeFs } from '../aws/writer-fs.js';
import { writePrivateFile } from '../private-file.js';
import { CACHE_FILE, readCacheFile } from './cached-credentials.js';
import type { CachedCredentials, CacheFile } from './cached-credentials.js';

/**
 * Where an engine keeps the credentials it hands out, between requests and for the
 * `credential-process` fast path: the engine's ProfileBook holds them, and this keeps a copy.
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
 * credentials-cache.json, as the AWS CLI keeps `~/.aws/cli/cache`: 0600 in the 0700 settings
 * folder, replaced atomically, holding what the engine holds. `credential-process` answers from
 * it without loading the CLI or asking an engine (fast-credential-process.ts), while an entry may
 * be handed out (hand-out.ts). Off (`engine.credentialCache: false`), the file is deleted and
 * nothing is kept there.
 *
 * `keep`: the one-shot engine of a CLI command, which lives for one command, starts from it and
 * changes it only under a lock held across the Vault read, so that SDKs asking at once read
 * Vault once. `share`: a running engine is the only one reading Vault for its folder; it holds
 * the credentials in memory and writes the file after each change (a sign-out or a removed
 * profile takes them out of it too).
 */
export class CredentialCacheFile implements CredentialMemory {
  private readonly path: string;
  private held = 0;

  constructor(
    private readonly configDir: string,
    private readonly enabled: () => boolean,
    private readonly mode: 'keep' | 'share' = 'keep',
  ) {
    this.path = join(configDir, CACHE_FILE);
  }

  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.mode === 'share' || !this.enabled() ? work() : this.locked(work);
  }

  async load(): Promise<Record<string, CachedCredentials>> {
    return this.mode === 'keep' && this.enabled() ? readCacheFile(this.configDir) : {};
  }

  /** Makes the cache what the engine holds (a profile it dropped is dropped here too). */
  async save(profiles: Record<string, CachedCredentials>): Promise<void> {
    if (!this.enabled() || Object.keys(profiles).length === 0) {
      await rm(this.path, { force: true });
      return;
    }
    const file: CacheFile = { version: 1, profiles };
    await this.exclusive(() => writePrivateFile(this.path, `${JSON.stringify(file)}\n`));
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
}
