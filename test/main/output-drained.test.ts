import { describe, expect, it } from 'vitest';
import { outputDrained } from '../../src/main/output-drained.js';
import type { DrainableOutput } from '../../src/main/output-drained.js';
import { FakeClock } from '../support/fake-clock.js';

/** A pipe as Windows has it: writes complete later, when the reader has taken them. */
function asyncPipe(pendingBytes: number) {
  const callbacks: Array<() => void> = [];
  const stream: { -readonly [K in keyof DrainableOutput]: DrainableOutput[K] } & {
    complete(): void;
  } = {
    writableLength: pendingBytes,
    write: (_chunk, callback) => {
      callbacks.push(() => callback());
      return true;
    },
    complete() {
      stream.writableLength = 0;
      for (const callback of callbacks.splice(0)) callback();
    },
  };
  return stream;
}
const settle = () => new Promise((r) => setImmediate(r));

describe('waiting for stdout and stderr before app.exit', () => {
  it('resolves only once what was written has left, on every stream', async () => {
    const stdout = asyncPipe(512);
    const stderr = asyncPipe(0);
    let drained = false;
    void outputDrained([stdout, stderr], new FakeClock()).then(() => (drained = true));
    await settle();
    expect(drained).toBe(false);
    stdout.complete();
    await settle();
    expect(drained).toBe(true);
  });

  it('gives up after its bound when nobody reads the pipe', async () => {
    const clock = new FakeClock();
    let drained = false;
    void outputDrained([asyncPipe(64)], clock, 5_000).then(() => (drained = true));
    clock.advance(4_999);
    await settle();
    expect(drained).toBe(false);
    clock.advance(1);
    await settle();
    expect(drained).toBe(true);
  });
});
