import { parseArgs } from 'node:util';
import type { RefreshReport } from '../../core/engine/engine-endpoint.js';
import { refreshProfiles, refreshReport } from '../../core/engine/refresh.js';
import { withRecord } from '../../core/engine/state-file.js';
import type { Settings } from '../../shared/settings.js';
import type { CliContext } from '../context.js';
import { engineRefusal } from '../credentials-source.js';
import { EXIT, failure, signInNeeded } from '../errors.js';
import { instant, span, until } from '../format.js';

/** A clock this far from Vault's is worth a warning: STS and Vault both check timestamps. */
const SKEW_WARNING_MS = 60_000;

/** `refresh [NAME...]`: full fresh credentials from Vault for the named (or all) profiles. */
export async function refresh(ctx: CliContext, args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const settings = ctx.settings.read();
  const names = positionals.length > 0 ? positionals : Object.keys(settings.profiles);
  const unknown = names.filter((n) => !settings.profiles[n]);
  if (unknown.length > 0) throw failure(`no managed profile named ${unknown.join(', ')}`);
  if (names.length === 0) {
    ctx.out('No profiles to refresh: add one with `vault-aws-tray profile add NAME --role ROLE`');
    return EXIT.ok;
  }
  const reply = await ctx.engine<RefreshReport>({ op: 'refresh', profiles: names });
  if (reply && !reply.ok) throw engineRefusal(reply);
  const report = reply ?? (await refreshHere(ctx, settings, names));
  return print(ctx, report);
}

/** With no engine running, the CLI reads and writes itself, and keeps the state file. */
async function refreshHere(
  ctx: CliContext,
  settings: Settings,
  names: string[],
): Promise<RefreshReport> {
  if (!settings.vault) throw signInNeeded('not signed in: run `vault-aws-tray login` first');
  const connection = ctx.connection({}, settings);
  const token = await ctx.storedToken(connection);
  if (!token)
    throw signInNeeded(`not signed in to ${connection.address}: run \`vault-aws-tray login\``);

  const result = await refreshProfiles(
    {
      client: ctx.client(connection, token),
      writer: ctx.writer(settings),
      clock: ctx.io.clock,
      processLine: (profile) => ctx.processLine(profile),
    },
    names.map((profile) => ({ profile, settings: settings.profiles[profile]! })),
  );
  const now = ctx.io.clock.now();
  const written = new Set(result.outcomes.filter((o) => o.ok).map((o) => o.profile));
  if (written.size > 0) {
    ctx.settings.update((s) => ({
      ...s,
      profiles: Object.fromEntries(
        Object.entries(s.profiles).map(([n, p]) => [
          n,
          written.has(n) ? { ...p, written: true, adopt: false } : p,
        ]),
      ),
    }));
  }
  await ctx.state.update((state) => {
    let next =
      result.signInNeeded && state.session
        ? { ...state, session: { ...state.session, expiresAt: now } }
        : state;
    for (const outcome of result.outcomes) {
      next = withRecord(next, outcome.profile, (record) =>
        outcome.ok
          ? {
              expiresAt: outcome.credentials.expiresAt,
              grantedTtlSeconds: outcome.credentials.grantedTtlSeconds,
              lastRefreshAt: now,
            }
          : { ...record, lastError: { at: now, kind: outcome.kind, message: outcome.message } },
      );
    }
    return next;
  });
  return refreshReport(result);
}

function print(ctx: CliContext, report: RefreshReport): number {
  const now = ctx.io.clock.now();
  for (const outcome of report.outcomes) {
    if (outcome.ok) {
      const { expiresAt, grantedTtlSeconds } = outcome;
      ctx.out(
        `${outcome.profile}: fresh until ${instant(expiresAt)} (${until(expiresAt, now)}, ${span(grantedTtlSeconds)} granted)`,
      );
      for (const warning of outcome.warnings)
        ctx.warn(`${outcome.profile}: Vault says: ${warning}`);
    } else {
      ctx.io.stderr(`vault-aws-tray: ${outcome.profile}: ${outcome.message}\n`);
    }
  }
  for (const message of report.shadowing) ctx.warn(message);
  if (report.clockSkewMs !== undefined && Math.abs(report.clockSkewMs) > SKEW_WARNING_MS) {
    const direction = report.clockSkewMs > 0 ? 'ahead of' : 'behind';
    ctx.warn(
      `this machine's clock is ${span(report.clockSkewMs / 1000)} ${direction} Vault's; expiry times may be off by as much`,
    );
  }
  if (report.signInNeeded) {
    ctx.io.stderr(
      'vault-aws-tray: Vault no longer accepts the token: run `vault-aws-tray login`\n',
    );
    return EXIT.signInNeeded;
  }
  return report.outcomes.every((o) => o.ok) ? EXIT.ok : EXIT.failure;
}
