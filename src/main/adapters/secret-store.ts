import { readFile } from 'node:fs/promises';
import { safeStorage } from 'electron';
import { systemClock } from '../../core/clock.js';
import type { Clock, SecretStore } from '../../core/ports.js';
import { writePrivateFile } from '../../core/private-file.js';
import { ciphertextTag, safeStorageKey } from '../safe-storage-key.js';

/**
 * Vault tokens encrypted by the OS (Keychain, DPAPI, libsecret/kwallet) through safeStorage's
 * async API, stored as base64 in a 0600 file of the settings folder. A token the OS asks to
 * re-encrypt (a rotated key) is written again when read.
 */
export class SafeStorageSecrets implements SecretStore {
  constructor(readonly path: string) {}

  async get(key: string): Promise<string | undefined> {
    const blob = (await this.readAll())[key];
    if (blob === undefined) return undefined;
    const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(
      Buffer.from(blob, 'base64'),
    );
    if (shouldReEncrypt) await this.set(key, result);
    return result;
  }

  async set(key: string, secret: string): Promise<void> {
    const encrypted = await safeStorage.encryptStringAsync(secret);
    await this.write({ ...(await this.readAll()), [key]: encrypted.toString('base64') });
  }

  async delete(key: string): Promise<void> {
    const { [key]: _gone, ...rest } = await this.readAll();
    await this.write(rest);
  }

  /** Drops the tokens not encrypted with the OS's key (safe-storage-key.ts); says how many. */
  async forgetUnprotected(platform: string): Promise<number> {
    const all = await this.readAll();
    const kept = Object.fromEntries(
      Object.entries(all).filter(
        ([, blob]) => safeStorageKey(platform, Buffer.from(blob, 'base64')) === 'os',
      ),
    );
    const dropped = Object.keys(all).length - Object.keys(kept).length;
    if (dropped > 0) await this.write(kept);
    return dropped;
  }

  private async readAll(): Promise<Record<string, string>> {
    try {
      return JSON.parse(await readFile(this.path, 'utf8')) as Record<string, string>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
  }

  private write(all: Record<string, string>): Promise<void> {
    return writePrivateFile(this.path, `${JSON.stringify(all, null, 2)}\n`);
  }
}

/** Tokens for this run only: what the app keeps when the OS offers no real protection. */
export class MemorySecrets implements SecretStore {
  private readonly values = new Map<string, string>();

  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }

  async set(key: string, secret: string): Promise<void> {
    this.values.set(key, secret);
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }
}

/**
 * A store chosen later: the engine starts (and the tray shows) while the keyring is asked, and
 * the engine's first read of the token waits for the answer.
 */
export function deferredSecrets(chosen: Promise<SecretStore>): SecretStore {
  return {
    get: async (key) => (await chosen).get(key),
    set: async (key, secret) => (await chosen).set(key, secret),
    delete: async (key) => (await chosen).delete(key),
  };
}

/** How long the keyring may take to answer before the token is kept in memory for this run. */
export const PROBE_TIMEOUT_MS = 15_000;

/**
 * Why safeStorage cannot keep the token, or undefined when it can, judged from what encrypting a
 * probe produces (safe-storage-key.ts): isAsyncEncryptionAvailable() is true as soon as the
 * async encryptor runs, also on its fixed-key fallback, and getSelectedStorageBackend() names the
 * sync backend picked from the desktop's name alone (docs/engine.md, "What protects the app's
 * token"). A keyring that does not answer within `timeoutMs` counts as none. Call after `ready`.
 */
export function secureStorageProblem(
  platform: string,
  clock: Clock = systemClock,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<string | undefined> {
  const probe = encryptionProblem(platform).catch(
    (error: unknown) => `safeStorage could not encrypt (${(error as Error).message})`,
  );
  return answerWithin(
    probe,
    clock,
    timeoutMs,
    `the keyring did not answer within ${timeoutMs / 1000} s`,
  );
}

async function encryptionProblem(platform: string): Promise<string | undefined> {
  if (!(await safeStorage.isAsyncEncryptionAvailable()))
    return 'the system offers no encrypted storage to this app';
  const ciphertext = await safeStorage.encryptStringAsync('vault-aws-tray key probe');
  switch (safeStorageKey(platform, ciphertext)) {
    case 'os':
      return undefined;
    case 'fixed':
      return `no keyring (GNOME Keyring, KWallet, a Secret portal) answered, so safeStorage would use Chromium's fixed key (storage backend: ${safeStorage.getSelectedStorageBackend()})`;
    case 'unknown':
      return `safeStorage used a key of an unknown kind ("${printable(ciphertextTag(ciphertext))}")`;
  }
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

/** `work`'s answer, or `late` once `ms` have passed without one. */
function answerWithin<T>(work: Promise<T>, clock: Clock, ms: number, late: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => resolve(late), ms);
    void work.then((value) => {
      clock.clearTimeout(timer);
      resolve(value);
    });
  });
}

/**
 * Where the app keeps its token: safeStorage's file when the OS protects it (`problem` undefined),
 * else memory only, after dropping what an earlier run stored in the file under a key that is not
 * the OS's: such a token is readable by anyone who can read the file.
 */
export async function appTokenStore(
  file: string,
  platform: string,
  problem: string | undefined,
): Promise<SecretStore> {
  const stored = new SafeStorageSecrets(file);
  if (!problem) return stored;
  await stored.forgetUnprotected(platform);
  return new MemorySecrets();
}
