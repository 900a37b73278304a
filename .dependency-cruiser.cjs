/**
 * The import rules of docs/architecture.md ("Import rules"), checked by test/repo/import-rules.test.ts:
 * shared ← core ← {main, cli}; preload → shared; renderer → shared; electron at runtime only in
 * src/main and src/preload.
 */
const ROOMS = ['shared', 'core', 'main', 'preload', 'renderer', 'cli'];
const others = (...allowed) =>
  `^src/(${ROOMS.filter((room) => !allowed.includes(room)).join('|')})/`;

module.exports = {
  forbidden: [
    {
      name: 'shared-stands-alone',
      comment:
        'src/shared is used everywhere, the renderer too: it imports nothing else from src/.',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: others('shared') },
    },
    {
      name: 'shared-is-pure',
      comment: 'src/shared reaches the renderer, so it may not use Node APIs.',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'core-below-the-shells',
      comment:
        'src/core is the engine: it knows shared only, never main, cli, preload or renderer.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: others('core', 'shared') },
    },
    {
      name: 'shells-stay-apart',
      comment: 'main and cli share code only through core and shared.',
      severity: 'error',
      from: { path: '^src/(main|cli)/' },
      to: { path: '^src/(main|cli|preload|renderer)/', pathNot: '^src/$1/' },
    },
    {
      name: 'preload-and-renderer-see-shared-only',
      severity: 'error',
      from: { path: '^src/(preload|renderer)/' },
      to: { path: '^src/', pathNot: '^src/(shared|$1)/' },
    },
    {
      name: 'renderer-without-node',
      comment: 'The renderer is sandboxed: no Node core modules.',
      severity: 'error',
      from: { path: '^src/renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'cli-commands-through-the-engine',
      comment:
        'The CLI commands reach the engine only through its interface (engine-api.ts): never the refresh, writer or Vault client modules. Besides it they may use the pure credential output formats, and what runs in the terminal: the sign-in methods, the browser command and the console sign-in of a profile (profile-console.ts); and the team file (team-setup.ts plans and applies it through the engine, team-file-source.ts reads it) with what reset removes besides (app-files.ts).',
      severity: 'error',
      from: { path: '^src/cli/commands/' },
      to: {
        path: '^src/core/',
        pathNot:
          '^src/core/(engine/engine-api|aws/credential-output|vault/sign-in-methods|browser-command|profile-console|team-setup|team-file-source|app-files)\\.ts$',
      },
    },
    {
      name: 'electron-only-in-main-and-preload',
      comment: 'Nothing else may load electron at runtime (import type is fine).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(main|preload)/' },
      to: { path: '^electron$|node_modules/electron/', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensionAlias: { '.js': ['.ts', '.js'] } },
  },
};
