import type { ProfileStateName, SessionStateName } from './states.js';

/** What `status --json` prints; its JSON Schema is docs/status.schema.json. */
export interface AppStatus {
  version: 1;
  generatedAt: string;
  /** Which process answered: `none` when the CLI did the work itself. */
  engine: 'none' | 'daemon' | 'app';
  session: {
    state: SessionStateName;
    address: string | null;
    namespace: string | null;
    displayName: string | null;
    /** The user claim the session was signed in with. */
    user: string | null;
    policies: string[];
    expiresAt: string | null;
  };
  profiles: Array<{
    name: string;
    state: ProfileStateName;
    mount: string;
    role: string;
    endpoint: 'creds' | 'sts';
    /** `file`: static keys in the credentials file; `process`: credential_process. */
    delivery: 'file' | 'process';
    region: string | null;
    expiresAt: string | null;
    grantedTtlSeconds: number | null;
    /** How long before expiry it is refreshed: its own lead, the settings', or a third of its
     * lifetime, at most half of it; null until a lifetime is known. */
    leadSeconds: number | null;
    lastRefreshAt: string | null;
    nextRefreshAt: string | null;
    lastError: { at: string; kind: string; message: string } | null;
  }>;
}
