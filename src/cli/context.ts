import { resolve } from 'node:path';
import type { BrowserOpener, Clock, Logger } from '../core/ports.js';
import type { FileSettingsStore } from '../core/settings-file.js';
import { PRODUCT_NAME } from '../shared/app.js';
import type { Settings } from '../shared/settings.js';
import { CommandEngine } from './engines.js';
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

/** The services one CLI run uses, made when first needed. */
export class CliContext {
  readonly configDir: string;
  readonly tokens: TokenFile;
  /** One-line messages on stderr; the daemon swaps in its timestamped logger. */
  logger: Logger;
  private settingsStore?: FileSettingsStore;
  private commandEngine?: CommandEngine;

  constructor(
    readonly io: CliIo,
    configDir: string,
  ) {
    // credential_process lines name the folder: it must be absolute wherever the SDK runs.
    this.configDir = resolve(io.cwd, configDir);
    this.tokens = new TokenFile(this.configDir);
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

  /** The saved settings as they are now (login builds on them). */
  savedSettings(): Settings {
    return this.settings.read();
  }

  /** The engine this command talks to (the running one, or a one-shot one): the only way in. */
  engine(): CommandEngine {
    this.commandEngine ??= new CommandEngine(this);
    return this.commandEngine;
  }

  /** Lets the command's engine finish its writes. */
  async close(): Promise<void> {
    await this.commandEngine?.close();
  }

  out(text: string): void {
    this.io.stdout(`${text}\n`);
  }

  warn(text: string): void {
    this.logger.warn(text);
  }
}
