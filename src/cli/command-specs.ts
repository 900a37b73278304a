/**
 * Every command's flags, declared once: the parser (command-line.ts), `help`, `--help`, the
 * top-level usage and the shell completions (completion.ts) all read this table, so none of
 * them can know a flag the others do not.
 */

export type FlagSpec =
  | { type: 'boolean'; help: string; short?: string }
  | {
      type: 'string';
      /** The value's name in the help (`--ttl DUR`). */
      value: string;
      help: string;
      /** The values it takes, when there is a fixed list (checked, and completed). */
      choices?: readonly string[];
      /** What the shell completes it to, besides choices. */
      completes?: 'profiles' | 'files' | 'directories';
      /** The command cannot do without it. */
      required?: boolean;
    };

export interface CommandSpec {
  /** The words that name it: `status`, `profile add`. */
  readonly name: string;
  /** Its positional arguments as the help shows them: `NAME`, `[NAME...]`. */
  readonly args: string;
  /** How many positional arguments it takes. */
  readonly positionals: { min: number; max: number };
  /** What the positional arguments complete to in a shell. */
  readonly completes?: 'profiles' | 'shells';
  /** `-- COMMAND [ARGS...]` after the flags: required, optional, or not taken. */
  readonly command?: 'required' | 'optional';
  readonly summary: string;
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** It prints JSON with `--json`. */
  readonly json?: boolean;
}

/** Accepted anywhere before a `--`, by every command. */
export const GLOBAL_FLAGS = {
  'config-dir': {
    type: 'string',
    value: 'DIR',
    help: 'the settings folder (also VAULT_AWS_TRAY_CONFIG_DIR)',
    completes: 'directories',
  },
  json: { type: 'boolean', help: 'JSON on stdout, for scripts (the commands that say so)' },
  debug: { type: 'boolean', help: "a failure's stack trace as well as its one line" },
  help: { type: 'boolean', short: 'h', help: 'this help' },
} as const satisfies Record<string, FlagSpec>;

const DURATION = 'DUR';

/** The flags that bind a profile to a Vault role, shared by `profile add` and `profile set`. */
const BINDING = {
  endpoint: {
    type: 'string',
    value: 'creds|sts',
    choices: ['creds', 'sts'],
    help: 'the Vault endpoint read: creds (the role’s type) or sts (assumed_role, federation_token)',
  },
  ttl: {
    type: 'string',
    value: DURATION,
    help: 'ask Vault for credentials this long (15m to 12h)',
  },
  lead: {
    type: 'string',
    value: DURATION,
    help: 'refresh this long before expiry (default: a third of the lifetime)',
  },
  'role-arn': {
    type: 'string',
    value: 'ARN',
    help: 'the role to assume, when the Vault role has several',
  },
  region: { type: 'string', value: 'REGION', help: 'the region written to the profile' },
  delivery: {
    type: 'string',
    value: 'file|process',
    choices: ['file', 'process'],
    help: 'static keys in the credentials file, or a credential_process line in the config',
  },
} as const satisfies Record<string, FlagSpec>;

const REGION_FLAG = {
  type: 'string',
  value: 'REGION',
  help: "the region (AWS_REGION and AWS_DEFAULT_REGION); the profile's when absent",
} as const satisfies FlagSpec;

const one = { min: 1, max: 1 };
const none = { min: 0, max: 0 };

