import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';

// Models whose rows belong to a grant and go when the grant is revoked (code reuse, logout...).
const GRANT_BOUND_MODELS = ['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode'];

interface Entry {
  payload: AdapterPayload;
  expiresAt: number;
}

/**
 * Per-provider in-memory storage. oidc-provider's built-in one works too, but it prints a
 * "development-only adapter" warning on every start; this one is silent and just as small.
 */
export function createMemoryAdapter(): AdapterFactory {
  const entries = new Map<string, Entry>();

  const live = (key: string): AdapterPayload | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) entries.delete(key);
    return entries.get(key)?.payload;
  };
  const findWhere = (model: string, match: (p: AdapterPayload) => boolean) => {
    for (const key of entries.keys()) {
      if (!key.startsWith(`${model}:`)) continue;
      const payload = live(key);
      if (payload && match(payload)) return payload;
    }
    return undefined;
  };

  return (model: string): Adapter => {
    const keyOf = (id: string) => `${model}:${id}`;
    return {
      async upsert(id, payload, expiresIn) {
        const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : Infinity;
        entries.set(keyOf(id), { payload, expiresAt });
      },
      async find(id) {
        return live(keyOf(id));
      },
      async findByUid(uid) {
        return findWhere(model, (p) => p.uid === uid);
      },
      async findByUserCode(userCode) {
        return findWhere(model, (p) => p.userCode === userCode);
      },
      async consume(id) {
        const payload = live(keyOf(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        entries.delete(keyOf(id));
      },
      async revokeByGrantId(grantId) {
        for (const [key, entry] of entries) {
          const bound = GRANT_BOUND_MODELS.some((m) => key.startsWith(`${m}:`));
          if (bound && entry.payload.grantId === grantId) entries.delete(key);
        }
      },
    };
  };
}
