/** The CLI's commands: the packaged app's binary runs as the CLI when its first argument is one. */
export const CLI_COMMANDS = [
  'login',
  'logout',
  'profile',
  'refresh',
  'status',
  'doctor',
  'daemon',
  'credential-process',
  'env',
  'exec',
  'console',
  'setup',
  'reset',
  'completion',
  'help',
] as const;
export type CliCommand = (typeof CLI_COMMANDS)[number];

/** A leading `--config-dir DIR` (or `--config-dir=DIR`) apart from the command line after it. */
export function leadingConfigDir(args: readonly string[]): { dir?: string; rest: string[] } {
  if (args[0] === '--config-dir') return { dir: args[1], rest: args.slice(2) };
  if (args[0]?.startsWith('--config-dir='))
    return { dir: args[0].slice('--config-dir='.length), rest: args.slice(1) };
  return { rest: [...args] };
}

/**
 * The CLI's arguments when a binary is run as the `vault-aws-tray` command, or undefined when it
 * starts the tray app. `first` is where the user's arguments begin (1 for the packaged app's
 * binary, 2 for `electron <app folder>`); Chromium switches and `--autostart` are not commands.
 */
export function cliArguments(argv: readonly string[], first: number): string[] | undefined {
  const args = argv.slice(first);
  const command = leadingConfigDir(args).rest[0] ?? '';
  return (CLI_COMMANDS as readonly string[]).includes(command) ? args : undefined;
}
