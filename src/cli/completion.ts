/**
 * Shell completion scripts made from the declaration table (command-specs.ts): commands, each
 * command's flags, the values of flags with a fixed list, and profile names, which the script
 * asks `vault-aws-tray profile list --names` for (with the line's --config-dir, if any).
 */
import { COMMAND_SPECS, GLOBAL_FLAGS, SHELLS } from './command-specs.js';
import type { CommandSpec, FlagSpec } from './command-specs.js';

const BIN = 'vault-aws-tray';
const specs = Object.values(COMMAND_SPECS) as CommandSpec[];
const allFlags = (spec: CommandSpec): Array<[string, FlagSpec]> => [
  ...Object.entries(spec.flags),
  ...(Object.entries(GLOBAL_FLAGS) as Array<[string, FlagSpec]>),
];
const topWords = [...new Set(specs.map((s) => s.name.split(' ')[0]!))];
const subWords = (word: string) =>
  specs.filter((s) => s.name.startsWith(`${word} `)).map((s) => s.name.split(' ')[1]!);
const withSubs = topWords.filter((w) => subWords(w).length > 0);

/** Words safe inside single quotes in every shell here (the table has no quotes). */
const words = (list: readonly string[]) => list.join(' ');

function bash(): string {
  const valueCases: string[] = [];
  const flagCases: string[] = [];
  const argCases: string[] = [];
  for (const spec of specs) {
    const flags = allFlags(spec);
    flagCases.push(`    '${spec.name}') flags='${words(flags.map(([n]) => `--${n}`))}' ;;`);
    for (const [name, flag] of flags) {
      if (flag.type !== 'string') continue;
      const reply = flag.choices
        ? `COMPREPLY=($(compgen -W '${words(flag.choices)}' -- "$cur"))`
        : flag.completes === 'profiles'
          ? 'COMPREPLY=($(compgen -W "$(_vault_aws_tray_profiles)" -- "$cur"))'
          : flag.completes === 'directories'
            ? 'COMPREPLY=($(compgen -d -- "$cur"))'
            : 'COMPREPLY=($(compgen -f -- "$cur"))';
      valueCases.push(`    '${spec.name} --${name}') ${reply}; return 0 ;;`);
    }
    const arg =
      spec.completes === 'profiles'
        ? 'COMPREPLY=($(compgen -W "$(_vault_aws_tray_profiles)" -- "$cur"))'
        : spec.completes === 'shells'
          ? `COMPREPLY=($(compgen -W '${words(SHELLS)}' -- "$cur"))`
          : spec.name === 'help'
            ? `COMPREPLY=($(compgen -W '${words(topWords)}' -- "$cur"))`
            : 'COMPREPLY=()';
    argCases.push(`    '${spec.name}') ${arg} ;;`);
  }
  return `# ${BIN} completion for bash: add to ~/.bashrc
#   source <(${BIN} completion bash)
_vault_aws_tray_profiles() {
  ${BIN} \${_vault_aws_tray_dir:+--config-dir "$_vault_aws_tray_dir"} profile list --names 2>/dev/null
}
_vault_aws_tray() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local cmd="" i w flags
  _vault_aws_tray_dir=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in
      --) COMPREPLY=($(compgen -c -- "$cur")); return 0 ;;
      --config-dir) _vault_aws_tray_dir="\${COMP_WORDS[i+1]}"; ((i++)) ;;
      -*) ;;
      *)
        if [[ -z $cmd ]]; then cmd=$w
        elif [[ " ${words(withSubs)} " == *" $cmd "* ]]; then cmd="$cmd $w"
        fi ;;
    esac
  done
  if [[ -z $cmd ]]; then
    if [[ $prev == --config-dir ]]; then COMPREPLY=($(compgen -d -- "$cur")); return 0; fi
    if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W '${words(Object.keys(GLOBAL_FLAGS).map((n) => `--${n}`))} --version' -- "$cur"))
    else COMPREPLY=($(compgen -W '${words(topWords)}' -- "$cur")); fi
    return 0
  fi
  case "$cmd" in
${withSubs.map((w) => `    ${w}) COMPREPLY=($(compgen -W '${words(subWords(w))}' -- "$cur")); return 0 ;;`).join('\n')}
  esac
  case "$cmd $prev" in
${valueCases.join('\n')}
  esac
  if [[ $cur == -* ]]; then
    case "$cmd" in
${flagCases.join('\n')}
      *) flags='' ;;
    esac
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    return 0
  fi
  case "$cmd" in
${argCases.join('\n')}
  esac
  return 0
}
complete -F _vault_aws_tray ${BIN}
`;
}

/** zsh runs the bash script through its own bash-completion layer. */
function zsh(): string {
  return `# ${BIN} completion for zsh: add to ~/.zshrc
#   source <(${BIN} completion zsh)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bash()
  .split('\n')
  .filter((line) => !line.startsWith('#'))
  .join('\n')}`;
}

function fish(): string {
  const lines = [
    `# ${BIN} completion for fish: ${BIN} completion fish > ~/.config/fish/completions/${BIN}.fish`,
    `complete -c ${BIN} -f`,
    `function __vault_aws_tray_profiles; ${BIN} profile list --names 2>/dev/null; end`,
  ];
  const none = `not __fish_seen_subcommand_from ${words(topWords)}`;
  for (const word of topWords) {
    const spec = specs.find((s) => s.name.split(' ')[0] === word)!;
    const summary = withSubs.includes(word) ? `${word} commands` : spec.summary;
    lines.push(`complete -c ${BIN} -n '${none}' -a ${word} -d '${summary.replace(/'/g, '')}'`);
  }
  for (const word of withSubs)
    for (const sub of subWords(word))
      lines.push(
        `complete -c ${BIN} -n '__fish_seen_subcommand_from ${word}; and not __fish_seen_subcommand_from ${words(subWords(word))}' -a ${sub}`,
      );
  for (const spec of specs) {
    const [word, sub] = spec.name.split(' ');
    const when = sub
      ? `__fish_seen_subcommand_from ${word}; and __fish_seen_subcommand_from ${sub}`
      : `__fish_seen_subcommand_from ${word}`;
    for (const [name, flag] of allFlags(spec)) {
      const value =
        flag.type === 'boolean'
          ? ''
          : flag.choices
            ? ` -xa '${words(flag.choices)}'`
            : flag.completes === 'profiles'
              ? " -xa '(__vault_aws_tray_profiles)'"
              : ' -r -F';
      lines.push(
        `complete -c ${BIN} -n '${when}' -l ${name}${value} -d '${flag.help.replace(/'/g, '')}'`,
      );
    }
    if (spec.completes === 'profiles')
      lines.push(`complete -c ${BIN} -n '${when}' -a '(__vault_aws_tray_profiles)'`);
    if (spec.completes === 'shells')
      lines.push(`complete -c ${BIN} -n '${when}' -a '${words(SHELLS)}'`);
  }
  return `${lines.join('\n')}\n`;
}

export const COMPLETION_SCRIPTS: Record<(typeof SHELLS)[number], () => string> = {
  bash,
  zsh,
  fish,
};