export const COMMAND_SPECS = {
  login: {
    name: 'login',
    args: '',
    positionals: none,
    summary: 'sign in to Vault: oidc in the browser, jwt (the app as OpenID client), or a token',
    flags: {
      method: {
        type: 'string',
        value: 'oidc|jwt|token',
        choices: ['oidc', 'jwt', 'token'],
        help: 'how to sign in (default oidc)',
      },
      addr: {
        type: 'string',
        value: 'URL',
        help: "Vault's address (default VAULT_ADDR, then the saved one)",
      },
      namespace: {
        type: 'string',
        value: 'NS',
        help: 'the Vault namespace (default VAULT_NAMESPACE)',
      },
      mount: {
        type: 'string',
        value: 'PATH',
        help: 'the auth method’s mount (default oidc, or jwt)',
      },
      role: {
        type: 'string',
        value: 'ROLE',
        help: 'the auth method’s role (default: its default role)',
      },
      'no-browser': { type: 'boolean', help: 'print the sign-in URL only; open no browser' },
      port: { type: 'string', value: 'N', help: 'the loopback callback port (default 8250)' },
      'callback-host': {
        type: 'string',
        value: 'HOST',
        help: 'the callback host (default localhost)',
      },
      'callback-scheme': {
        type: 'string',
        value: 'http|https',
        choices: ['http', 'https'],
        help: 'the callback scheme (default http)',
      },
      'listen-address': {
        type: 'string',
        value: 'ADDR',
        help: 'where the callback listener listens',
      },
      timeout: {
        type: 'string',
        value: DURATION,
        help: 'how long to wait for the browser (default 2m)',
      },
      issuer: { type: 'string', value: 'URL', help: 'jwt: the identity provider' },
      'client-id': { type: 'string', value: 'ID', help: "jwt: the app's client ID there" },
      scope: { type: 'string', value: 'SCOPES', help: 'jwt: the scopes to ask for' },
      device: { type: 'boolean', help: 'jwt: sign in with a code on another device' },
    },
  },
  logout: {
    name: 'logout',
    args: '',
    positionals: none,
    summary: 'revoke the Vault token and forget it',
    flags: {},
  },
  'profile add': {
    name: 'profile add',
    args: 'NAME',
    positionals: one,
    summary: 'let the app manage an AWS profile fed by a Vault role, and write it now',
    flags: {
      role: {
        type: 'string',
        value: 'ROLE',
        required: true,
        help: 'the Vault AWS role that feeds this profile',
      },
      mount: {
        type: 'string',
        value: 'PATH',
        help: 'the AWS secrets engine’s mount (default aws)',
      },
      ...BINDING,
      adopt: { type: 'boolean', help: 'take over an existing profile of this name (backed up)' },
      'no-refresh': { type: 'boolean', help: 'write it at the next refresh, not now' },
    },
  },
  'profile set': {
    name: 'profile set',
    args: 'NAME',
    positionals: one,
    completes: 'profiles',
    summary: 'change a profile; the files follow at once',
    flags: BINDING,
  },
  'profile remove': {
    name: 'profile remove',
    args: 'NAME',
    positionals: one,
    completes: 'profiles',
    summary: 'stop managing a profile and remove its sections',
    flags: {
      'keep-sections': { type: 'boolean', help: 'leave its sections in the AWS files as they are' },
    },
  },
  'profile list': {
    name: 'profile list',
    args: '',
    positionals: none,
    summary: 'the managed profiles and their Vault roles',
    json: true,
    flags: { names: { type: 'boolean', help: 'the names only, one per line' } },
  },
  refresh: {
    name: 'refresh',
    args: '[NAME...]',
    positionals: { min: 0, max: Infinity },
    completes: 'profiles',
    summary: 'fresh credentials from Vault now, for the named profiles or all',
    json: true,
    flags: {},
  },
  status: {
    name: 'status',
    args: '',
    positionals: none,
    summary: 'the Vault session and every profile',
    json: true,
    flags: {},
  },
  doctor: {
    name: 'doctor',
    args: '',
    positionals: none,
    summary: 'check the settings, the AWS files, Vault, TLS and the clock',
    json: true,
    flags: {},
  },
  daemon: {
    name: 'daemon',
    args: '',
    positionals: none,
    summary: 'keep every profile fresh until Ctrl-C or SIGTERM',
    flags: {},
  },
  'credential-process': {
    name: 'credential-process',
    args: 'NAME',
    positionals: one,
    completes: 'profiles',
    summary: 'the credential_process JSON for NAME',
    flags: {},
  },
  env: {
    name: 'env',
    args: 'NAME',
    positionals: one,
    completes: 'profiles',
    summary: "shell lines that export NAME's credentials",
    flags: {
      format: {
        type: 'string',
        value: 'env|fish|powershell',
        choices: ['env', 'fish', 'powershell'],
        help: 'the shell (default env: sh, bash, zsh)',
      },
      region: REGION_FLAG,
    },
  },
  exec: {
    name: 'exec',
    args: 'NAME',
    positionals: one,
    completes: 'profiles',
    command: 'optional',
    summary: "run COMMAND (default $SHELL) with NAME's credentials",
    flags: {
      server: {
        type: 'boolean',
        help: 'from a credentials endpoint on loopback that stays fresh while COMMAND runs',
      },
      region: REGION_FLAG,
    },
  },
  console: {
    name: 'console',
    args: '[NAME]',
    positionals: { min: 0, max: 1 },
    completes: 'profiles',
    summary: "the AWS console signed in as NAME's role (default: the only one, or AWS_PROFILE's)",
    flags: {
      print: { type: 'boolean', help: 'print the sign-in URL instead of opening it' },
      region: {
        type: 'string',
        value: 'REGION',
        help: "the console's region (default the profile's)",
      },
      destination: {
        type: 'string',
        value: 'PATH|URL',
        help: 'a service path (s3, ec2/home) or a full console URL',
      },
      browser: {
        type: 'string',
        value: 'CMD',
        help: 'a browser command with {url} (default console.browser, else the system’s)',
      },
    },
  },
  setup: {
    name: 'setup',
    args: 'FILE|URL',
    positionals: one,
    summary: "apply a team's settings file: the Vault, how to sign in, and the profiles",
    flags: {
      yes: {
        type: 'boolean',
        short: 'y',
        help: 'change existing settings and profiles without asking (scripts)',
      },
      prune: { type: 'boolean', help: 'also remove the managed profiles the file does not name' },
      'dry-run': { type: 'boolean', help: 'say what would change, and change nothing' },
    },
  },
  reset: {
    name: 'reset',
    args: '',
    positionals: none,
    summary:
      'sign out (revoking the token) and remove every profile, cache and setting the app wrote',
    flags: {
      yes: { type: 'boolean', short: 'y', help: 'do not ask first (scripts)' },
    },
  },
  completion: {
    name: 'completion',
    args: 'SHELL',
    positionals: one,
    completes: 'shells',
    summary: 'a completion script for bash, zsh or fish',
    flags: {},
  },
  help: {
    name: 'help',
    args: '[COMMAND]',
    positionals: { min: 0, max: 2 },
    summary: 'this help, or one command’s',
    flags: {},
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandId = keyof typeof COMMAND_SPECS;

export const COMMAND_IDS = Object.keys(COMMAND_SPECS) as CommandId[];

/** The shells `completion` writes for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;

type Flags<F> = {
  [K in keyof F]?: F[K] extends { type: 'boolean' } ? boolean : string;
};

/** A parsed command line of one command, typed by its declaration. */
export interface CommandInput<C extends CommandId> {
  values: Flags<(typeof COMMAND_SPECS)[C]['flags']> & Flags<typeof GLOBAL_FLAGS>;
  positionals: string[];
  /** What followed `--`, for commands that run one. */
  command: string[];
}
