/**
 * A command line read against the declaration table (command-specs.ts): the command's words,
 * its flags and the global ones anywhere before a `--`, its positional arguments counted, and
 * what follows `--` for the commands that run one.
 */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { COMMAND_SPECS, GLOBAL_FLAGS } from './command-specs.js';
import type { CommandId, CommandSpec, FlagSpec } from './command-specs.js';
import { usageError } from './errors.js';

export interface ParsedLine {
  /** Undefined with no command (the top-level usage, or `--version`). */
  id?: CommandId;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  command: string[];
  version: boolean;
}

/** The command words' ids, by their first word: `profile` has four. */
const BY_WORD = new Map<string, CommandId[]>();
for (const [id, spec] of Object.entries(COMMAND_SPECS) as Array<[CommandId, CommandSpec]>) {
  const word = spec.name.split(' ')[0]!;
  BY_WORD.set(word, [...(BY_WORD.get(word) ?? []), id]);
}

/** The top-level words: what the packaged app's binary hands to the CLI. */
export const COMMAND_WORDS: readonly string[] = [...BY_WORD.keys()];

const STRING_GLOBALS = new Set(
  Object.entries(GLOBAL_FLAGS)
    .filter(([, f]) => f.type === 'string')
    .map(([name]) => `--${name}`),
);

function options(flags: Readonly<Record<string, FlagSpec>>): ParseArgsConfig['options'] {
  const out: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, flag] of Object.entries(flags))
    out[name] =
      flag.type === 'boolean' && flag.short
        ? { type: 'boolean', short: flag.short }
        : { type: flag.type };
  return out;
}

/**
 * The indexes of the command's words in `head`: the first argument that is not a global flag
 * (or a global flag's value), and for `profile` the next one.
 */
function commandWords(head: string[]): number[] {
  const found: number[] = [];
  for (let i = 0; i < head.length; i++) {
    const arg = head[i]!;
    if (STRING_GLOBALS.has(arg)) i++;
    else if (!arg.startsWith('-')) {
      found.push(i);
      // `profile` names four commands: its next word says which.
      const several = (BY_WORD.get(arg)?.length ?? 0) > 1;
      if (found.length === 2 || !several) break;
    }
  }
  return found;
}

function lookUp(words: string[]): CommandId {
  const ids = BY_WORD.get(words[0]!);
  if (!ids) throw usageError(`unknown command "${words[0]}" (see --help)`);
  if (ids.length === 1) return ids[0]!;
  const subs = ids.map((id) => COMMAND_SPECS[id].name.split(' ')[1]!);
  const id = ids.find((i) => COMMAND_SPECS[i].name === words.join(' '));
  if (id) return id;
  throw usageError(
    words[1] === undefined
      ? `${words[0]} needs a command: ${subs.join(', ')}`
      : `unknown ${words[0]} command "${words[1]}" (${subs.join(', ')})`,
  );
}

/** node:util's refusal in the CLI's words, naming where to look. */
function refusal(error: unknown, where: string): never {
  const { code, message } = error as { code?: string; message: string };
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) throw error;
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) throw usageError(`unknown option ${unknown[1]} (see ${where})`);
  const missing = /Option '(-\w, )?(--[\w-]+) <value>' argument missing/.exec(message);
  if (missing) throw usageError(`${missing[2]} needs a value (see ${where})`);
  const extra = /Option '(--[\w-]+)' does not take an argument/.exec(message);
  if (extra) throw usageError(`${extra[1]} takes no value (see ${where})`);
  throw usageError(`${message.split('. ')[0]} (see ${where})`);
}

function strictParse(
  config: ParseArgsConfig,
  where: string,
): { values: ParsedLine['values']; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ ...config, strict: true });
    // No flag is declared `multiple`, so every value is one string or boolean.
    return { values: values as ParsedLine['values'], positionals };
  } catch (error) {
    refusal(error, where);
  }
}

/** Reads a whole command line; refuses unknown flags, missing values and the wrong count. */
export function parseCommandLine(args: readonly string[]): ParsedLine {
  const dash = args.indexOf('--');
  const head = dash < 0 ? [...args] : args.slice(0, dash);
  const tail = dash < 0 ? [] : args.slice(dash + 1);
  const words = commandWords(head);
  if (words.length === 0) {
    const { values } = strictParse(
      { args: head, options: { ...options(GLOBAL_FLAGS), version: { type: 'boolean' } } },
      '--help',
    );
    const { version, ...rest } = values;
    return {
      values: rest,
      positionals: [],
      command: [],
      version: version === true,
    };
  }
  const id = lookUp(words.map((i) => head[i]!));
  const spec: CommandSpec = COMMAND_SPECS[id];
  const rest = head.filter((_, i) => !words.includes(i));
  const { values, positionals } = strictParse(
    {
      args: rest,
      options: { ...options(spec.flags), ...options(GLOBAL_FLAGS) },
      allowPositionals: true,
    },
    `vault-aws-tray help ${spec.name}`,
  );
  const parsed = {
    id,
    values,
    positionals,
    command: tail,
    version: false,
  };
  if (values.help) return parsed;
  check(spec, parsed);
  return parsed;
}

