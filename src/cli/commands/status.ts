import type { CommandInput } from '../command-specs.js';
import type { EngineStatus } from '../../core/engine/engine-api.js';
import { localTime, until } from '../../shared/time-text.js';
import type { CliContext } from '../context.js';

/** `14:32, in 47m`: the local time people read everywhere, and how far it is. */
const when = (ms: number, now: number) => `${localTime(ms, now)}, ${until(ms, now)}`;

function engineLine({ status, pid }: EngineStatus): string {
  if (status.engine === 'none')
    return 'Engine: none running (profiles change only when you run `vault-aws-tray refresh`; `vault-aws-tray daemon` keeps them fresh)';
  return `Engine: ${status.engine === 'app' ? 'the tray app' : 'the daemon'} (pid ${pid}) keeps the profiles fresh`;
}

function print(ctx: CliContext, answer: EngineStatus, now: number): void {
  const { status } = answer;
  ctx.out(engineLine(answer));
  const s = status.session;
  const who = `${s.address ? ` at ${s.address}` : ''}${s.displayName ? ` as ${s.displayName}` : ''}`;
  if (s.state === 'signed_out') ctx.out('Vault: signed out (run `vault-aws-tray login`)');
  else if (s.state === 'needs_sign_in')
    ctx.out(`Vault: needs sign in${who} (run \`vault-aws-tray login\`)`);
  else {
    const expiry = s.expiresAt
      ? `, token expires ${when(Date.parse(s.expiresAt), now)}`
      : ', token does not expire';
    ctx.out(`Vault: ${s.state.replace(/_/g, ' ')}${who}${expiry}`);
  }
  if (status.profiles.length === 0) ctx.out('No profiles yet.');
  for (const p of status.profiles) {
    const expiry = p.expiresAt
      ? ` (${Date.parse(p.expiresAt) > now ? 'expires' : 'expired'} ${when(Date.parse(p.expiresAt), now)})`
      : '';
    const error = p.lastError && p.state !== 'fresh' ? ` — ${p.lastError.message}` : '';
    ctx.out(
      `${p.name}: ${p.state.replace(/_/g, ' ')}${expiry} ← ${p.mount}/${p.endpoint}/${p.role}${error}`,
    );
  }
}

/** `status [--json]`: the session and every profile, in the states of docs/engine.md. */
export async function status(ctx: CliContext, { values }: CommandInput<'status'>): Promise<number> {
  const answer = await ctx.engine().status();
  if (values.json) ctx.out(JSON.stringify(answer.status, null, 2));
  else print(ctx, answer, ctx.io.clock.now());
  return 0;
}
