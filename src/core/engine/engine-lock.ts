import { createHash, randomBytes } from 'node:crypto';
import { link, open, readFile, readdir, readlink, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';

/**
 * One engine per settings folder (docs/engine.md): the tray app or the daemon, never both.
 *
 * `engine.lock` is readable JSON naming its owner: pid, role, host, since, and on Linux the boot id
 * and the process's start time, so that a pid reused after a crash or a reboot is not mistaken for
 * the owner. It appears whole: written to a temporary file, then hard-linked into place, which
 * fails while a lock is there. It is not refreshed on a timer, so an idle engine stays asleep.
 *
 * A stale lock (its owner gone) is removed only by the one process holding the lowest live claim
 * on its exact content, `engine.lock.<hash of the content>.<n>.claim`, linked into place the same
 * way. A claim whose maker died is skipped, never removed, while the stale lock is there, so two
 * processes can never both be the claimant; the claimant re-reads the lock and removes it only if
 * it is still that content, which nobody else may remove. Then everyone races to link a lock again.
 */
export interface EngineLock {
  release(): Promise<void>;
}

export class EngineLockedError extends Error {
  override readonly name = 'EngineLockedError';

  constructor(
    readonly pid: number,
    readonly role: string,
    /** The lock (or claim) file in the way. */
    readonly file: string,
    message: string,
    /** Set when the holder runs on another host or in another pid namespace: no signal reaches it. */
    readonly elsewhere?: string,
  ) {
    super(message);
  }
}

export interface EngineLockOptions {
  /** How long to wait for another process that is taking over a stale lock right now. */
  patienceMs?: number;
}

interface Owner {
  pid: number;
  role: string;
  host?: string;
  since?: string;
  /** /proc/sys/kernel/random/boot_id: a lock from another boot of this machine is stale. */
  bootId?: string;
  /** Field 22 of /proc/<pid>/stat: the same pid with another start time is another process. */
  startTicks?: number;
  /** `<hostname> <pid namespace>`: with pid and role, all the first format had. */
  scope: string;
  /** Makes every lock's content unique, so a stale content never comes back. */
  nonce?: string;
}

/** `live`: held by a process we can see; `host`, `namespace`: held where we cannot look. */
type Verdict = 'stale' | 'live' | 'host' | 'namespace';

/** A lock or claim whose content does not parse is being written (fallback below) or junk. */
const UNREADABLE_GRACE_MS = 2000;
const POLL_MS = 20;
const MAX_CLAIMS = 64;

const codeOf = (error: unknown) => (error as NodeJS.ErrnoException).code;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readText(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch((error: unknown) => {
    if (codeOf(error) === 'ENOENT') return undefined;
    throw error;
  });
}

async function ageMs(path: string): Promise<number> {
  return stat(path).then(
    (s) => Date.now() - s.mtimeMs,
    () => 0,
  );
}

/** Linux only; undefined without /proc (macOS, Windows) or when it cannot be read. */
async function startTicks(pid: number): Promise<number | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // The name (field 2) may hold spaces and parentheses: fields 3 on follow the last ')'.
  const ticks = Number(text?.slice(text.lastIndexOf(')') + 2).split(' ')[19]);
  return Number.isSafeInteger(ticks) ? ticks : undefined;
}

async function whoAmI(role: string): Promise<Owner> {
  const [ns, bootId, ticks] = await Promise.all([
    readlink('/proc/self/ns/pid').catch(() => ''),
    readFile('/proc/sys/kernel/random/boot_id', 'utf8').then(
      (text) => text.trim() || undefined,
      () => undefined,
    ),
    startTicks(process.pid),
  ]);
  const host = hostname();
  return {
    pid: process.pid,
    role,
    host,
    since: new Date().toISOString(),
    bootId,
    startTicks: ticks,
    scope: `${host} ${ns}`,
    nonce: randomBytes(8).toString('hex'),
  };
}

function parse(text: string): Owner | undefined {
  try {
    const o = JSON.parse(text) as Partial<Record<keyof Owner, unknown>>;
    const { pid, role, scope } = o;
    if (!Number.isSafeInteger(pid) || (pid as number) <= 0) return undefined;
    if (typeof role !== 'string' || typeof scope !== 'string') return undefined;
    const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
    const ticks = typeof o.startTicks === 'number' ? o.startTicks : undefined;
    return {
      pid: pid as number,
      role,
      scope,
      host: str(o.host),
      since: str(o.since),
      bootId: str(o.bootId),
      startTicks: ticks,
    };
  } catch {
    return undefined;
  }
}

const hostOf = (o: Owner) => o.host ?? o.scope.split(' ')[0];
const nsOf = (o: Owner) => o.scope.slice(o.scope.indexOf(' ') + 1);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return codeOf(error) === 'EPERM';
  }
}

/**
 * Stale only on proof that the owner is gone for good: another boot of this host, no such pid,
 * or (Linux) the pid now names a process started at another time. Without /proc (macOS, Windows)
 * a live pid counts as the owner, as an old-format lock's does everywhere: a reused pid then
 * blocks, and the refusal names the file to delete.
 */
async function judge(o: Owner, me: Owner): Promise<Verdict> {
  if (o.bootId !== undefined && me.bootId !== undefined) {
    // The boot id tells machines apart even when the host name changed since.
    if (o.bootId !== me.bootId) return hostOf(o) === me.host ? 'stale' : 'host';
  } else if (hostOf(o) !== me.host) return 'host';
  if (nsOf(o) !== nsOf(me)) return 'namespace';
  if (!alive(o.pid)) return 'stale';
  if (o.startTicks === undefined) return 'live';
  const now = await startTicks(o.pid);
  return now !== undefined && now !== o.startTicks ? 'stale' : 'live';
}

