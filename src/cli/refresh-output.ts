import type { RefreshReport } from '../core/engine/engine-api.js';
import { localTime, span, until } from '../shared/time-text.js';
import type { CliContext } from './context.js';
import { EXIT } from './errors.js';

/** A clock this far from Vault's is worth a warning: STS and Vault both check timestamps. */
const SKEW_WARNING_MS = 60_000;

/**
 * What a refresh did, as every command that writes profiles prints it (refresh, profile add and
 * set, login): one line per profile on stdout, reasons on stderr; the exit code it means.
 */
export function printRefresh(ctx: CliContext, report: RefreshReport): number {
  const now = ctx.io.clock.now();
  for (const outcome of report.outcomes) {
    if (outcome.ok) {
      const { expiresAt, grantedTtlSeconds } = outcome;
      ctx.out(
        `${outcome.profile}: fresh until ${localTime(expiresAt, now)} (${until(expiresAt, now)}, ${span(grantedTtlSeconds)} granted)`,
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
  if (report.signInNeeded)
    ctx.io.stderr(
      'vault-aws-tray: Vault no longer accepts the token: run `vault-aws-tray login`\n',
    );
  return refreshExitCode(report);
}

export function refreshExitCode(report: RefreshReport): number {
  if (report.signInNeeded) return EXIT.signInNeeded;
  return report.outcomes.every((o) => o.ok) ? EXIT.ok : EXIT.failure;
}

/** `refresh --json`: per profile, fresh until when (ISO 8601 UTC) or why not. */
export function refreshJson(report: RefreshReport): string {
  const profiles = report.outcomes.map((o) =>
    o.ok
      ? {
          profile: o.profile,
          ok: true,
          expiresAt: new Date(o.expiresAt).toISOString(),
          grantedTtlSeconds: o.grantedTtlSeconds,
        }
      : { profile: o.profile, ok: false, message: o.message },
  );
  return JSON.stringify({ profiles, signInNeeded: report.signInNeeded }, null, 2);
}
