import { resolve } from 'node:path';
import { credentialProcessLine } from '../aws/credential-process-line.js';
import { CredentialsFileWriter } from '../aws/credentials-file-writer.js';
import { CredentialsFileError } from '../aws/errors.js';
import { homeDirectory, resolveAwsFilePaths } from '../aws/file-paths.js';
import type { AwsFilePaths } from '../aws/file-paths.js';
import type { Clock, Logger } from '../ports.js';
import type { VaultClient } from '../vault/client.js';
import { connectionFor, vaultClientFor } from '../vault/connection.js';
import type { ClientEnvironment, VaultConnection } from '../vault/connection.js';
import { userDataDir } from '../../shared/paths.js';
import type { Settings, VaultSettings } from '../../shared/settings.js';
import { SignInNeededError } from './engine-errors.js';

/** What the process hosting an engine (the CLI, the daemon, the app) contributes. */
export interface EngineHost extends ClientEnvironment {
  configDir: string;
  platform: NodeJS.Platform;
  homedir: string;
  cwd: string;
  clock: Clock;
  logger: Logger;
  /** The `vault-aws-tray` command credential_process lines run; none: process delivery refused. */
  command?: string;
  /** Why `command` is not the command the host meant to name (the app's fallback), for doctor. */
  commandProblem?: string;
}

/**
 * The one place that turns settings into the things the engine works with: the Vault client, the
 * AWS file paths, the credentials writer and the credential_process line. Each is made again only
 * when the settings it depends on change, so a client keeps its connections (and a CA file is
 * read once) across refreshes.
 */
export class EngineServices {
  private vaultKey?: string;
  private saved?: VaultConnection;
  private base?: VaultClient;
  /** A Vault being signed in to, before it is saved (see clientFor). */
  private candidate?: { key: string; client: VaultClient };
  private filesKey?: string;
  private paths!: AwsFilePaths;
  private fileWriter!: CredentialsFileWriter;
  private readonly folder: string;

  constructor(private readonly host: EngineHost) {
    this.folder = resolve(host.cwd, host.configDir);
  }

  /** Takes up the settings in force; cheap when nothing this module uses changed. */
  use(settings: Settings): void {
    const vaultKey = JSON.stringify(settings.vault ?? null);
    if (vaultKey !== this.vaultKey) {
      this.vaultKey = vaultKey;
      // The Vault just signed in to keeps the client (and connections) the sign-in used.
      this.base = this.candidate?.key === vaultKey ? this.candidate.client : undefined;
      this.candidate = undefined;
      this.saved = settings.vault ? this.connectionFor(settings.vault) : undefined;
    }
    const filesKey = JSON.stringify(settings.files);
    if (filesKey !== this.filesKey) {
      this.filesKey = filesKey;
      this.paths = resolveAwsFilePaths({
        env: this.host.env,
        homeDir: homeDirectory(this.host.env, () => this.host.homedir),
        cwd: this.host.cwd,
        settings: settings.files,
      });
      this.fileWriter = new CredentialsFileWriter({
        paths: this.paths,
        inPlace: settings.files.inPlace,
        clock: this.host.clock,
      });
    }
  }

  /** The saved Vault, if one is configured. */
  connection(): VaultConnection | undefined {
    return this.saved;
  }

  /** A client for the saved Vault, with `token` (one agent for all of them). */
  client(token?: string): VaultClient {
    if (!this.saved)
      throw new SignInNeededError(
        'no Vault is configured yet: run `vault-aws-tray login --addr URL`',
      );
    this.base ??= vaultClientFor(this.saved, this.host);
    return token === undefined ? this.base : this.base.withToken(token);
  }

  /** A client for `vault`, saved or about to be (a sign-in checks its token before saving). */
  clientFor(vault: VaultSettings, token?: string): VaultClient {
    const key = JSON.stringify(vault);
    if (key === this.vaultKey) return this.client(token);
    if (this.candidate?.key !== key)
      this.candidate = { key, client: vaultClientFor(this.connectionFor(vault), this.host) };
    return token === undefined ? this.candidate.client : this.candidate.client.withToken(token);
  }

  /** The connection this process uses for `vault` (its TLS variables applied, for the CLI). */
  connectionFor(vault: VaultSettings): VaultConnection {
    return connectionFor(vault, this.host);
  }

  writer(): CredentialsFileWriter {
    return this.fileWriter;
  }

  awsPaths(): AwsFilePaths {
    return this.paths;
  }

  /** Why credential_process lines name a fallback command, when they do. */
  commandProblem(): string | undefined {
    return this.host.commandProblem;
  }

  /** The config file's `credential_process` value for a profile, naming a non-default folder. */
  processLine(profile: string): string {
    if (!this.host.command)
      throw new CredentialsFileError(
        'unsafe-command',
        'this program cannot deliver profiles by credential_process: install the vault-aws-tray command',
      );
    const fallback = userDataDir({
      platform: this.host.platform,
      env: { ...this.host.env, VAULT_AWS_TRAY_CONFIG_DIR: undefined },
      homedir: this.host.homedir,
    });
    const named = resolve(fallback) === this.folder ? undefined : this.folder;
    return credentialProcessLine(this.host.command, profile, this.host.platform, named);
  }
}
