import type { ProfileChange, Waiting } from '../../core/engine/engine-api.js';
import {
  LEAD_SECONDS,
  TTL_SECONDS,
  regionProblem,
  vaultNameProblem,
  vaultPathProblem,
} from '../../shared/fields.js';
import { profileNameProblem } from '../../shared/profile-name.js';
import type { NewBinding } from '../../shared/settings.js';
import { parseDuration, span } from '../../shared/time-text.js';
import type { CommandInput } from '../command-specs.js';
import type { CliContext } from '../context.js';
import { EXIT, usageError } from '../errors.js';
import { printRefresh } from '../refresh-output.js';

/**
 * The flags are checked here against the rules of src/shared/fields.ts, to name the flag in a
 * usage error; the engine checks the same rules again for every other way in.
 */
function checkName(name: string | undefined): string {
  if (name === undefined) throw usageError('missing profile name');
  const problem = profileNameProblem(name);
  if (problem) throw usageError(problem);
  return name;
}

function duration(
  flag: string,
  value: string | undefined,
  limits: { min: number; max: number },
): number | undefined {
  if (value === undefined) return undefined;
  const seconds = parseDuration(value);
  if (seconds === undefined)
    throw usageError(`--${flag} ${value} is not a duration (like 15m, 1h or 3600s)`);
  if (seconds < limits.min)
    throw usageError(`--${flag} ${value} is under the minimum of ${span(limits.min)}`);
  if (seconds > limits.max)
    throw usageError(`--${flag} ${value} is over the maximum of ${span(limits.max)}`);
  return seconds;
}

function checked(problem: string | undefined): void {
  if (problem) throw usageError(problem);
}

/** What the shared binding flags say, checked (their choices were, by the parser). */
function bindingFlags(values: CommandInput<'profile set'>['values']) {
  if (values.region !== undefined) checked(regionProblem(values.region));
  return {
    endpoint: values.endpoint as 'creds' | 'sts' | undefined,
    ttlSeconds: duration('ttl', values.ttl, TTL_SECONDS),
    leadSeconds: duration('lead', values.lead, LEAD_SECONDS),
    roleArn: values['role-arn'],
    region: values.region,
    delivery: values.delivery as 'file' | 'process' | undefined,
  };
}

const WAITING: Record<Waiting, (name: string) => string> = {
  'sign-in': () => '; it is written when you sign in (`vault-aws-tray login`)',
  refresh: (name) => `; run \`vault-aws-tray refresh ${name}\` to write it`,
};

/** `profile add NAME --role ROLE ...`: a new managed profile, written at once. */
export async function profileAdd(
  ctx: CliContext,
  { values, positionals }: CommandInput<'profile add'>,
): Promise<number> {
  const name = checkName(positionals[0]);
  // The parser refused a line without --role (command-specs.ts).
  checked(vaultNameProblem(values.role!, 'The role (--role)'));
  if (values.mount !== undefined) checked(vaultPathProblem(values.mount, 'The mount (--mount)'));
  const flags = bindingFlags(values);
  const binding: NewBinding = {
    ...flags,
    mount: (values.mount ?? 'aws').replace(/^\/+|\/+$/g, ''),
    role: values.role!,
    adopt: values.adopt ?? false,
  };
  const report = await ctx
    .engine()
    .addProfiles([{ name, binding }], { refresh: !values['no-refresh'] });
  for (const warning of [...report.warnings, ...report.shadowing]) ctx.warn(warning);
  const ttl = flags.ttlSeconds ? `, ${span(flags.ttlSeconds)} credentials` : '';
  const process = flags.delivery === 'process' ? ', delivered by credential_process' : '';
  const added = `Added profile ${name} fed by Vault ${binding.mount}/${flags.endpoint ?? 'creds'}/${binding.role}${ttl}${process}`;
  ctx.out(`${added}${report.waiting ? WAITING[report.waiting](name) : ''}`);
  return report.refresh ? printRefresh(ctx, report.refresh) : EXIT.ok;
}

/** The changes of `profile set` in words: "delivered by credential_process, region eu-west-1". */
function describe(change: ProfileChange): string {
  const parts: string[] = [];
  if (change.delivery)
    parts.push(
      `delivered by ${change.delivery === 'process' ? 'credential_process' : 'static keys in the credentials file'}`,
    );
  if (change.region) parts.push(`region ${change.region}`);
  if (change.ttlSeconds) parts.push(`${span(change.ttlSeconds)} credentials`);
  if (change.leadSeconds) parts.push(`refreshed ${span(change.leadSeconds)} before expiry`);
  if (change.endpoint) parts.push(`read from the ${change.endpoint} endpoint`);
  if (change.roleArn) parts.push(`role ARN ${change.roleArn}`);
  return parts.join(', ');
}

/** `profile set NAME ...`: changes a profile; the files follow at once. */
export async function profileSet(
  ctx: CliContext,
  { values, positionals }: CommandInput<'profile set'>,
): Promise<number> {
  const name = checkName(positionals[0]);
  const flags = bindingFlags(values);
  const change: ProfileChange = Object.fromEntries(
    Object.entries(flags).filter(([, value]) => value !== undefined),
  );
  if (Object.keys(change).length === 0)
    throw usageError(
      'profile set needs a change: --delivery, --region, --ttl, --lead, --endpoint or --role-arn',
    );
  const report = await ctx.engine().setProfile(name, change);
  const said = `${name}: ${describe(change)}`;
  if (!report.changed) {
    ctx.out(`${said} already`);
    return EXIT.ok;
  }
  ctx.out(`${said} from now on${report.waiting ? WAITING[report.waiting](name) : ''}`);
  return report.refresh ? printRefresh(ctx, report.refresh) : EXIT.ok;
}

/** `profile remove NAME`: no longer managed; its sections go too unless --keep-sections. */
export async function profileRemove(
  ctx: CliContext,
  { values, positionals }: CommandInput<'profile remove'>,
): Promise<number> {
  const name = checkName(positionals[0]);
  const keepSections = values['keep-sections'] ?? false;
  const report = await ctx.engine().removeProfile(name, { keepSections });
  ctx.out(
    report.hadSections && !keepSections
      ? `Removed profile ${name} and its sections from the AWS files`
      : `Removed profile ${name}`,
  );
  return EXIT.ok;
}

/** `profile list`: the managed profiles (`--names` for scripts and shell completion). */
export async function profileList(
  ctx: CliContext,
  { values }: CommandInput<'profile list'>,
): Promise<number> {
  const profiles = await ctx.engine().listProfiles();
  if (values.json) {
    ctx.out(JSON.stringify(profiles, null, 2));
    return EXIT.ok;
  }
  if (values.names) {
    for (const p of profiles) ctx.out(p.name);
    return EXIT.ok;
  }
  if (profiles.length === 0) {
    ctx.out('No profiles yet: add one with `vault-aws-tray profile add NAME --role ROLE`');
    return EXIT.ok;
  }
  for (const p of profiles) {
    const extras = [
      p.ttlSeconds ? `ttl ${span(p.ttlSeconds)}` : '',
      p.leadSeconds ? `refreshed ${span(p.leadSeconds)} before expiry` : '',
      p.region ? `region ${p.region}` : '',
      p.roleArn ? `role ARN ${p.roleArn}` : '',
      p.delivery === 'process' ? 'by credential_process' : '',
    ]
      .filter(Boolean)
      .join(', ');
    ctx.out(`${p.name}\t${p.mount}/${p.endpoint}/${p.role}${extras ? `\t${extras}` : ''}`);
  }
  return EXIT.ok;
}