function check(spec: CommandSpec, parsed: ParsedLine): void {
  const { positionals, values, command } = parsed;
  const usage = `usage: ${usageLine(spec)}`;
  if (positionals.length < spec.positionals.min)
    throw usageError(`${spec.name} needs ${spec.args}: ${usage}`);
  if (positionals.length > spec.positionals.max)
    throw usageError(
      spec.positionals.max === 0
        ? `${spec.name} takes no arguments (got ${positionals.join(' ')})`
        : `too many arguments for ${spec.name} (got ${positionals.join(' ')}): ${usage}`,
    );
  if (spec.command === 'required' && command.length === 0)
    throw usageError(`${spec.name} needs a command after --: ${usage}`);
  if (!spec.command && command.length > 0)
    throw usageError(`${spec.name} takes nothing after --: ${usage}`);
  if (values.json && !spec.json) throw usageError(`${spec.name} has no --json output`);
  for (const [name, flag] of Object.entries(spec.flags)) {
    const value = values[name];
    if (flag.type === 'string' && flag.required && value === undefined)
      throw usageError(`missing --${name}: ${flag.help}`);
    if (
      flag.type === 'string' &&
      flag.choices &&
      typeof value === 'string' &&
      !flag.choices.includes(value)
    )
      throw usageError(`--${name} must be ${flag.choices.join(' or ')}, not "${value}"`);
  }
}

const flagText = (name: string, flag: FlagSpec) =>
  flag.type === 'string' ? `--${name} ${flag.value}` : `--${name}`;

/** `exec NAME [--server] [--region REGION] [-- COMMAND [ARGS...]]`. */
export function usageLine(spec: CommandSpec): string {
  const parts = [`vault-aws-tray ${spec.name}`];
  if (spec.args) parts.push(spec.args);
  for (const [name, flag] of Object.entries(spec.flags))
    parts.push(
      flag.type === 'string' && flag.required ? flagText(name, flag) : `[${flagText(name, flag)}]`,
    );
  if (spec.json) parts.push('[--json]');
  if (spec.command === 'required') parts.push('-- COMMAND [ARGS...]');
  if (spec.command === 'optional') parts.push('[-- COMMAND [ARGS...]]');
  return parts.join(' ');
}

function flagList(flags: Readonly<Record<string, FlagSpec>>): string[] {
  const rows = Object.entries(flags).map(([name, flag]) => {
    const short = flag.type === 'boolean' && flag.short ? `, -${flag.short}` : '';
    return [`${flagText(name, flag)}${short}`, flag.help] as const;
  });
  const width = Math.max(0, ...rows.map(([left]) => left.length));
  return rows.map(([left, help]) => `  ${left.padEnd(width)}  ${help}`);
}

/** `help COMMAND` and `COMMAND --help`. */
export function commandHelp(id: CommandId): string {
  const spec: CommandSpec = COMMAND_SPECS[id];
  const lines = [
    `usage: ${usageLine(spec)}`,
    '',
    `${spec.summary[0]!.toUpperCase()}${spec.summary.slice(1)}.`,
  ];
  const flags = Object.keys(spec.flags).length > 0 ? flagList(spec.flags) : [];
  if (flags.length > 0) lines.push('', 'options:', ...flags);
  lines.push('', 'global options:', ...flagList(GLOBAL_FLAGS));
  return `${lines.join('\n')}\n`;
}

/** The top-level usage: every command and what it does, from the same table. */
export function topLevelHelp(version: string, settingsDir: string): string {
  const rows = (Object.values(COMMAND_SPECS) as CommandSpec[]).map(
    (spec) => [`${spec.name}${spec.args ? ` ${spec.args}` : ''}`, spec.summary] as const,
  );
  const width = Math.max(...rows.map(([left]) => left.length));
  return `usage: vault-aws-tray <command> [options]

Keeps named AWS profiles fresh from HashiCorp Vault.

commands:
${rows.map(([left, summary]) => `  ${left.padEnd(width)}  ${summary}`).join('\n')}

global options (anywhere before --):
${flagList({ ...GLOBAL_FLAGS, version: { type: 'boolean', help: `the version (${version})` } }).join('\n')}

The settings folder is now ${settingsDir}. \`vault-aws-tray help COMMAND\` shows a command's options.
exit codes: 0 ok, 1 failure, 2 usage error, 3 sign-in needed, 126 cannot run, 127 not found
`;
}

/** The command a `help` line names (`help profile add`), checked. */
export function helpTopic(words: string[]): CommandId | undefined {
  if (words.length === 0) return undefined;
  return lookUp(words);
}
