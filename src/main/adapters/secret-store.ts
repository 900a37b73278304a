import { readFile } from 'node:fs/promises';
import { safeStorage } from 'electron';
import type { SecretStore } from '../../core/ports.js';
import { writePrivateFile } from '../../core/private-file.js';

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
 * Why safeStorage cannot keep the token, or undefined when it can. On Linux the `basic_text`
 * backend (no keyring recognised) encrypts with a key compiled into Chromium: obfuscation, not
 * protection. Call after `ready`.
 */
export async function secureStorageProblem(platform: string): Promise<string | undefined> {
  if (!(await safeStorage.isAsyncEncryptionAvailable()))
    return 'the system offers no encrypted storage to this app';
  if (platform !== 'linux') return undefined;
  const backend = safeStorage.getSelectedStorageBackend();
  if (backend === 'basic_text' || backend === 'unknown')
    return `no keyring (GNOME Keyring, KWallet) answered (storage backend: ${backend})`;
  return undefined;
}
