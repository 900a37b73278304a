import { profileNameProblem } from '../../shared/profile-name.js';
import { bindingProblem, newBindingSchema } from '../../shared/settings.js';
import type { NewBinding, ProfileSettings, Settings } from '../../shared/settings.js';
import type { ProfileCheck } from '../../shared/ipc.js';
import { CredentialsFileError } from '../aws/errors.js';
import { canRead } from '../vault/discovery.js';
import { VaultError } from '../vault/errors.js';
import type {
  AddProfilesReport,
  ListedProfile,
  ProfileChange,
  RemoveProfileReport,
  SetProfileReport,
} from './engine-api.js';
import { badRequest, failure, notFound } from './engine-errors.js';
import { nextRefreshAt, runBatch } from './refresh-batch.js';
import type { BatchContext } from './refresh-batch.js';
import { refreshReport } from './refresh.js';
import type { RefreshResult } from './refresh.js';

/** What profile changes need of the engine, beyond what a batch needs. */
export interface ProfileOpsContext extends BatchContext {
  /** Refreshes `names` as one batch, after the work in flight. */
  enqueue(names: string[]): Promise<RefreshResult>;
  /** Runs `work` in the refresh queue: one writer of the files at a time. */
  serialize<T>(work: () => Promise<T>): Promise<T>;
}

/** The binding, or the not_found refusal every front end shows alike. */
export function bindingOf(settings: Settings, name: string): ProfileSettings {
  if (!Object.hasOwn(settings.profiles, name)) throw notFound(name);
  return settings.profiles[name]!;
}

function checkName(name: string): void {
  const problem = profileNameProblem(name);
  if (problem) throw badRequest(problem);
}

function parseBinding(binding: NewBinding): ProfileSettings {
  const problem = bindingProblem(binding);
  if (problem) throw badRequest(problem);
  return { ...newBindingSchema.parse(binding), written: false };
}

/** Validates new profiles, checks the files and the policies, saves them, and writes them now. */
export async function addProfiles(
  ctx: ProfileOpsContext,
  requested: Array<{ name: string; binding: NewBinding }>,
  options: { refresh: boolean },
): Promise<AddProfilesReport> {
  const settings = ctx.settings();
  const bindings: Record<string, ProfileSettings> = {};
  for (const { name, binding } of requested) {
    checkName(name);
    if (Object.hasOwn(bindings, name)) throw badRequest(`profile ${name} is named twice`);
    if (Object.hasOwn(settings.profiles, name))
      throw failure(`profile ${name} is already managed; remove it first to change it`);
    bindings[name] = parseBinding(binding);
    // An install path that credential_process cannot call is refused now, not at the first write.
    if (bindings[name].delivery === 'process') ctx.services.processLine(name);
  }
  const names = Object.keys(bindings);
  const shadowing: string[] = [];
  for (const name of names) {
    const found = await ctx.services.writer().inspect(name);
    if ((found.inCredentialsFile || found.inConfigFile) && !bindings[name]!.adopt) {
      const paths = ctx.services.awsPaths();
      const where = found.inCredentialsFile ? paths.credentialsFile : paths.configFile;
      throw failure(
        `profile ${name} already exists in ${where} and vault-aws-tray does not manage it; add --adopt to take it over (its current content is kept in a backup)`,
      );
    }
    shadowing.push(...found.shadowing.map((f) => f.message));
  }
  const warnings = await checkPolicies(ctx, bindings);
  ctx.updateSettings((s) => ({ ...s, profiles: { ...s.profiles, ...bindings } }));
  ctx.logger.info(`${names.join(', ')}: added`);
  for (const name of names)
    ctx.book.entry(name).due = options.refresh ? ctx.clock.now() : undefined;
  const report: AddProfilesReport = { added: names, shadowing, warnings };
  if (!options.refresh || !ctx.token()) {
    await ctx.persist('profiles');
    ctx.changed();
    return { ...report, waiting: options.refresh ? 'sign-in' : 'refresh' };
  }
  return { ...report, refresh: refreshReport(await ctx.enqueue(names)) };
}

/** Tells now, not at the first refresh, when the policies do not allow reading a role. */
async function checkPolicies(
  ctx: ProfileOpsContext,
  bindings: Record<string, ProfileSettings>,
): Promise<string[]> {
  const token = ctx.token();
  if (!token) return [];
  const warnings: string[] = [];
  for (const [name, binding] of Object.entries(bindings)) {
    const path = `${binding.mount}/${binding.endpoint}/${binding.role}`;
    let allowed: boolean;
    try {
      allowed = await canRead(ctx.services.client(token), { profile: name, ...binding });
    } catch (error) {
      if (!(error instanceof VaultError)) throw error;
      warnings.push(`could not ask Vault whether you may read ${path} (${error.message})`);
      continue;
    }
    if (!allowed) {
      const needed = binding.endpoint === 'creds' ? 'read' : 'update';
      throw failure(
        `your Vault policies do not allow ${needed} on ${path}; ask your Vault admin, or check --role and --mount`,
      );
    }
  }
  return warnings;
}

