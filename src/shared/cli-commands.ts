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
 * binary, 2 for `electron <app folder>`). Leading Chromium switches (`--no-sandbox`, which
 * Ubuntu 24.04 needs for the AppImage, `--ozone-platform=wayland`, ...) are skipped: Chromium
 * takes them as `--name` or `--name=value`, never with a separate value. `--config-dir` is ours
 * and is kept; `--autostart` is a switch too, so it starts the tray app.
 */
export function cliArguments(argv: readonly string[], first: number): string[] | undefined {
  const args = argv.slice(first);
  const kept: string[] = [];
  let i = 0;
  while (i < args.length && args[i]!.startsWith('-')) {
    const end = args.length - leadingConfigDir(args.slice(i)).rest.length;
    if (end > i) kept.push(...args.slice(i, end));
    i = Math.max(end, i + 1);
  }
  const command = args[i] ?? '';
  return (CLI_COMMANDS as readonly string[]).includes(command)
    ? [...kept, ...args.slice(i)]
    : undefined;
}
