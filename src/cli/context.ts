import { credentialProcessLine } from '../core/aws/credential-process-line.js';
import { CredentialsFileWriter } from '../core/aws/credentials-file-writer.js';
import { homeDirectory, resolveAwsFilePaths } from '../core/aws/file-paths.js';
import type { AwsFilePaths } from '../core/aws/file-paths.js';
import { StateFile } from '../core/engine/state-file.js';
import type { BrowserOpener, Clock, Logger } from '../core/ports.js';
import { VaultClient } from '../core/vault/client.js';
import { sessionKey } from '../core/vault/session.js';
import type { TlsSettings } from '../core/vault/transport.js';
import { PRODUCT_NAME } from '../shared/app.js';
import type { Settings } from '../shared/settings.js';
import { askEngine, NoEngineError } from './engine-client.js';
import type { EngineRequest } from './engine-client.js';
import type { EngineReply } from '../core/engine/engine-endpoint.js';
import { usageError } from './errors.js';
import { parseDuration } from './format.js';
import type { FileSettingsStore } from '../core/settings-file.js';
import { confSettingsStore } from './stores/conf-settings-store.js';
import { TokenFile } from './stores/token-file.js';

/** What the CLI takes from the process; tests pass their own. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  platform: string;
  homedir: string;
  cwd: string;
  version: string;
  clock: Clock;
  stdinIsTty: boolean;
  readStdin(): Promise<string>;
  /** One line from the user (a TOTP code); undefined when there is nobody to ask. */
  promptLine(question: string): Promise<string | undefined>;
  browser: BrowserOpener;
  /** A signal that aborts on Ctrl-C or SIGTERM (asked for by commands that wait). */
  interruptSignal(): AbortSignal;
  /** The absolute path of the command running now: what credential_process lines call. */
  selfPath: string;
}

/** Where Vault is and how to reach it: flags beat VAULT_* variables, which beat the settings. */
export interface VaultConnection {
  address: string;
  namespace: string;
  tls: TlsSettings;
}

const truthy = (value: string | undefined) =>
  value !== undefined && /^(1|t|true|yes)$/i.test(value);

/** The services one CLI run uses, made when first needed. */
export class CliContext {
  readonly tokens: TokenFile;
  readonly state: StateFile;
  /** One-line messages on stderr; the daemon swaps in its timestamped logger. */
  logger: Logger;
  private settingsStore?: FileSettingsStore;

  constructor(
    readonly io: CliIo,
    readonly configDir: string,
  ) {
    this.tokens = new TokenFile(configDir);
    this.state = new StateFile(configDir);
    const line = (level: string) => (message: string) =>
      io.stderr(`${PRODUCT_NAME}: ${level}${message}\n`);
    this.logger = {
      debug: () => undefined,
      info: line(''),
      warn: line('warning: '),
      error: line(''),
    };
  }

  get settings(): FileSettingsStore {
    this.settingsStore ??= confSettingsStore(this.configDir);
    return this.settingsStore;
  }

  connection(
    flags: { addr?: string; namespace?: string } = {},
    settings: Settings = this.settings.read(),
  ): VaultConnection {
    const env = this.io.env;
    const saved = settings.vault;
    const address = flags.addr ?? env.VAULT_ADDR ?? saved?.address;
    if (!address) throw usageError('no Vault address: pass --addr or set VAULT_ADDR');
    try {
      const url = new URL(address);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
    } catch {
      throw usageError(`not a Vault address: ${address} (expected https://host:port)`);
    }
    return {
      address: address.replace(/\/+$/, ''),
      namespace: (flags.namespace ?? env.VAULT_NAMESPACE ?? saved?.namespace ?? '').replace(
        /^\/+|\/+$/g,
        '',
      ),
      tls: {
        caFile: env.VAULT_CACERT || saved?.caFile,
        caPath: env.VAULT_CAPATH || saved?.caPath,
        serverName: env.VAULT_TLS_SERVER_NAME || saved?.serverName,
        skipVerify:
          env.VAULT_SKIP_VERIFY !== undefined ? truthy(env.VAULT_SKIP_VERIFY) : saved?.skipVerify,
      },
    };
  }

  client(connection: VaultConnection, token?: string): VaultClient {
    const timeout = this.io.env.VAULT_CLIENT_TIMEOUT;
    const timeoutSeconds = timeout === undefined ? undefined : parseDuration(timeout);
    if (timeout !== undefined && timeoutSeconds === undefined) {
      throw usageError(`VAULT_CLIENT_TIMEOUT=${timeout} is not a duration (like 30s or 60)`);
    }
    return new VaultClient({
      address: connection.address,
      namespace: connection.namespace || undefined,
      token,
      tls: connection.tls,
      env: this.io.env,
      logger: this.logger,
      timeoutMs: timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000,
    });
  }

  /** The stored token for the configured Vault, if there is one. */
  async storedToken(connection: VaultConnection): Promise<string | undefined> {
    return this.tokens.get(sessionKey(connection.address, connection.namespace));
  }

  awsPaths(settings: Settings = this.settings.read()): AwsFilePaths {
    return resolveAwsFilePaths({
      env: this.io.env,
      homeDir: homeDirectory(this.io.env, () => this.io.homedir),
      cwd: this.io.cwd,
      settings: settings.files,
    });
  }

  writer(settings: Settings = this.settings.read()): CredentialsFileWriter {
    return new CredentialsFileWriter({
      paths: this.awsPaths(settings),
      inPlace: settings.files.inPlace,
      clock: this.io.clock,
    });
  }

  /** The config file's credential_process value for a profile: this very command. */
  processLine(profile: string): string {
    return credentialProcessLine(this.io.selfPath, profile, this.io.platform as NodeJS.Platform);
  }

  /** The running engine's answer, or undefined when no engine runs: then the CLI does the work. */
  async engine<T extends object>(request: EngineRequest): Promise<EngineReply<T> | undefined> {
    try {
      return await askEngine<T>(this.configDir, this.io.platform, request);
    } catch (error) {
      if (error instanceof NoEngineError) return undefined;
      throw error;
    }
  }

  out(text: string): void {
    this.io.stdout(`${text}\n`);
  }

  warn(text: string): void {
    this.logger.warn(text);
  }
}
