import type { DoctorFinding, DoctorReport } from '../../core/engine/engine-api.js';
import { loginVault } from '../../core/vault/sign-in-methods.js';
import type { VaultSettings } from '../../shared/settings.js';
import type { CommandInput } from '../command-specs.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../errors.js';

function engineFinding({ engine, pid }: DoctorReport): DoctorFinding {
  return engine === 'none'
    ? {
        level: 'ok',
        check: 'engine',
        message:
          'none running: the CLI works on its own (`vault-aws-tray daemon` keeps profiles fresh)',
      }
    : {
        level: 'ok',
        check: 'engine',
        message: `${engine === 'app' ? 'the tray app' : 'the daemon'} (pid ${pid}) answers; every command goes through it`,
      };
}

/** VAULT_ADDR names another Vault than the saved one: only `login` follows it. */
function addressFinding(ctx: CliContext): DoctorFinding | undefined {
  const fromEnv = ctx.io.env.VAULT_ADDR?.replace(/\/+$/, '');
  let saved: string | undefined;
  try {
    saved = ctx.savedSettings().vault?.address;
  } catch {
    return undefined;
  }
  if (!fromEnv || !saved || fromEnv === saved) return undefined;
  return {
    level: 'warn',
    check: 'vault',
    message: `VAULT_ADDR is ${fromEnv} but the saved Vault is ${saved}: \`login\` signs in to ${fromEnv} and saves it; every other command uses ${saved}`,
  };
}

/** The Vault `login` would sign in to (VAULT_ADDR and the TLS variables), if there is one. */
function loginCandidate(ctx: CliContext): VaultSettings | undefined {
  try {
    return loginVault(ctx.savedSettings().vault, ctx.io.env, {});
  } catch {
    return undefined;
  }
}

/** `doctor`: what the engine that answers sees (docs/engine.md), and which engine that is. */
export async function doctor(ctx: CliContext, { values }: CommandInput<'doctor'>): Promise<number> {
  const report = await ctx.engine().doctor(loginCandidate(ctx));
  const note = addressFinding(ctx);
  const found = [engineFinding(report), ...report.findings, ...(note ? [note] : [])];
  if (values.json) ctx.out(JSON.stringify({ engine: report.engine, findings: found }, null, 2));
  else for (const f of found) ctx.out(`${f.level.padEnd(5)} ${f.check}: ${f.message}`);
  return found.some((f) => f.level === 'error') ? EXIT.failure : EXIT.ok;
}
