import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SIGN_IN_METHODS } from '../../src/core/vault/sign-in-methods.js';
import { COMMAND_WORDS, parseCommandLine } from '../../src/cli/command-line.js';
import { COMMAND_IDS, COMMAND_SPECS, GLOBAL_FLAGS } from '../../src/cli/command-specs.js';
import type { CommandSpec, FlagSpec } from '../../src/cli/command-specs.js';
import { CLI_COMMANDS } from '../../src/shared/cli-commands.js';
import { FakeClock } from '../support/fake-clock.js';
import { CLI_BIN } from '../support/daemon-process.js';
import { cliHarness } from './cli-harness.js';

const execFileAsync = promisify(execFile);
const cli = cliHarness({ clock: new FakeClock() });

/** The `--flags` a help text lists. */
const flagsIn = (text: string) =>
  new Set([...text.matchAll(/(?<![\w-])--([a-z][\w-]*)/g)].map((m) => m[1]!));

/** A value the parser takes for a flag: one of its choices, else a plain word. */
const sample = (spec: CommandSpec, name: string): string[] => {
  const flag: FlagSpec = { ...spec.flags, ...GLOBAL_FLAGS }[name]!;
  if (flag.type === 'boolean') return [`--${name}`];
  return [`--${name}`, flag.choices?.[0] ?? 'x'];
};

/** The positional arguments and required flags a line of `spec` needs besides the flag tried. */
const filler = (spec: CommandSpec) => [
  ...Array.from({ length: spec.positionals.min }, () => 'dev'),
  ...Object.entries(spec.flags).flatMap(([name, flag]) =>
    flag.type === 'string' && flag.required ? [`--${name}`, 'x'] : [],
  ),
];

describe('one declaration of every command', () => {
  it.each(COMMAND_IDS)('%s: its help lists exactly the flags the parser takes', async (id) => {
    const spec: CommandSpec = COMMAND_SPECS[id];
    const fromHelp = await cli.run([...spec.name.split(' '), '--help']);
    expect(fromHelp.code).toBe(0);
    expect((await cli.run(['help', ...spec.name.split(' ')])).stdout).toBe(fromHelp.stdout);
    const listed = flagsIn(fromHelp.stdout);
    // Every flag in the help is taken by the parser...
    for (const name of listed) {
      const line = [...spec.name.split(' '), ...filler(spec), ...sample(spec, name)];
      const parsed = (() => {
        try {
          return parseCommandLine(line);
        } catch (error) {
          return (error as Error).message;
        }
      })();
      // (--json is listed for every command; those without JSON output refuse it in words.)
      if (name === 'json' && !spec.json) expect(parsed).toMatch(/has no --json output/);
      else expect(typeof parsed, `${line.join(' ')}: ${String(parsed)}`).toBe('object');
    }
    // ...and every flag the parser takes is in the help; one it does not take is refused.
    for (const name of [...Object.keys(spec.flags), ...Object.keys(GLOBAL_FLAGS)])
      expect(listed, `--${name} in the help of ${spec.name}`).toContain(name);
    expect(() =>
      parseCommandLine([...spec.name.split(' '), ...filler(spec), '--no-such-flag']),
    ).toThrow(`unknown option --no-such-flag (see vault-aws-tray help ${spec.name})`);
  });

  it('the top-level help names every command, and the packaged app knows every command word', async () => {
    const help = await cli.run(['--help']);
    for (const spec of Object.values(COMMAND_SPECS) as CommandSpec[])
      expect(help.stdout).toContain(`  ${spec.name}`);
    expect([...CLI_COMMANDS].sort()).toEqual([...COMMAND_WORDS].sort());
    const login: CommandSpec = COMMAND_SPECS.login;
    expect(login.flags.method).toMatchObject({ choices: [...SIGN_IN_METHODS] });
  });

  it('takes the global flags anywhere before --, and leaves what follows -- alone', () => {
    for (const line of [
      ['--config-dir', '/c', '--debug', 'status', '--json'],
      ['status', '--json', '--config-dir', '/c', '--debug'],
      ['status', '--config-dir=/c', '--debug', '--json'],
    ])
      expect(parseCommandLine(line)).toMatchObject({
        id: 'status',
        values: { 'config-dir': '/c', json: true, debug: true },
        positionals: [],
      });
    expect(parseCommandLine(['profile', '--config-dir', '/c', 'list', '--names'])).toMatchObject({
      id: 'profile list',
      values: { 'config-dir': '/c', names: true },
    });
    expect(
      parseCommandLine(['exec', 'dev', '--config-dir', '/c', '--', 'aws', '--debug', '--json']),
    ).toMatchObject({
      id: 'exec',
      positionals: ['dev'],
      values: { 'config-dir': '/c' },
      command: ['aws', '--debug', '--json'],
    });
  });

  it('--config-dir after the command is the settings folder the command uses', async () => {
    const other = join(cli.home, 'elsewhere');
    const listed = await cli.run(['profile', 'list', '--config-dir', other, '--json']);
    expect(listed).toMatchObject({ code: 0, stdout: '[]\n' });
    const help = await cli.run(['help', '--config-dir', other]);
    expect(help.stdout).toContain(`now ${other}`);
  });
});