function lockedError(file: string, o: Owner, verdict: Verdict): EngineLockedError {
  const who = `another engine (${o.role}, pid ${o.pid})`;
  const since = o.since ? ` since ${o.since}` : '';
  if (verdict === 'live') {
    const message = `${who} already keeps the profiles of this settings folder fresh: it holds ${file}${since}`;
    return new EngineLockedError(o.pid, o.role, file, message);
  }
  const where =
    verdict === 'host'
      ? `on host ${hostOf(o)}`
      : `in another pid namespace (a container?) on host ${hostOf(o)}`;
  const message =
    `${who} ${where} holds ${file}${since}: this settings folder is shared with it (an NFS home?). ` +
    `A lock held elsewhere is never taken over: stop that engine there, ` +
    `or delete ${file} if ${verdict === 'host' ? 'that machine' : 'it'} is gone`;
  return new EngineLockedError(o.pid, o.role, file, message, where);
}

/** Puts `text` at `path` whole unless something is there (false then, or if raced by a sweep). */
async function place(path: string, text: string): Promise<boolean> {
  const tmp = `${path}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, text, { flag: 'wx', mode: 0o600 });
  try {
    await link(tmp, path);
    return true;
  } catch (error) {
    // NFS may answer a retried link with EEXIST although the first attempt made it.
    if ((await stat(tmp).catch(() => undefined))?.nlink === 2) return true;
    const code = codeOf(error);
    if (code === 'EEXIST' || code === 'ENOENT') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
    // No hard links (FAT): create, then write; readers wait out the empty moment (UNREADABLE_GRACE_MS).
    const handle = await open(path, 'wx', 0o600).catch((e: unknown) => {
      if (codeOf(e) === 'EEXIST') return undefined;
      throw e;
    });
    if (!handle) return false;
    await handle.writeFile(text);
    await handle.close();
    return true;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/**
 * Removes the lock if it still holds `stale`, when this process holds the lowest live claim on it.
 * Returns what is in the way (a live claimant) to wait on, or undefined to look again at once.
 */
async function takeOver(file: string, stale: string, me: Owner, myText: string) {
  const generation = createHash('sha256').update(stale).digest('hex').slice(0, 16);
  const claim = (n: number) => `${file}.${generation}.${n}.claim`;
  for (let n = 0; n < MAX_CLAIMS; n++) {
    if (await place(claim(n), myText)) {
      try {
        // Only this process may remove `stale` now (its owner is gone), so no one swaps it between.
        if ((await readText(file)) === stale) await unlink(file).catch(() => undefined);
      } finally {
        // Claims go only once `stale` is gone: a latecomer claiming afresh then finds it changed.
        for (let k = 0; k <= n; k++) await unlink(claim(k)).catch(() => undefined);
      }
      return undefined;
    }
    const text = await readText(claim(n));
    if (text === undefined) return undefined; // Cleaned up: the stale lock is gone.
    const claimant = parse(text);
    // A dead claimant stays dead (judge wants proof), so skipping it cannot make two claimants.
    if (
      claimant
        ? (await judge(claimant, me)) === 'stale'
        : (await ageMs(claim(n))) > UNREADABLE_GRACE_MS
    ) {
      continue;
    }
    const message =
      `${claimant ? `another engine (${claimant.role}, pid ${claimant.pid})` : 'another engine'} ` +
      `is taking over the stale lock ${file}; try again, or delete ${claim(n)} if it is stuck`;
    return new EngineLockedError(
      claimant?.pid ?? 0,
      claimant?.role ?? 'starting',
      claim(n),
      message,
    );
  }
  throw new Error(`could not take over ${file}: too many claims; delete ${file}.*.claim`);
}

/** Claims and temporary files left by crashed processes; claims matter only while theirs is there. */
async function sweep(file: string): Promise<void> {
  const dir = dirname(file);
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const path = join(dir, name);
    if (!name.startsWith(`${basename(file)}.`)) continue;
    if (name.endsWith('.claim') || (name.endsWith('.tmp') && (await ageMs(path)) > 3_600_000)) {
      await unlink(path).catch(() => undefined);
    }
  }
}

export async function acquireEngineLock(
  configDir: string,
  role: 'daemon' | 'app',
  options: EngineLockOptions = {},
): Promise<EngineLock> {
  const file = join(configDir, 'engine.lock');
  const me = await whoAmI(role);
  const text = `${JSON.stringify(me, null, 2)}\n`;
  const deadline = Date.now() + (options.patienceMs ?? 10_000);
  let unreadableSince: number | undefined;
  for (;;) {
    if (await place(file, text)) {
      await sweep(file);
      return {
        release: async () => {
          // Nobody removes a live owner's lock, so it cannot be swapped between the read and unlink.
          if ((await readText(file).catch(() => undefined)) === text) {
            await unlink(file).catch(() => undefined);
          }
        },
      };
    }
    const current = await readText(file);
    if (current === undefined) continue; // Released meanwhile.
    const owner = parse(current);
    let blocker: EngineLockedError | undefined;
    if (owner) {
      const verdict = await judge(owner, me);
      if (verdict !== 'stale') throw lockedError(file, owner, verdict);
      blocker = await takeOver(file, current, me, text);
    } else {
      // Being written by an older version (open, then write) or the fallback in place(), or junk.
      unreadableSince ??= Date.now();
      const old =
        (await ageMs(file)) > UNREADABLE_GRACE_MS ||
        Date.now() - unreadableSince > UNREADABLE_GRACE_MS;
      if (old) blocker = await takeOver(file, current, me, text);
      else await sleep(POLL_MS);
    }
    if (!blocker) continue;
    if (Date.now() > deadline) throw blocker;
    await sleep(POLL_MS);
  }
}
