import { parseArgs } from 'node:util';
import { CredentialsFileError } from '../../core/aws/errors.js';
import { canRead } from '../../core/vault/discovery.js';
import { MIN_STS_TTL_SECONDS } from '../../core/vault/aws-credentials.js';
import { VaultError } from '../../core/vault/errors.js';
import { profileNameProblem } from '../../shared/profile-name.js';
import type { ProfileSettings } from '../../shared/settings.js';
import type { CliContext } from '../context.js';
import { engineRefusal } from '../credentials-source.js';
import { failure, usageError } from '../errors.js';
import { parseDuration, span } from '../format.js';
import { refresh } from './refresh.js';

function checkName(name: string | undefined): string {
  if (name === undefined) throw usageError('missing profile name');
  const problem = profileNameProblem(name);
  if (problem) throw usageError(problem);
  return name;
}

async function add(ctx: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      mount: { type: 'string' },
      endpoint: { type: 'string' },
      ttl: { type: 'string' },
      lead: { type: 'string' },
      'role-arn': { type: 'string' },
      region: { type: 'string' },
      delivery: { type: 'string' },
      adopt: { type: 'boolean' },
    },
  });
  if (positionals.length > 1)
    throw usageError(`one profile at a time (got ${positionals.join(', ')})`);
  const name = checkName(positionals[0]);
  if (!values.role) throw usageError('missing --role: the Vault AWS role that feeds this profile');
  const endpoint = values.endpoint ?? 'creds';
  if (endpoint !== 'creds' && endpoint !== 'sts')
    throw usageError(`--endpoint must be creds or sts, not "${endpoint}"`);
  let ttlSeconds: number | undefined;
  if (values.ttl !== undefined) {
    ttlSeconds = parseDuration(values.ttl);
    if (ttlSeconds === undefined)
      throw usageError(`--ttl ${values.ttl} is not a duration (like 15m, 1h or 3600s)`);
    if (ttlSeconds < MIN_STS_TTL_SECONDS)
      throw usageError(`--ttl ${values.ttl} is under AWS's minimum of 15 minutes`);
  }
  let leadSeconds: number | undefined;
  if (values.lead !== undefined) {
    leadSeconds = parseDuration(values.lead);
    if (!leadSeconds)
      throw usageError(`--lead ${values.lead} is not a duration (like 10m or 600s)`);
  }
  const delivery = checkDelivery(values.delivery ?? 'file');
  // An install path that credential_process cannot call is refused now, not at the first write.
  if (delivery === 'process') ctx.processLine(name);
  const settings = ctx.settings.read();
  if (settings.profiles[name])
    throw failure(`profile ${name} is already managed; remove it first to change it`);
  const binding: ProfileSettings = {
    mount: (values.mount ?? 'aws').replace(/^\/+|\/+$/g, ''),
    role: values.role,
    endpoint,
    ttlSeconds,
    leadSeconds,
    roleArn: values['role-arn'],
    region: values.region,
    delivery,
    adopt: values.adopt ?? false,
    written: false,
  };

  const inspection = await ctx.writer(settings).inspect(name);
  if ((inspection.inCredentialsFile || inspection.inConfigFile) && !binding.adopt) {
    const paths = ctx.awsPaths(settings);
    const where = inspection.inCredentialsFile ? paths.credentialsFile : paths.configFile;
    throw failure(
      `profile ${name} already exists in ${where} and vault-aws-tray does not manage it; add --adopt to take it over (its current content is kept in a backup)`,
    );
  }
  for (const finding of inspection.shadowing) ctx.warn(finding.message);

  // Tell now, not at the first refresh, when the policies do not allow reading the role.
  if (settings.vault) {
    const connection = ctx.connection({}, settings);
    const token = await ctx.storedToken(connection);
    if (token) {
      const path = `${binding.mount}/${binding.endpoint}/${binding.role}`;
      let allowed: boolean;
      try {
        allowed = await canRead(ctx.client(connection, token), { profile: name, ...binding });
      } catch (error) {
        if (!(error instanceof VaultError)) throw error;
        ctx.warn(`could not ask Vault whether you may read ${path} (${error.message})`);
        allowed = true;
      }
      if (!allowed) {
        const needed = binding.endpoint === 'creds' ? 'read' : 'update';
        throw failure(
          `your Vault policies do not allow ${needed} on ${path}; ask your Vault admin, or check --role and --mount`,
        );
      }
    }
  }

  const ttl = ttlSeconds ? `, ${span(ttlSeconds)} credentials` : '';
  const added = `Added profile ${name} fed by Vault ${binding.mount}/${binding.endpoint}/${binding.role}${ttl}${delivery === 'process' ? ', delivered by credential_process' : ''}`;
  const reply = await ctx.engine({ op: 'profile-add', name, binding });
  if (reply && !reply.ok) throw engineRefusal(reply);
  if (reply) {
    ctx.out(`${added}; the running engine writes it now`);
    return 0;
  }
  ctx.settings.update((s) => ({ ...s, profiles: { ...s.profiles, [name]: binding } }));
  ctx.out(`${added}; run \`vault-aws-tray refresh ${name}\` to write it`);
  return 0;
}

