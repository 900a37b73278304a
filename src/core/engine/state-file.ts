import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writePrivateFile } from '../private-file.js';
import { z } from '../../shared/zod.js';
import type { ProfileRecord } from './profile-state.js';

/**
 * What refreshes learned, kept between CLI runs in `state.json` beside the settings: expiry,
 * granted TTL, last refresh and last error per profile, and what the session looked like. It
 * holds no secret, and it is derived: a damaged file is read as empty rather than refused.
 */
const recordSchema = z.object({
  expiresAt: z.number().optional(),
  grantedTtlSeconds: z.number().optional(),
  lastRefreshAt: z.number().optional(),
  nextRefreshAt: z.number().optional(),
  lastError: z.object({ at: z.number(), kind: z.string(), message: z.string() }).optional(),
  rewrite: z.boolean().optional(),
});

const stateSchema = z.object({
  session: z
    .object({
      address: z.string(),
      namespace: z.string(),
      displayName: z.string(),
      user: z.string().default(''),
      policies: z.array(z.string()),
      expiresAt: z.number().nullable(),
      renewable: z.boolean(),
      ttlAtIssueSeconds: z.number().optional(),
      maxEndsAt: z.number().optional(),
    })
    .optional(),
  profiles: z.record(z.string(), recordSchema).default({}),
});

export type StoredState = z.infer<typeof stateSchema>;

export class StateFile {
  readonly path: string;

  constructor(configDir: string) {
    this.path = join(configDir, 'state.json');
  }

  async read(): Promise<StoredState> {
    try {
      const parsed = stateSchema.safeParse(JSON.parse(await readFile(this.path, 'utf8')));
      return parsed.success ? parsed.data : { profiles: {} };
    } catch {
      return { profiles: {} };
    }
  }

  async update(change: (state: StoredState) => StoredState): Promise<StoredState> {
    const next = change(await this.read());
    await writePrivateFile(this.path, `${JSON.stringify(next, null, 2)}\n`);
    return next;
  }
}

export function withRecord(
  state: StoredState,
  profile: string,
  change: (r: ProfileRecord) => ProfileRecord,
): StoredState {
  return {
    ...state,
    profiles: { ...state.profiles, [profile]: change(state.profiles[profile] ?? {}) },
  };
}
