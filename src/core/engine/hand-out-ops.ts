import type { Settings } from '../../shared/settings.js';
import type { AwsCredentials } from '../vault/aws-credentials.js';
import { bindingFingerprint } from './cached-credentials.js';
import type { CachedCredentials } from './cached-credentials.js';
import type { CredentialMemory } from './credential-cache.js';
import type { HandOut } from './engine-api.js';
import { failure } from './engine-errors.js';
import { canHandOut } from './hand-out.js';
import type { ProfileBook } from './profile-book.js';
import { bindingOf } from './profile-ops.js';
import type { ProfileOpsContext } from './profile-ops.js';

/** Cached credentials as held ones, when they were read for the profile's current binding. */
export function recall(
  settings: Settings,
  name: string,
  cached: CachedCredentials | undefined,
): AwsCredentials | undefined {
  const binding = settings.profiles[name];
  if (!cached || !binding || cached.binding !== bindingFingerprint(settings.vault, binding))
    return undefined;
  const { binding: _binding, ...credentials } = cached;
  return credentials;
}

/** What the engine holds, as the credential memory keeps it. */
export function heldEntries(
  settings: Settings,
  book: ProfileBook,
  names: string[],
): Record<string, CachedCredentials> {
  const out: Record<string, CachedCredentials> = {};
  for (const name of names) {
    const held = book.get(name)?.held;
    const binding = settings.profiles[name];
    if (!held || !binding) continue;
    const { arn: _arn, ...credentials } = held;
    out[name] = { binding: bindingFingerprint(settings.vault, binding), ...credentials };
  }
  return out;
}

/**
 * A profile's credentials for credential_process, env and exec (docs/engine.md "Credentials from
 * memory"): no Vault read while they may be handed out (hand-out.ts); older ones are read again
 * first; when Vault cannot give fresher ones, still-valid ones are handed out rather than none.
 */
export async function handOutCredentials(
  ctx: ProfileOpsContext,
  memory: CredentialMemory,
  session: { requireToken(): string },
  name: string,
): Promise<HandOut> {
  const binding = bindingOf(ctx.settings(), name);
  const out = (credentials: AwsCredentials): HandOut => ({
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken || undefined,
      expiresAt: credentials.expiresAt,
    },
    region: binding.region ?? null,
  });
  return memory.exclusive(async () => {
    const entry = ctx.book.entry(name);
    // Another process may have read Vault for this profile while this one waited.
    const cached = recall(ctx.settings(), name, (await memory.load())[name]);
    if (cached && (!entry.held || cached.expiresAt > entry.held.expiresAt)) entry.held = cached;
    if (entry.held && canHandOut(entry.held, ctx.clock.now())) return out(entry.held);
    let failed: string | undefined;
    if (ctx.token()) {
      const result = await ctx.enqueue([name]);
      const outcome = result.outcomes.find((o) => o.profile === name);
      if (!result.signInNeeded && outcome && !outcome.ok) failed = outcome.message;
    }
    const latest = ctx.book.get(name)?.held;
    if (latest && latest.expiresAt > ctx.clock.now()) return out(latest);
    if (failed) throw failure(`${name}: ${failed}`);
    session.requireToken();
    throw failure(`${name}: Vault gave no credentials`);
  });
}
