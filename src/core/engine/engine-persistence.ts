import type { Settings } from '../../shared/settings.js';
import type { Logger } from '../ports.js';
import type { VaultSession } from '../vault/session.js';
import type { CredentialMemory } from './credential-cache.js';
import { heldEntries, recall } from './hand-out-ops.js';
import type { ProfileBook } from './profile-book.js';
import type { StateFile } from './state-file.js';

/**
 * What the engine keeps between runs: the records and the session in state.json (one write after
 * another, so none is lost), and the credentials it holds in its credential memory (written
 * only when they changed).
 */
export class EnginePersistence {
  private writes: Promise<void> = Promise.resolve();
  /** What was last read or written, to write only changes (a command that changes nothing writes nothing). */
  private lastState = '';
  private lastHeld = '{}';

  constructor(
    private readonly state: StateFile,
    private readonly memory: CredentialMemory,
    private readonly logger: Logger,
  ) {}

  /** Fills the book for the settings' profiles from what was kept. */
  async load(settings: Settings, book: ProfileBook): Promise<void> {
    const stored = await this.state.read();
    const held = await this.memory.load();
    for (const name of Object.keys(settings.profiles)) {
      const entry = book.entry(name);
      entry.record = stored.profiles[name] ?? {};
      entry.held = recall(settings, name, held[name]);
    }
    this.lastState = JSON.stringify(stored);
    this.lastHeld = JSON.stringify(heldEntries(settings, book, Object.keys(settings.profiles)));
  }

  /** The session as last saved, shown while Vault cannot be asked. */
  async lastSession(): Promise<VaultSession | undefined> {
    return (await this.state.read()).session;
  }

  save(
    what: string,
    settings: Settings,
    book: ProfileBook,
    session: VaultSession | undefined,
  ): Promise<void> {
    const names = Object.keys(settings.profiles);
    const state = { session, profiles: book.records(names) };
    const text = JSON.stringify(state);
    if (text !== this.lastState) {
      this.lastState = text;
      this.writes = this.writes.then(() =>
        this.state
          .update(() => state)
          .then(
            () => undefined,
            (error: unknown) =>
              this.logger.warn(`could not save the ${what} state: ${(error as Error).message}`),
          ),
      );
    }
    const held = heldEntries(settings, book, names);
    const heldText = JSON.stringify(held);
    if (heldText === this.lastHeld) return this.writes;
    this.lastHeld = heldText;
    return this.writes.then(() => this.memory.save(held));
  }

  settled(): Promise<void> {
    return this.writes;
  }
}
