import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { newBindingSchema, vaultSettingsSchema } from '../shared/settings.js';
import type { NewBinding, ProfileSettings, Settings, VaultSettings } from '../shared/settings.js';
import type { TeamSettings } from '../shared/team-settings.js';
import type { EngineApi, ProfileChange, RefreshReport, Waiting } from './engine/engine-api.js';
import { writePrivateFile } from './private-file.js';

/**
 * A team file applied to this machine's settings (docs/team-settings.md): first a plan that says
 * what changes, for the user to confirm, then the change through the engine's operations, so the
 * CLI's `setup`, the window's "Use team settings…" and the system-wide defaults change settings
 * and files the one way every other command does.
 */

/**
 * Where a team file's inline CA is kept, named by its content: other certificates are another
 * file, so the Vault settings change and every engine takes them up (a client is made once per
 * settings change), and the same certificates are no change at all.
 */
export function teamCaFile(configDir: string, pem: string): string {
  const digest = createHash('sha256').update(pem.trim()).digest('hex').slice(0, 16);
  return join(configDir, `team-ca-${digest}.pem`);
}

/** The CA files of team files (teamCaFile), for removing the ones no longer in use. */
export const TEAM_CA_NAME = /^team-ca-[0-9a-f]{16}\.pem$/;

export interface FieldChange {
  field: string;
  from?: string;
  to?: string;
}

export interface SetupPlan {
  /** The Vault settings to save, with what differs from the saved ones (all, the first time). */
  vault?: { next: VaultSettings; changes: FieldChange[]; replaces: boolean };
  /** The inline CA, written to `vault.next.caFile` before the Vault settings are saved. */
  caPem?: string;
  add: Array<{ name: string; binding: NewBinding }>;
  change: Array<{ name: string; binding: NewBinding; changes: FieldChange[] }>;
  /** Managed profiles the file does not name, removed with `prune`. */
  remove: string[];
  /** Managed profiles the file does not name, kept (no `prune`). */
  keep: string[];
  /** Profiles the file names that are already as it says. */
  same: string[];
}

/** A field as the plan shows it; unset, empty and off (false) all read as absent. */
const shown = (value: unknown): string | undefined =>
  value === undefined || value === '' || value === false ? undefined : String(value);

function changesBetween<T extends object>(
  before: T | undefined,
  after: T,
  fields: ReadonlyArray<keyof T & string>,
): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const from = shown(before?.[field]);
    const to = shown(after[field]);
    if (from !== to) changes.push({ field, from, to });
  }
  return changes;
}

const VAULT_FIELDS = [
  'address',
  'namespace',
  'caFile',
  'caPath',
  'serverName',
  'skipVerify',
  'authMethod',
  'authMount',
  'authRole',
  'callbackPort',
  'proxy',
  'issuer',
  'clientId',
  'scopes',
] as const satisfies ReadonlyArray<keyof VaultSettings>;

const PROFILE_FIELDS = [
  'mount',
  'role',
  'endpoint',
  'ttlSeconds',
  'leadSeconds',
  'roleArn',
  'roleSessionName',
  'region',
  'delivery',
] as const satisfies ReadonlyArray<keyof ProfileSettings>;

/** `~/` in a CA path is the home folder of whoever applies the file. */
function expandHome(path: string, home: string): string {
  return path === '~' || path.startsWith('~/') ? join(home, path.slice(1)) : path;
}

