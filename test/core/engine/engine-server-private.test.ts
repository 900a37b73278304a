import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { EngineApi } from '../../../src/core/engine/engine-api.js';
import { SocketEngine } from '../../../src/core/engine/engine-client.js';
import { engineSocketPath, engineTokenPath } from '../../../src/core/engine/engine-protocol.js';
import { serveEngine } from '../../../src/core/engine/engine-server.js';
import type { Logger } from '../../../src/core/ports.js';
import { quiet, waitUntil } from './engine-server-clients.js';

/**
 * Watches a path from another thread in a tight loop while the test thread starts servers: the
 * socket is bound inside listen() on the test thread, so only another thread can see the instant
 * it appears. `shared`: [0] stop, [1] the start under way (0 while one is being torn down),
 * [2] the last start whose socket was seen.
 */
const WATCHER = `
const { lstatSync, statSync } = require('node:fs');
const { workerData, parentPort } = require('node:worker_threads');
const shared = new Int32Array(workerData.shared);
const socketModes = {};
const folderModes = {};
let sightings = 0;
while (Atomics.load(shared, 0) === 0) {
  const start = Atomics.load(shared, 1);
  const socket = lstatSync(workerData.socket, { throwIfNoEntry: false });
  if (!socket) continue;
  sightings++;
  const mode = (socket.mode & 0o7777).toString(8);
  socketModes[mode] = (socketModes[mode] || 0) + 1;
  const folder = statSync(workerData.folder, { throwIfNoEntry: false });
  // Only when one start's socket and folder were both seen, never across a teardown.
  if (folder && start > 0 && Atomics.load(shared, 1) === start) {
    const f = (folder.mode & 0o7777).toString(8);
    folderModes[f] = (folderModes[f] || 0) + 1;
    Atomics.store(shared, 2, start);
  }
}
parentPort.postMessage({ sightings, socketModes, folderModes });
`;

interface Watched {
  sightings: number;
  socketModes: Record<string, number>;
  folderModes: Record<string, number>;
}

const engine = {
  async status() {
    return { status: { engine: 'daemon' }, pid: process.pid };
  },
} as unknown as EngineApi;

describe('the engine socket is private', () => {
  it('is 0600 from its first instant, in a 0755 settings folder made 0700 before listening, across 40 starts', async () => {
    const STARTS = 40;
    const base = mkdtempSync(join(tmpdir(), 'engine-private-'));
    const folder = join(base, 'settings');
    const socket = engineSocketPath(folder, 'linux');
    const shared = new Int32Array(new SharedArrayBuffer(12));
    const worker = new Worker(WATCHER, {
      eval: true,
      workerData: { shared: shared.buffer, socket, folder },
    });
    const result = new Promise<Watched>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const warnings: string[] = [];
    const logger: Logger = { ...quiet, warn: (line) => warnings.push(line) };
    // A umask that lets group and others in: what a socket made without care would get.
    const umask = process.umask(0o002);
    try {
      for (let start = 1; start <= STARTS; start++) {
        rmSync(folder, { recursive: true, force: true });
        mkdirSync(folder);
        chmodSync(folder, 0o755);
        Atomics.store(shared, 1, start);
        const server = await serveEngine({ configDir: folder, platform: 'linux', logger, engine });
        // The process's own umask is back once the server listens.
        expect(process.umask(0o002)).toBe(0o002);
        expect(statSync(folder).mode & 0o777).toBe(0o700);
        expect(statSync(socket).mode & 0o777).toBe(0o600);
        expect(statSync(engineTokenPath(folder)).mode & 0o777).toBe(0o600);
        expect((await new SocketEngine(folder, 'linux').status()).pid).toBe(process.pid);
        await waitUntil(
          () => Atomics.load(shared, 2) === start,
          `the watcher seeing start ${start}`,
        );
        Atomics.store(shared, 1, 0);
        await server.close();
      }
    } finally {
      Atomics.store(shared, 0, 1);
      process.umask(umask);
    }
    const watched = await result;
    await worker.terminate();
    // The watcher saw every start's socket, many times, and never with another mode.
    expect(watched.sightings).toBeGreaterThanOrEqual(STARTS);
    expect(Object.keys(watched.socketModes)).toEqual(['600']);
    expect(Object.keys(watched.folderModes)).toEqual(['700']);
    expect(warnings).toHaveLength(STARTS);
    expect(warnings[0]).toBe(
      `the settings folder ${folder} was mode 0755: made it 0700, as only you may use it`,
    );
  });

  // Making a folder another user's takes root (chown); that is what the check is for.
  it.runIf(process.getuid?.() === 0)(
    'refuses a settings folder of another user that others can enter, and leaves it as it is',
    async () => {
      const folder = mkdtempSync(join(tmpdir(), 'engine-other-'));
      chmodSync(folder, 0o755);
      chownSync(folder, 65534, 65534);
      await expect(
        serveEngine({ configDir: folder, platform: 'linux', logger: quiet, engine }),
      ).rejects.toThrow(
        `the settings folder ${folder} is mode 0755 and belongs to another user (uid 65534), so others could reach the engine's socket: have its owner make it 0700 (chmod 700 ${folder}) or use another --config-dir`,
      );
      expect(statSync(folder).mode & 0o777).toBe(0o755);
      expect(existsSync(engineTokenPath(folder))).toBe(false);
      expect(existsSync(engineSocketPath(folder, 'linux'))).toBe(false);
    },
  );
});
