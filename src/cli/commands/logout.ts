import type { CliContext } from '../context.js';

/** `logout`: the engine revokes the token at Vault if it can (best effort), then forgets it. */
export async function logout(ctx: CliContext): Promise<number> {
  const { address, wasSignedIn } = await ctx.engine().signOut();
  const vault = address ?? 'Vault';
  ctx.out(wasSignedIn ? `Signed out of ${vault}` : `Not signed in to ${vault}`);
  return 0;
}