/** What applying `team` to `current` changes; nothing is written. */
export function planSetup(
  current: Settings,
  team: TeamSettings,
  options: { prune: boolean; configDir: string; home?: string },
): SetupPlan {
  const plan: SetupPlan = { add: [], change: [], remove: [], keep: [], same: [] };
  if (team.vault) {
    const { caPem, caFile, ...rest } = team.vault;
    const ca = caPem
      ? teamCaFile(options.configDir, caPem)
      : caFile && expandHome(caFile, options.home ?? homedir());
    const next = vaultSettingsSchema.parse({ ...rest, ...(ca ? { caFile: ca } : {}) });
    const changes = changesBetween(current.vault, next, VAULT_FIELDS);
    if (changes.length > 0) plan.vault = { next, changes, replaces: current.vault !== undefined };
    // Written again when missing (a folder copied without it), though the settings name it.
    if (caPem && (changes.length > 0 || !existsSync(next.caFile!))) {
      plan.vault ??= { next, changes, replaces: false };
      plan.caPem = caPem;
    }
  }
  for (const [name, binding] of Object.entries(team.profiles)) {
    const saved = current.profiles[name];
    if (!saved) {
      plan.add.push({ name, binding });
      continue;
    }
    const changes = changesBetween(saved, newBindingSchema.parse(binding), PROFILE_FIELDS);
    if (changes.length === 0) plan.same.push(name);
    else plan.change.push({ name, binding, changes });
  }
  for (const name of Object.keys(current.profiles))
    if (!Object.hasOwn(team.profiles, name)) (options.prune ? plan.remove : plan.keep).push(name);
  return plan;
}

/** Changes to what the user has now (not additions): applied only once confirmed. */
export function planNeedsConsent(plan: SetupPlan): boolean {
  return Boolean(plan.vault?.replaces) || plan.change.length > 0 || plan.remove.length > 0;
}

export function planIsEmpty(plan: SetupPlan): boolean {
  return !plan.vault && plan.add.length + plan.change.length + plan.remove.length === 0;
}

function fieldLine(change: FieldChange): string {
  if (change.from === undefined) return `${change.field}: ${change.to}`;
  if (change.to === undefined) return `${change.field}: ${change.from} → (none)`;
  return `${change.field}: ${change.from} → ${change.to}`;
}

function bindingLine(binding: NewBinding): string {
  const b = newBindingSchema.parse(binding);
  const extra = [
    b.region && `region ${b.region}`,
    b.ttlSeconds && `TTL ${b.ttlSeconds}s`,
    b.delivery === 'process' && 'credential_process',
  ].filter(Boolean);
  return `${b.mount}/${b.endpoint}/${b.role}${extra.length ? ` (${extra.join(', ')})` : ''}`;
}

/** The plan in lines for a terminal or the window: what changes, and what stays. */
export function describePlan(
  plan: SetupPlan,
  /** How the reader removes the kept profiles: `--prune` in a terminal; the window has none. */
  pruneHint = '--prune removes them',
): string[] {
  // Kept profiles are said even when nothing changes: the user learns --prune exists.
  const keep =
    plan.keep.length > 0
      ? [`Keep ${plan.keep.join(', ')} (not in the file${pruneHint ? `; ${pruneHint}` : ''})`]
      : [];
  if (planIsEmpty(plan))
    return ['Nothing to change: the settings are already as the file says.', ...keep];
  const lines: string[] = [];
  if (plan.vault) {
    lines.push(plan.vault.replaces ? 'Change the Vault settings:' : 'Vault:');
    for (const change of plan.vault.changes) lines.push(`  ${fieldLine(change)}`);
    if (plan.caPem)
      lines.push(`  the CA certificates of the file, kept in ${plan.vault.next.caFile}`);
  }
  for (const { name, binding } of plan.add)
    lines.push(`Add profile ${name}: ${bindingLine(binding)}`);
  for (const { name, changes } of plan.change)
    lines.push(`Change profile ${name}: ${changes.map(fieldLine).join('; ')}`);
  for (const name of plan.remove) lines.push(`Remove profile ${name} and its sections`);
  return [...lines, ...keep];
}

export interface SetupReport {
  added: string[];
  changed: string[];
  removed: string[];
  vaultChanged: boolean;
  /** The profiles wait for a sign-in to be written. */
  waiting?: Waiting;
  /** The writes made now, when signed in. */
  refreshes: RefreshReport[];
}

