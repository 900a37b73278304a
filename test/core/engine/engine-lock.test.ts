import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { acquireEngineLock, EngineLockedError } from '../../../src/core/engine/engine-lock.js';

const CONTENDER = fileURLToPath(new URL('./lock-contender.ts', import.meta.url));
const linux = process.platform === 'linux';

/** A real engine process (lock-contender.ts) answering one line per command. */
interface Contender {
  pid: number;
  tell(line: string): void;
  answer(): Promise<string>;
}

const children: ChildProcess[] = [];
const folders: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

function folder(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'engine-lock-'));
  folders.push(dir);
  return { dir, file: join(dir, 'engine.lock') };
}

async function contender(dir: string): Promise<Contender> {
  const child = spawn(process.execPath, ['--import', 'tsx', CONTENDER, dir], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const answer = async () => {
    const next = await lines.next();
    if (next.done) throw new Error(`contender ${child.pid} exited`);
    return next.value as string;
  };
  expect(await answer()).toBe('ready');
  return { pid: child.pid!, tell: (line) => child.stdin!.write(`${line}\n`), answer };
}

/** A process that lives until the test ends. */
function liveProcess(): number {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)'], {
    stdio: 'ignore',
  });
  children.push(child);
  return child.pid!;
}

/** The pid of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid;

/** Field 22 of /proc/<pid>/stat, read here independently of engine-lock.ts. */
function startTicksOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}

/** A lock as this process writes it: this process's pid, start time, boot id, scope. */
let mine: Record<string, unknown>;
beforeAll(async () => {
  const { dir, file } = folder();
  const lock = await acquireEngineLock(dir, 'app');
  mine = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  await lock.release();
  expect(existsSync(file)).toBe(false);
});

/** The lock's owner once taken: this process. */
async function takes(dir: string, file: string): Promise<void> {
  const lock = await acquireEngineLock(dir, 'app');
  const owner = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  expect(owner.pid).toBe(process.pid);
  expect(readdirSync(dir)).toEqual(['engine.lock']);
  await lock.release();
  expect(existsSync(file)).toBe(false);
}

async function refused(dir: string, patienceMs?: number): Promise<EngineLockedError> {
  const error = await acquireEngineLock(dir, 'app', { patienceMs }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EngineLockedError);
  return error as EngineLockedError;
}

