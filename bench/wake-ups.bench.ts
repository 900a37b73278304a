/**
 * A simulated day: 5 profiles of 1-hour credentials and a 1-hour renewable token, the engine on a
 * FakeClock that Vault and STS share, walked minute by minute for 24 hours (as the engine tests
 * walk). Counts timer wake-ups, Vault reads, credentials-file writes and token renewals, for the
 * tray app (no drift check) and the daemon (a drift check a minute), each with a random jitter
 * drawn once per batch (what runs in real life, seeded here) and with one fixed jitter (the engine
 * test's setting).
 */
import { rmSync } from 'node:fs';
import { engineHarness } from '../test/core/engine/engine-harness.js';
import { FakeClock } from '../test/support/fake-clock.js';
import { startStack } from '../test/support/stack.js';
import type { BenchEntry } from './bench-entry.js';

const MINUTE = 60_000;
const DAY_MINUTES = 24 * 60;
const PROFILES = ['p1', 'p2', 'p3', 'p4', 'p5'];

/** mulberry32: a seeded generator, so that every run draws the same jitters. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Day {
  wakeUps: number;
  reads: number;
  writes: number;
  renewals: number;
  lifetimeSeconds: number;
}

async function simulateDay(driftCheck: boolean, random: () => number): Promise<Day> {
  const clock = new FakeClock();
  const stack = await startStack({ clock });
  try {
    const token = stack.vault.createToken({ policies: ['aws-dev-readonly'], ttlSeconds: 3600 });
    const profiles = Object.fromEntries(PROFILES.map((p) => [p, { role: 'dev-readonly' }]));
    const h = await engineHarness(stack, clock, { profiles, token, driftCheck, random });
    try {
      const start = clock.now();
      await h.engine.start();
      await h.engine.settled();
      h.writes.look();
      for (let minute = 1; minute <= DAY_MINUTES; minute++) {
        clock.advance(MINUTE);
        await h.engine.settled();
        h.writes.look();
      }
      const since = (prefix: string) =>
        stack.vault.requests.filter((r) => r.at >= start && r.path.startsWith(prefix)).length;
      return {
        wakeUps: h.clock.wakeUps,
        reads: since('/v1/aws/creds/'),
        writes: h.writes.count,
        renewals: since('/v1/auth/token/renew-self'),
        lifetimeSeconds: h.engine.snapshot().profiles[0]!.grantedTtlSeconds!,
      };
    } finally {
      await h.engine.stop();
      rmSync(h.dir, { recursive: true, force: true });
    }
  } finally {
    await stack.stop();
  }
}

/**
 * The formula's reads for one profile in a day, with the mean jitter (2.5 % of the lifetime):
 * one at start, then one each time a third of the lifetime plus the jitter is left, at the next
 * minute the walk steps to (as the engine test counts).
 */
function formulaReads(lifetimeSeconds: number): number {
  const lifetime = lifetimeSeconds * 1000;
  let t = 0;
  let reads = 1;
  for (;;) {
    t = Math.ceil((t + lifetime - lifetime / 3 - 0.025 * lifetime) / MINUTE) * MINUTE;
    if (t > DAY_MINUTES * MINUTE) return reads;
    reads++;
  }
}

export const wakeUpsBench: BenchEntry = {
  name: 'engine: wake-ups in a simulated day',
  async run() {
    const rows: string[] = [];
    let lifetime = 3600;
    for (const [who, driftCheck] of [
      ['tray app', false],
      ['daemon', true],
    ] as const) {
      for (const [jitter, random] of [
        ['random, one draw per batch (seeded)', seeded(6)],
        ['fixed at 2.5 % for all', () => 0.5],
      ] as const) {
        const day = await simulateDay(driftCheck, random);
        lifetime = day.lifetimeSeconds;
        rows.push(
          `| ${who} | ${jitter} | ${day.wakeUps} | ${day.reads} | ${day.writes} | ${day.renewals} |`,
        );
      }
    }
    const perProfile = formulaReads(lifetime);
    return [
      `Credentials last ${lifetime} s; 24 simulated hours, stepped a minute at a time.`,
      '',
      '| engine | jitter | timer wake-ups | Vault reads | credentials-file writes | token renewals |',
      '|---|---|---:|---:|---:|---:|',
      ...rows,
      `| naive poller, a check a minute (baseline) | none | 1440 | ${PROFILES.length * perProfile} (as the formula) | ${perProfile} (the five stay in step) | — |`,
      `| the formula (baseline) | mean | — | ${PROFILES.length * perProfile} (${perProfile} per profile) | — | — |`,
    ].join('\n');
  },
};