/** What `profile set` can change; another mount, role or session name is another profile. */
const SETTABLE = [
  'endpoint',
  'ttlSeconds',
  'leadSeconds',
  'roleArn',
  'region',
  'delivery',
] as const satisfies ReadonlyArray<keyof ProfileChange>;

/** The `profile set` change that makes `saved` what the file says, or undefined when it cannot. */
function profileChange(binding: NewBinding, changes: FieldChange[]): ProfileChange | undefined {
  const b = newBindingSchema.parse(binding);
  if (!changes.every((c) => (SETTABLE as readonly string[]).includes(c.field))) return undefined;
  return {
    endpoint: b.endpoint,
    delivery: b.delivery,
    region: b.region ?? null,
    ttlSeconds: b.ttlSeconds ?? null,
    leadSeconds: b.leadSeconds ?? null,
    roleArn: b.roleArn ?? null,
  };
}

/**
 * Applies a plan with the engine's operations: the Vault first (its CA file before it), then
 * additions, changes and last removals, so that a refusal (the policies of a new role) comes
 * before anything is taken away. Each leaves the files as the engine leaves them for any command
 * (written now when signed in, else at the sign-in).
 */
export async function applySetup(engine: EngineApi, plan: SetupPlan): Promise<SetupReport> {
  const report: SetupReport = {
    added: [],
    changed: [],
    removed: [],
    vaultChanged: false,
    refreshes: [],
  };
  if (plan.caPem && plan.vault?.next.caFile) {
    await writePrivateFile(plan.vault.next.caFile, `${plan.caPem.trim()}\n`);
  }
  if (plan.vault) report.vaultChanged = (await engine.connect(plan.vault.next)).changed;
  if (plan.caPem) await removeOtherTeamCas(plan.vault?.next.caFile);
  const note = (result: { refresh?: RefreshReport; waiting?: Waiting }) => {
    if (result.refresh) report.refreshes.push(result.refresh);
    if (result.waiting) report.waiting = result.waiting;
  };
  if (plan.add.length > 0) {
    note(await engine.addProfiles(plan.add, { refresh: true }));
    report.added.push(...plan.add.map((a) => a.name));
  }
  const rebound: SetupPlan['add'] = [];
  for (const { name, binding, changes } of plan.change) {
    const change = profileChange(binding, changes);
    if (change) note(await engine.setProfile(name, change));
    else {
      // Another role or mount is another profile: its sections go, and it comes back as new.
      await engine.removeProfile(name, { keepSections: false });
      rebound.push({ name, binding });
    }
    report.changed.push(name);
  }
  if (rebound.length > 0) note(await engine.addProfiles(rebound, { refresh: true }));
  for (const name of plan.remove) {
    await engine.removeProfile(name, { keepSections: false });
    report.removed.push(name);
  }
  return report;
}

/** The earlier team CAs beside the one in use: no setting names them any more. */
async function removeOtherTeamCas(inUse: string | undefined): Promise<void> {
  if (!inUse) return;
  const folder = dirname(inUse);
  const names = await readdir(folder).catch(() => [] as string[]);
  for (const name of names)
    if (TEAM_CA_NAME.test(name) && name !== basename(inUse))
      await rm(join(folder, name), { force: true });
}

/**
 * What the engine would refuse in the plan, asked before the user confirms: a name that is not
 * a profile name, or a profile of that name in the AWS files that the app does not manage.
 */
export async function planProblems(engine: EngineApi, plan: SetupPlan): Promise<string[]> {
  const problems: string[] = [];
  for (const { name, binding } of plan.add) {
    const check = await engine.checkProfile(name);
    if (check.problem) problems.push(`${name}: ${check.problem}`);
    else if (check.exists && !binding.adopt)
      problems.push(
        `profile ${name} is already in the AWS files and vault-aws-tray does not manage it: remove it there, or set "adopt": true for it in the team file (its current text is then kept in a backup)`,
      );
  }
  return problems;
}
