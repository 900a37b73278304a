import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writePrivateFile } from '../../core/private-file.js';
import { failure } from '../errors.js';
import type { SecretStore } from '../../core/ports.js';

/**
 * The CLI's secret store: Vault tokens by address and namespace in `tokens.json`, mode 0600, in
 * the 0700 settings folder, replaced atomically. (The tray app keeps them in OS secure storage.)
 */
export class TokenFile implements SecretStore {
  readonly path: string;

  constructor(configDir: string) {
    this.path = join(configDir, 'tokens.json');
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.readAll())[key];
  }

  async set(key: string, secret: string): Promise<void> {
    await this.write({ ...(await this.readAll()), [key]: secret });
  }

  async delete(key: string): Promise<void> {
    const all = await this.readAll();
    delete all[key];
    await this.write(all);
  }

  private async readAll(): Promise<Record<string, string>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw failure(`${this.path} is damaged (not JSON); delete it and sign in again`);
    }
    if (!parsed || typeof parsed !== 'object') return {};
    return Object.fromEntries(
      Object.entries(parsed).filter(([, v]) => typeof v === 'string'),
    ) as Record<string, string>;
  }

  private write(all: Record<string, string>): Promise<void> {
    return writePrivateFile(this.path, `${JSON.stringify(all, null, 2)}\n`);
  }
}