describe('completion', () => {
  /** `vault-aws-tray` on PATH (the built bin), with two profiles in its settings. */
  function installed() {
    const home = mkdtempSync(join(tmpdir(), 'completion-'));
    const bin = join(home, 'bin');
    mkdirSync(bin);
    symlinkSync(resolve(CLI_BIN), join(bin, 'vault-aws-tray'));
    const settings = join(home, 'settings');
    mkdirSync(settings, { mode: 0o700 });
    const binding = { mount: 'aws', role: 'dev-readonly', endpoint: 'creds', delivery: 'file' };
    writeFileSync(
      join(settings, 'config.json'),
      JSON.stringify({ profiles: { dev: binding, 'prod-ro': binding } }),
    );
    return { home, bin, settings };
  }

  /** What bash completes `line` (up to the cursor at its end) to, with the script loaded. */
  async function complete(line: string, env: Record<string, string>) {
    const script = (await cli.run(['completion', 'bash'])).stdout;
    const words = line.split(' ');
    const program = `${script}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})
COMP_CWORD=${words.length - 1}
_vault_aws_tray
printf '%s\\n' "\${COMPREPLY[@]}"`;
    const { stdout } = await execFileAsync('bash', ['-c', program], { env });
    return stdout.split('\n').filter(Boolean).sort();
  }

  it('bash completes commands, subcommands, flags, flag values and profile names', async () => {
    const { bin, settings, home } = installed();
    const env = {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: home,
      VAULT_AWS_TRAY_CONFIG_DIR: settings,
    };
    expect(await complete('vault-aws-tray con', env)).toEqual(['console']);
    expect(await complete('vault-aws-tray profile s', env)).toEqual(['set']);
    expect(await complete('vault-aws-tray console dev --pr', env)).toEqual(['--print']);
    expect(await complete('vault-aws-tray login --method ', env)).toEqual(['jwt', 'oidc', 'token']);
    expect(await complete('vault-aws-tray console ', env)).toEqual(['dev', 'prod-ro']);
    expect(await complete('vault-aws-tray exec p', env)).toEqual(['prod-ro']);
    expect(await complete('vault-aws-tray profile set d', env)).toEqual(['dev']);
    expect(await complete('vault-aws-tray completion ', env)).toEqual(['bash', 'fish', 'zsh']);
    // The line's --config-dir is the folder whose profiles are completed.
    const empty = join(home, 'empty');
    expect(
      await complete(`vault-aws-tray --config-dir ${empty} console `, {
        ...env,
        VAULT_AWS_TRAY_CONFIG_DIR: '',
      }),
    ).toEqual([]);
  });

  it('zsh and fish scripts are made from the same table', async () => {
    const zsh = (await cli.run(['completion', 'zsh'])).stdout;
    expect(zsh).toContain('bashcompinit');
    expect(zsh).toContain('complete -F _vault_aws_tray vault-aws-tray');
    const fish = (await cli.run(['completion', 'fish'])).stdout;
    for (const word of COMMAND_WORDS) expect(fish).toContain(`-a ${word} `);
    expect(fish).toContain("-l method -xa 'oidc jwt token'");
    expect((await cli.run(['completion', 'tcsh'])).code).toBe(2);
  });
});