describe('the engine lock', () => {
  it('is readable JSON naming its owner', () => {
    expect(mine).toMatchObject({ pid: process.pid, role: 'app', scope: expect.any(String) });
    expect(new Date(mine.since as string).getTime()).not.toBeNaN();
    if (linux) expect(mine.startTicks).toBe(startTicksOf(process.pid));
  });

  it('six engines started at once over a stale lock: exactly one gets it, in 100 trials', async () => {
    const { dir, file } = folder();
    const six = await Promise.all(Array.from({ length: 6 }, () => contender(dir)));
    const dead = deadPid();
    const winners: number[] = [];
    const problems: string[] = [];
    for (let trial = 0; trial < 100; trial++) {
      // Both formats: this version's, and the first one (pid, scope, role).
      const stale =
        trial % 2 === 0
          ? { ...mine, pid: dead, role: 'daemon', nonce: `stale-${trial}` }
          : { pid: dead, scope: mine.scope, role: 'daemon' };
      writeFileSync(file, JSON.stringify(stale));
      for (const c of six) c.tell(`go ${trial}`);
      const answers = await Promise.all(six.map((c) => c.answer()));
      const won = six.filter((_, i) => answers[i] === `won ${trial}`);
      winners.push(won.length);
      problems.push(...answers.filter((a) => !/^(won|lost) \d+$/.test(a)));
      const holder = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).pid : undefined;
      if (won.length !== 1 || holder !== won[0]!.pid) problems.push(`trial ${trial}: ${holder}`);
      const leftovers = readdirSync(dir).filter((name) => name !== 'engine.lock');
      if (leftovers.length) problems.push(`trial ${trial} left ${leftovers.join(' ')}`);
      for (const c of won) {
        c.tell('release');
        expect(await c.answer()).toBe('released');
      }
      expect(existsSync(file)).toBe(false);
    }
    expect(winners).toEqual(Array(100).fill(1));
    expect(problems).toEqual([]);
  }, 60_000);

  it('a live engine is refused, naming the file, its role, pid and since when', async () => {
    const { dir, file } = folder();
    const engine = await contender(dir);
    engine.tell('go 0');
    expect(await engine.answer()).toBe('won 0');
    const held = readFileSync(file, 'utf8');
    const error = await refused(dir);
    expect(error).toMatchObject({ pid: engine.pid, role: 'daemon', file, elsewhere: undefined });
    expect(error.message).toBe(
      `another engine (daemon, pid ${engine.pid}) already keeps the profiles of this settings ` +
        `folder fresh: it holds ${file} since ${JSON.parse(held).since}`,
    );
    expect(readFileSync(file, 'utf8')).toBe(held);
  });

  describe.runIf(linux)('a live pid', () => {
    it('that started at another time than the lock says (a reused pid) is taken over', async () => {
      const { dir, file } = folder();
      const pid = liveProcess();
      // This process's start time, not the live process's: as if the owner died and pid got reused.
      expect(startTicksOf(pid)).not.toBe(mine.startTicks);
      writeFileSync(file, JSON.stringify({ ...mine, pid, role: 'daemon' }));
      await takes(dir, file);
    });

    it('that started when the lock says is refused', async () => {
      const { dir, file } = folder();
      const pid = liveProcess();
      writeFileSync(file, JSON.stringify({ ...mine, pid, startTicks: startTicksOf(pid) }));
      expect(await refused(dir)).toMatchObject({ pid, role: 'app', file });
    });

    it('in a lock from another boot of this machine is taken over', async () => {
      const { dir, file } = folder();
      // This very process, start time and all: only the boot id differs.
      writeFileSync(file, JSON.stringify({ ...mine, bootId: 'a-boot-before-the-last-reboot' }));
      await takes(dir, file);
    });
  });

  it('a lock from another host is refused with what to do, and left alone', async () => {
    const { dir, file } = folder();
    const other = { ...mine, host: 'build-7', scope: 'build-7 pid:[1]', bootId: 'its-boot' };
    writeFileSync(file, JSON.stringify(other));
    const error = await refused(dir);
    expect(error).toMatchObject({
      pid: process.pid,
      role: 'app',
      file,
      elsewhere: 'on host build-7',
    });
    expect(error.message).toBe(
      `another engine (app, pid ${process.pid}) on host build-7 holds ${file} since ${mine.since}: ` +
        'this settings folder is shared with it (an NFS home?). A lock held elsewhere is never ' +
        `taken over: stop that engine there, or delete ${file} if that machine is gone`,
    );
    expect(readFileSync(file, 'utf8')).toBe(JSON.stringify(other));
  });

  it('a lock from another pid namespace on this machine is refused', async () => {
    const { dir, file } = folder();
    writeFileSync(file, JSON.stringify({ ...mine, scope: `${mine.host} pid:[1]` }));
    const error = await refused(dir);
    expect(error.elsewhere).toBe(`in another pid namespace (a container?) on host ${mine.host}`);
    expect(error.message).toContain(`delete ${file} if it is gone`);
  });

  describe('a lock in the first format (pid, scope, role)', () => {
    it('naming a live pid here is held', async () => {
      const { dir, file } = folder();
      const pid = liveProcess();
      writeFileSync(file, JSON.stringify({ pid, scope: mine.scope, role: 'daemon' }));
      const error = await refused(dir);
      expect(error).toMatchObject({ pid, role: 'daemon', file });
      expect(error.message).toContain(`(daemon, pid ${pid}) already keeps`);
      expect(error.message).toContain(`it holds ${file}`);
    });

    it('naming a dead pid here is taken over', async () => {
      const { dir, file } = folder();
      writeFileSync(file, JSON.stringify({ pid: deadPid(), scope: mine.scope, role: 'daemon' }));
      await takes(dir, file);
    });

    it('from another host is refused, naming it', async () => {
      const { dir, file } = folder();
      writeFileSync(file, JSON.stringify({ pid: 4242, scope: 'build-7 pid:[1]', role: 'daemon' }));
      const error = await refused(dir);
      expect(error).toMatchObject({ pid: 4242, role: 'daemon', elsewhere: 'on host build-7' });
      expect(error.message).toContain(`on host build-7 holds ${file}:`);
    });
  });

  describe('claims on a stale lock', () => {
    const staleLock = () => JSON.stringify({ ...mine, pid: deadPid(), nonce: 'stale' });
    const claimOf = (file: string, stale: string) =>
      `${file}.${createHash('sha256').update(stale).digest('hex').slice(0, 16)}.0.claim`;

    it('one left by a process that died while taking over is skipped and swept', async () => {
      const { dir, file } = folder();
      const stale = staleLock();
      writeFileSync(file, stale);
      writeFileSync(claimOf(file, stale), JSON.stringify({ ...mine, pid: deadPid() }));
      await takes(dir, file);
    });

    it('one held by a live process is waited on, then refused naming it', async () => {
      const { dir, file } = folder();
      const stale = staleLock();
      writeFileSync(file, stale);
      const claim = claimOf(file, stale);
      writeFileSync(claim, JSON.stringify(mine));
      const error = await refused(dir, 100);
      expect(error).toMatchObject({ pid: process.pid, role: 'app', file: claim });
      expect(error.message).toContain(`taking over the stale lock ${file}`);
      expect(error.message).toContain(`delete ${claim} if it is stuck`);
      expect(readFileSync(file, 'utf8')).toBe(stale);
    });
  });

  it('a lock that is not JSON naming a pid, written a while ago, is taken over', async () => {
    const { dir, file } = folder();
    writeFileSync(file, '');
    const aMinuteAgo = new Date(Date.now() - 60_000);
    utimesSync(file, aMinuteAgo, aMinuteAgo);
    await takes(dir, file);
  });

  it('release leaves alone a lock that is not its own', async () => {
    const { dir, file } = folder();
    const lock = await acquireEngineLock(dir, 'daemon');
    const other = JSON.stringify({ ...mine, nonce: 'someone else' });
    writeFileSync(file, other);
    await lock.release();
    expect(readFileSync(file, 'utf8')).toBe(other);
  });
});