function checkDelivery(value: string): ProfileSettings['delivery'] {
  if (value !== 'file' && value !== 'process')
    throw usageError(`--delivery must be file or process, not "${value}"`);
  return value;
}

/** `profile set NAME --delivery file|process`: moves the profile between the two deliveries. */
async function set(ctx: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { delivery: { type: 'string' } },
  });
  const name = checkName(positionals[0]);
  if (values.delivery === undefined) throw usageError('profile set needs --delivery file|process');
  const delivery = checkDelivery(values.delivery);
  if (delivery === 'process') ctx.processLine(name);
  const settings = ctx.settings.read();
  const binding = settings.profiles[name];
  if (!binding) throw failure(`no managed profile named ${name}`);
  const moved = `${name}: delivered by ${delivery === 'process' ? 'credential_process' : 'static keys in the credentials file'}`;
  if (binding.delivery === delivery) {
    ctx.out(`${moved} already`);
    return 0;
  }
  const reply = await ctx.engine({ op: 'profile-delivery', name, delivery });
  if (reply && !reply.ok) throw engineRefusal(reply);
  if (reply) {
    ctx.out(`${moved} from now on`);
    return 0;
  }
  const next = ctx.settings.update((s) => ({
    ...s,
    profiles: { ...s.profiles, [name]: { ...binding, delivery } },
  }));
  ctx.out(`${moved} from now on`);
  // Static keys need fresh credentials: the refresh writes them and drops the helper line.
  if (delivery === 'file') return binding.written ? refresh(ctx, [name]) : 0;
  if (binding.written) {
    await ctx
      .writer(next)
      .applyProfiles([
        { profile: name, credentialProcess: ctx.processLine(name), region: binding.region },
      ]);
  }
  return 0;
}

async function remove(ctx: CliContext, args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const name = checkName(positionals[0]);
  const settings = ctx.settings.read();
  const binding = settings.profiles[name];
  if (!binding) throw failure(`no managed profile named ${name}`);
  const reply = await ctx.engine<{ hadSections: boolean }>({ op: 'profile-remove', name });
  if (reply && !reply.ok) throw engineRefusal(reply);
  if (reply) {
    ctx.out(
      `Removed profile ${name}${reply.hadSections ? ' and its sections from the AWS files' : ''}`,
    );
    return 0;
  }
  if (binding.written) {
    try {
      await ctx.writer(settings).removeProfile(name);
    } catch (error) {
      if (error instanceof CredentialsFileError) throw failure(error.message);
      throw error;
    }
  }
  ctx.settings.update((s) => {
    const { [name]: _removed, ...rest } = s.profiles;
    return { ...s, profiles: rest };
  });
  await ctx.state.update((state) => {
    const { [name]: _gone, ...profiles } = state.profiles;
    return { ...state, profiles };
  });
  ctx.out(
    binding.written
      ? `Removed profile ${name} and its sections from the AWS files`
      : `Removed profile ${name}`,
  );
  return 0;
}

async function list(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
  const profiles = ctx.settings.read().profiles;
  if (values.json) {
    const rows = Object.entries(profiles).map(([name, p]) => ({
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
    ctx.out(JSON.stringify(rows, null, 2));
    return 0;
  }
  if (Object.keys(profiles).length === 0) {
    ctx.out('No profiles yet: add one with `vault-aws-tray profile add NAME --role ROLE`');
    return 0;
  }
  for (const [name, p] of Object.entries(profiles)) {
    const extras = [
      p.ttlSeconds ? `ttl ${span(p.ttlSeconds)}` : '',
      p.leadSeconds ? `refreshed ${span(p.leadSeconds)} before expiry` : '',
      p.region ? `region ${p.region}` : '',
      p.roleArn ? `role ARN ${p.roleArn}` : '',
      p.delivery === 'process' ? 'by credential_process' : '',
    ]
      .filter(Boolean)
      .join(', ');
    ctx.out(`${name}\t${p.mount}/${p.endpoint}/${p.role}${extras ? `\t${extras}` : ''}`);
  }
  return 0;
}

export async function profile(ctx: CliContext, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'add':
      return add(ctx, rest);
    case 'remove':
      return remove(ctx, rest);
    case 'list':
      return list(ctx, rest);
    case 'set':
      return set(ctx, rest);
    default:
      throw usageError(
        sub
          ? `unknown profile command "${sub}" (add, remove, set or list)`
          : 'profile needs a command: add, remove, set or list',
      );
  }
}
