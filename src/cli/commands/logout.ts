import { parseArgs } from 'node:util';
import { sessionKey } from '../../core/vault/session.js';
import type { CliContext } from '../context.js';
import { engineRefusal } from '../credentials-source.js';

/** `logout`: revokes the token at Vault if it can (best effort), then forgets it. */
export async function logout(ctx: CliContext, args: string[]): Promise<number> {
  parseArgs({ args, options: {}, strict: true });
  const connection = ctx.connection();
  // The engine holds the session: it revokes, forgets, and stops refreshing.
  const reply = await ctx.engine({ op: 'logout' });
  if (reply && !reply.ok) throw engineRefusal(reply);
  if (reply) {
    ctx.out(`Signed out of ${connection.address}`);
    return 0;
  }
  const token = await ctx.storedToken(connection);
  if (!token) {
    ctx.out(`Not signed in to ${connection.address}`);
    return 0;
  }
  try {
    await ctx.client(connection, token).post('auth/token/revoke-self');
  } catch (error) {
    ctx.warn(
      `could not revoke the token at Vault (${(error as Error).message}); forgetting it anyway`,
    );
  }
  await ctx.tokens.delete(sessionKey(connection.address, connection.namespace));
  await ctx.state.update(({ session: _gone, ...rest }) => rest);
  ctx.out(`Signed out of ${connection.address}`);
  return 0;
}