/** Fields that change what Vault hands out: the credentials held for the old ones are dropped. */
const READ_FIELDS = ['mount', 'role', 'endpoint', 'ttlSeconds', 'roleArn'] as const;

/** Changes a profile's delivery, region, TTL, lead, endpoint or role ARN; the files follow now. */
export async function setProfile(
  ctx: ProfileOpsContext,
  name: string,
  change: ProfileChange,
): Promise<SetProfileReport> {
  const current = bindingOf(ctx.settings(), name);
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(change))
    if (value !== undefined) merged[key] = value ?? undefined;
  const { written, adopt: _adopt, ...fields } = merged as ProfileSettings;
  const next = { ...parseBinding({ ...fields, adopt: false }), written };
  const same = (key: keyof ProfileSettings) =>
    JSON.stringify(current[key]) === JSON.stringify(next[key]);
  const differs = (Object.keys(next) as Array<keyof ProfileSettings>).filter((k) => !same(k));
  if (differs.length === 0) return { name, changed: false };
  if (next.delivery === 'process') ctx.services.processLine(name);
  const entry = ctx.book.entry(name);
  const reread = READ_FIELDS.some((field) => differs.includes(field));
  return ctx.serialize(async () => {
    ctx.updateSettings((s) => ({ ...s, profiles: { ...s.profiles, [name]: next } }));
    ctx.logger.info(`${name}: changed (${differs.join(', ')})`);
    if (differs.includes('delivery')) entry.ours = undefined;
    if (reread) entry.held = undefined;
    if (differs.length === 1 && differs[0] === 'leadSeconds') {
      // Only the timing moved: the next refresh, not the files.
      const { expiresAt, grantedTtlSeconds } = entry.record;
      if (expiresAt !== undefined && grantedTtlSeconds)
        entry.due = nextRefreshAt(ctx.settings(), name, expiresAt, grantedTtlSeconds, ctx.random);
      await ctx.persist('profiles');
      ctx.changed();
      return { name, changed: true };
    }
    if (next.delivery === 'process' && written && !reread) {
      // The helper's line needs no credentials: written as it is, with no Vault read.
      await ctx.services
        .writer()
        .applyProfiles([
          { profile: name, credentialProcess: ctx.services.processLine(name), region: next.region },
        ]);
      ctx.changed();
      return { name, changed: true };
    }
    entry.due = ctx.clock.now();
    if (!ctx.token()) {
      entry.record = { ...entry.record, rewrite: true };
      await ctx.persist('profiles');
      ctx.changed();
      return { name, changed: true, waiting: 'sign-in' as const };
    }
    // Already in the queue: the batch runs here (enqueue would wait for this very job).
    return { name, changed: true, refresh: refreshReport(await runBatch(ctx, [name])) };
  });
}

/** Stops managing a profile and removes its sections (unless `keepSections`). */
export function removeProfile(
  ctx: ProfileOpsContext,
  name: string,
  options: { keepSections: boolean },
): Promise<RemoveProfileReport> {
  const binding = bindingOf(ctx.settings(), name);
  // In the refresh queue, so that a batch in flight cannot write it back afterwards.
  return ctx.serialize(async () => {
    const remove = binding.written && !options.keepSections;
    if (remove) await ctx.services.writer().removeProfile(name);
    ctx.updateSettings((s) => {
      const { [name]: _removed, ...profiles } = s.profiles;
      return { ...s, profiles };
    });
    ctx.book.forget(name);
    await ctx.persist('profiles');
    ctx.logger.info(`${name}: removed`);
    ctx.changed();
    return { name, hadSections: remove };
  });
}

/** Whether a name can become a new profile, and what is in the files under it. */
export async function checkProfile(ctx: ProfileOpsContext, name: string): Promise<ProfileCheck> {
  const problem = profileNameProblem(name);
  if (problem) return { problem, exists: false, shadowing: [] };
  if (Object.hasOwn(ctx.settings().profiles, name))
    return {
      problem: `profile ${name} is already managed by the app`,
      exists: false,
      shadowing: [],
    };
  try {
    const found = await ctx.services.writer().inspect(name);
    return {
      exists: found.inCredentialsFile || found.inConfigFile,
      shadowing: found.shadowing.map((f) => f.message),
    };
  } catch (error) {
    if (error instanceof CredentialsFileError)
      return { problem: error.message, exists: false, shadowing: [] };
    throw error;
  }
}

export function listProfiles(settings: Settings): ListedProfile[] {
  return Object.entries(settings.profiles).map(([name, p]) => ({
    name,
    mount: p.mount,
    role: p.role,
    endpoint: p.endpoint,
    ttlSeconds: p.ttlSeconds ?? null,
    leadSeconds: p.leadSeconds ?? null,
    roleArn: p.roleArn ?? null,
    region: p.region ?? null,
    delivery: p.delivery,
  }));
}
