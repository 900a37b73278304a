import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../../src/core/engine/engine.js';
import type { EngineOptions } from '../../../src/core/engine/engine.js';
import { StateFile } from '../../../src/core/engine/state-file.js';
import type {
  Clock,
  Logger,
  Notice,
  PowerEvents,
  SecretStore,
  SettingsStore,
  TimerHandle,
} from '../../../src/core/ports.js';
import { sessionKey } from '../../../src/core/vault/session.js';
import { parseSettings } from '../../../src/shared/settings.js';
import type { Settings } from '../../../src/shared/settings.js';
import type { FakeClock } from '../../support/fake-clock.js';
import type { Stack } from '../../support/stack.js';

/** Where the CLI is installed, for the credential_process lines this engine writes. */
export const HELPER_PATH = '/usr/local/bin/vault-aws-tray';

/** The SettingsStore port, in memory. */
export class MemorySettings implements SettingsStore {
  constructor(private value: Settings) {}
  read(): Settings {
    return this.value;
  }
  update(change: (current: Settings) => Settings): Settings {
    this.value = parseSettings(change(this.value), 'memory');
    return this.value;
  }
}

export class MemorySecrets implements SecretStore {
  readonly values = new Map<string, string>();
  async get(key: string) {
    return this.values.get(key);
  }
  async set(key: string, value: string) {
    this.values.set(key, value);
  }
  async delete(key: string) {
    this.values.delete(key);
  }
}

/** A clock that counts how often a timer woke the process. */
export function countingClock(clock: FakeClock): Clock & { wakeUps: number } {
  const counting = {
    wakeUps: 0,
    now: () => clock.now(),
    setTimeout: (callback: () => void, ms: number): TimerHandle =>
      clock.setTimeout(() => {
        counting.wakeUps++;
        callback();
      }, ms),
    clearTimeout: (handle: TimerHandle) => clock.clearTimeout(handle),
  };
  return counting;
}

export class FakePower implements PowerEvents {
  private suspend = new Set<() => void>();
  private resume = new Set<() => void>();
  onSuspend(listener: () => void) {
    this.suspend.add(listener);
    return () => this.suspend.delete(listener);
  }
  onResume(listener: () => void) {
    this.resume.add(listener);
    return () => this.resume.delete(listener);
  }
  sleep(): void {
    for (const l of this.suspend) l();
  }
  wake(): void {
    for (const l of this.resume) l();
  }
}

export interface EngineHarness {
  engine: Engine;
  settings: MemorySettings;
  secrets: MemorySecrets;
  clock: Clock & { wakeUps: number };
  notices: Notice[];
  logs: string[];
  /**
   * Counts the credentials file's replacements seen so far: the writer replaces the file by
   * rename, so each write is a new inode. Call `writes.look()` as often as writes can happen.
   */
  writes: { count: number; look(): number };
  credentialsFile: string;
  configFile: string;
  dir: string;
  /** Every profile's expiry as the credentials file says (x_security_token_expires). */
  expiries(): Record<string, number>;
  file(): string;
}

export async function engineHarness(
  stack: Stack,
  clock: FakeClock,
  options: {
    profiles: Record<string, { role: string; leadSeconds?: number; delivery?: 'file' | 'process' }>;
    token: string;
    random?: () => number;
    power?: PowerEvents;
    driftCheck?: boolean;
    watch?: boolean;
    settings?: Partial<Settings>;
    dir?: string;
    /** Where credential_process lines point (HELPER_PATH by default). */
    helperPath?: string;
  },
): Promise<EngineHarness> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'engine-'));
  const credentialsFile = join(dir, 'aws', 'credentials');
  const configFile = join(dir, 'aws', 'config');
  const settings = new MemorySettings(
    parseSettings(
      {
        vault: { address: stack.vault.url, authMethod: 'token' },
        profiles: Object.fromEntries(
          Object.entries(options.profiles).map(([name, p]) => [
            name,
            { role: p.role, leadSeconds: p.leadSeconds, delivery: p.delivery },
          ]),
        ),
        files: { credentialsFile, configFile },
        ...options.settings,
      },
      'test',
    ),
  );
  const secrets = new MemorySecrets();
  await secrets.set(sessionKey(stack.vault.url, ''), options.token);
  const counting = countingClock(clock);
  const notices: Notice[] = [];
  const logs: string[] = [];
  let lastInode: number | undefined;
  const writes = {
    count: 0,
    look() {
      let inode: number | undefined;
      try {
        inode = statSync(credentialsFile).ino;
      } catch {
        inode = undefined;
      }
      if (inode !== undefined && inode !== lastInode) writes.count++;
      lastInode = inode;
      return writes.count;
    },
  };
  const line = (level: string) => (message: string) => logs.push(`${level} ${message}`);
  const logger: Logger = {
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
  };
  const engineOptions: EngineOptions = {
    kind: 'daemon',
    host: {
      // The default settings folder (XDG_CONFIG_HOME/vault-aws-tray): lines name no folder.
      configDir: join(dir, 'vault-aws-tray'),
      env: { XDG_CONFIG_HOME: dir },
      platform: 'linux',
      homedir: dir,
      cwd: dir,
      clock: counting,
      logger,
      timeoutMs: 2000,
      command: options.helperPath ?? HELPER_PATH,
    },
    settings,
    secrets,
    state: new StateFile(join(dir, 'vault-aws-tray')),
    notifier: { notify: (n) => notices.push(n) },
    power: options.power,
    driftCheck: options.driftCheck,
    watch: options.watch ?? false,
    random: options.random,
    timeFormat: (ms) => new Date(ms).toISOString().slice(11, 16),
  };
  const engine = new Engine(engineOptions);
  const file = () => {
    try {
      return readFileSync(credentialsFile, 'utf8');
    } catch {
      return '';
    }
  };
  return {
    engine,
    settings,
    secrets,
    clock: counting,
    notices,
    logs,
    writes,
    credentialsFile,
    configFile,
    dir,
    file,
    expiries: () => {
      const result: Record<string, number> = {};
      let section = '';
      for (const text of file().split('\n')) {
        const header = /^\[(.+)\]$/.exec(text);
        if (header) section = header[1]!;
        const expiry = /^x_security_token_expires = (.+)$/.exec(text);
        if (expiry) result[section] = Date.parse(expiry[1]!);
      }
      return result;
    },
  };
}
