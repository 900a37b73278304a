import type { AwsCredentials } from '../vault/aws-credentials.js';
import type { ProfileRecord } from './profile-state.js';

/** Everything the engine knows about one managed profile, kept together so it goes together. */
export interface ProfileEntry {
  /** What refreshes learned (persisted in state.json). */
  record: ProfileRecord;
  /** When the scheduler refreshes it next; undefined while it waits for a user (no refresh asked). */
  due?: number;
  /** Failed refreshes in a row (the backoff's exponent). */
  failures: number;
  /** The key id last written to the credentials file: another one there means someone edited it. */
  ours?: string;
  /** The last credentials read: what credential_process, env and exec are handed. */
  held?: AwsCredentials;
  /** A Vault read for it is in flight. */
  refreshing: boolean;
}

/** The engine's one map: profile name → entry. A forgotten profile leaves nothing behind. */
export class ProfileBook {
  private readonly entries = new Map<string, ProfileEntry>();

  get(name: string): ProfileEntry | undefined {
    return this.entries.get(name);
  }

  /** The entry for `name`, made empty when there is none yet. */
  entry(name: string): ProfileEntry {
    let entry = this.entries.get(name);
    if (!entry) {
      entry = { record: {}, failures: 0, refreshing: false };
      this.entries.set(name, entry);
    }
    return entry;
  }

  forget(name: string): void {
    this.entries.delete(name);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  [Symbol.iterator](): IterableIterator<[string, ProfileEntry]> {
    return this.entries.entries();
  }

  /** The records to persist, for the profiles in `managed`. */
  records(managed: Iterable<string>): Record<string, ProfileRecord> {
    const out: Record<string, ProfileRecord> = {};
    for (const name of managed) {
      const entry = this.entries.get(name);
      if (entry) out[name] = entry.record;
    }
    return out;
  }

  refreshing(): Set<string> {
    return new Set([...this.entries].filter(([, e]) => e.refreshing).map(([name]) => name));
  }
}
