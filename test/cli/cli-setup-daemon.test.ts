/**
 * `setup` and `reset` say and do the same whether the daemon or the command's one-shot engine
 * answers (test/cli/cli-parity.test.ts does this for the other commands). The daemon is a real
 * process on the real clock, so the stack keeps real time here too.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { startDaemon } from '../support/daemon-process.js';
import { STACK_REGION, startStack } from '../support/stack.js';
import type { Stack } from '../support/stack.js';
import { cliHarness } from './cli-harness.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : null);
/** Paths, times and keys masked: what may differ between two runs in two folders. */
const masked = (text: string, home: string) =>
  text
    .replaceAll(home, '<home>')
    .replace(/\b(\d{4}-\d\d-\d\d )?\d\d:\d\d\b/g, '<time>')
    .replace(/\b\d+h(\d+m)?(\d+s)?\b|\b\d+m(\d+s)?\b|\b\d+s\b/g, '<span>');
const credentialsWithoutKeys = (path: string) =>
  read(path)?.replace(/^(aws_[a-z_]+|x_security_token_expires) = .*$/gm, '$1 = <masked>');

/** A user's steps from a fresh folder: setup, login, a changed file, reset. */
async function transcript(mode: 'none' | 'daemon') {
  const cli = cliHarness({ clock: systemClock });
  const team = (profiles: object) =>
    writeFileSync(
      join(cli.home, 'team.json'),
      JSON.stringify({ vault: { address: stack.vault.url, authMethod: 'token' }, profiles }),
    );
  const daemon = mode === 'daemon' ? startDaemon(cli.env) : undefined;
  const token = stack.vault.createToken({ policies: ['aws-dev-readonly'], ttlSeconds: 3600 });
  const steps: Array<{ code: number; stdout: string; stderr: string; credentials?: string }> = [];
  const step = async (args: string[], env: Record<string, string> = {}) => {
    const done = await cli.run(args, { env });
    steps.push({
      code: done.code,
      stdout: masked(done.stdout, cli.home),
      stderr: masked(done.stderr, cli.home),
      credentials: credentialsWithoutKeys(cli.credentialsFile) ?? undefined,
    });
    return done;
  };
  try {
    await daemon?.waitFor(/answering the CLI on /);
    team({ dev: { role: 'dev-readonly', region: STACK_REGION } });
    await step(['setup', 'team.json']);
    await step(['login', '--method', 'token'], { VAULT_TOKEN: token });
    team({ ci: { role: 'dev-readonly' } });
    await step(['setup', 'team.json']);
    await step(['setup', 'team.json', '--prune', '--yes']);
    await step(['reset', '--yes']);
  } finally {
    daemon?.child.kill('SIGTERM');
    await daemon?.exited;
  }
  const left = existsSync(cli.configDir) ? readdirSync(cli.configDir).sort() : [];
  return { steps, token, left, log: daemon?.stderr() ?? '' };
}

describe('setup and reset with and without a running engine', () => {
  it('say the same, write the same, and reset leaves nothing of the app behind', async () => {
    const none = await transcript('none');
    const daemon = await transcript('daemon');
    // Only reset's last line differs: it names the engine that still runs.
    const stillRuns =
      'The daemon still runs, with nothing to do: stop it (systemctl --user stop vault-aws-tray, or its service)\n';
    expect(daemon.steps.at(-1)!.stdout.endsWith(stillRuns)).toBe(true);
    daemon.steps.at(-1)!.stdout = daemon.steps.at(-1)!.stdout.replace(stillRuns, '');
    expect(daemon.steps).toEqual(none.steps);
    // The daemon made the changes (it logs them), not a one-shot engine beside it.
    expect(daemon.log).toMatch(/dev: added[\s\S]*ci: added[\s\S]*dev: removed/);

    expect(none.steps.map((s) => s.code)).toEqual([0, 0, 0, 0, 0]);
    expect(none.steps[1]!.credentials).toMatch(/^\[dev\]\n/);
    expect(none.steps[2]!.stdout).toContain('Add profile ci: aws/creds/dev-readonly\n');
    expect(none.steps[2]!.stdout).toContain('Keep dev (not in the file; --prune removes them)\n');
    expect(none.steps[3]!.stdout).toContain('\ndev: removed\n');
    expect(none.steps[3]!.credentials).toContain('[ci]\naws_access_key_id = <masked>\n');
    expect(none.steps[3]!.credentials).not.toContain('[dev]');
    expect(none.steps[4]!.stdout).toContain('\nci: removed with its sections\n');
    expect(none.steps[4]!.credentials?.trim()).toBe('');
    for (const { token } of [none, daemon])
      expect(stack.vault.tokens.lookup(token)).toBeUndefined();
    // The daemon's own files go when it stops; it writes nothing back as it does.
    expect(none.left).toEqual([]);
    expect(daemon.left).toEqual([]);
  });
});
