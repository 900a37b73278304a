import { hostname } from 'node:os';
import { open, readFile, readlink, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * One engine per settings folder (docs/engine.md): the tray app or the daemon, never both. The lock
 * is a file made with O_EXCL that names its owner's pid; a lock whose owner has died on this
 * machine is taken over. It is not refreshed on a timer, so an idle engine stays asleep.
 */
export interface EngineLock {
  release(): Promise<void>;
}

export class EngineLockedError extends Error {
  override readonly name = 'EngineLockedError';

  constructor(
    readonly pid: number,
    readonly role: string,
  ) {
    super(
      `another engine (${role}, pid ${pid}) already keeps the profiles of this settings folder fresh`,
    );
  }
}

interface Owner {
  pid: number;
  scope: string;
  role: string;
}

async function scope(): Promise<string> {
  // A pid means something only on this host and, on Linux, in this pid namespace.
  const ns = await readlink('/proc/self/ns/pid').catch(() => '');
  return `${hostname()} ${ns}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function acquireEngineLock(
  configDir: string,
  role: 'daemon' | 'app',
): Promise<EngineLock> {
  const path = join(configDir, 'engine.lock');
  const me: Owner = { pid: process.pid, scope: await scope(), role };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(JSON.stringify(me));
      await handle.close();
      return {
        release: async () => {
          const now = await readFile(path, 'utf8').catch(() => '');
          if (now === JSON.stringify(me)) await rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let owner: Owner | undefined;
    try {
      owner = JSON.parse(await readFile(path, 'utf8')) as Owner;
    } catch {
      owner = undefined;
    }
    if (owner && owner.scope === me.scope && alive(owner.pid))
      throw new EngineLockedError(owner.pid, owner.role);
    if (owner && owner.scope !== me.scope)
      throw new EngineLockedError(owner.pid, `${owner.role} on another host`);
    if (!owner) {
      // Just created and not yet filled in, or left empty by a crash a while ago.
      const age =
        Date.now() -
        (await stat(path).then(
          (s) => s.mtimeMs,
          () => 0,
        ));
      if (age < 1000) throw new EngineLockedError(0, 'starting');
    }
    // Its owner is gone: take it over.
    await rm(path, { force: true });
  }
  throw new Error(`could not take the engine lock ${path}`);
}
