import { parseArgs } from 'node:util';
import { buildStatus, sessionState } from '../../core/engine/app-status.js';
import type { AppStatus } from '../../core/engine/app-status.js';
import { VaultError } from '../../core/vault/errors.js';
import { lookupSession } from '../../core/vault/session.js';
import type { VaultSession } from '../../core/vault/session.js';
import type { CliContext } from '../context.js';
import { engineRefusal } from '../credentials-source.js';
import { until } from '../format.js';

/** The session as Vault sees it now; when Vault cannot be asked, as it was last seen. */
async function currentSession(
  ctx: CliContext,
): Promise<{ session?: VaultSession; rejected: boolean; note?: string }> {
  const settings = ctx.settings.read();
  if (!settings.vault) return { rejected: false };
  const connection = ctx.connection({}, settings);
  const token = await ctx.storedToken(connection);
  if (!token) return { rejected: false };
  const stored = (await ctx.state.read()).session;
  try {
    const session = await lookupSession(
      ctx.client(connection, token),
      connection.namespace,
      ctx.io.clock,
    );
    await ctx.state.update((state) => ({ ...state, session }));
    return { session, rejected: false };
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    const fallback = stored ?? {
      address: connection.address,
      namespace: connection.namespace,
      displayName: '',
      user: '',
      policies: [],
      expiresAt: null,
      renewable: false,
    };
    if (error.kind === 'invalid_token') return { session: fallback, rejected: true };
    return { session: fallback, rejected: false, note: error.message };
  }
}

function print(ctx: CliContext, status: AppStatus, now: number, pid?: number): void {
  ctx.out(
    status.engine === 'none'
      ? 'Engine: none running (profiles change only when you run `vault-aws-tray refresh`; `vault-aws-tray daemon` keeps them fresh)'
      : `Engine: ${status.engine === 'app' ? 'the tray app' : 'the daemon'} (pid ${pid}) keeps the profiles fresh`,
  );
  const s = status.session;
  if (s.state === 'signed_out') ctx.out('Vault: signed out (run `vault-aws-tray login`)');
  else {
    const expiry = s.expiresAt
      ? `, token ${Date.parse(s.expiresAt) > now ? 'expires' : 'expired'} ${until(Date.parse(s.expiresAt), now)}`
      : '';
    ctx.out(
      `Vault: ${s.state.replace(/_/g, ' ')} at ${s.address}${s.displayName ? ` as ${s.displayName}` : ''}${expiry}`,
    );
  }
  if (status.profiles.length === 0) ctx.out('No profiles yet.');
  for (const p of status.profiles) {
    const expiry = p.expiresAt
      ? ` (${Date.parse(p.expiresAt) > now ? 'expires' : 'expired'} ${until(Date.parse(p.expiresAt), now)})`
      : '';
    const error = p.lastError && p.state !== 'fresh' ? ` — ${p.lastError.message}` : '';
    ctx.out(
      `${p.name}: ${p.state.replace(/_/g, ' ')}${expiry} ← ${p.mount}/${p.endpoint}/${p.role}${error}`,
    );
  }
}

/** `status [--json]`: the session and every profile, in the states of design.md. */
export async function status(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
  const reply = await ctx.engine<{ status: AppStatus; pid: number }>({ op: 'status' });
  if (reply && !reply.ok) throw engineRefusal(reply);
  if (reply) {
    if (values.json) ctx.out(JSON.stringify(reply.status, null, 2));
    else print(ctx, reply.status, ctx.io.clock.now(), reply.pid);
    return 0;
  }
  const { session, rejected, note } = await currentSession(ctx);
  const now = ctx.io.clock.now();
  const result = buildStatus({
    now,
    session,
    sessionState: sessionState(session, rejected, now),
    profiles: ctx.settings.read().profiles,
    records: (await ctx.state.read()).profiles,
  });
  if (note) ctx.warn(`could not ask Vault about the session: ${note}`);
  if (values.json) ctx.out(JSON.stringify(result, null, 2));
  else print(ctx, result, now);
  return 0;
}
