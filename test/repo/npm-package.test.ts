import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerArn } from '../support/aws-sdk.js';
import { devReads, installedCli, tokenLogin } from '../support/installed-cli.js';
import { STACK_REGION, startStack } from '../support/stack.js';
import type { Stack } from '../support/stack.js';

const run = promisify(execFile);

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  repository?: string;
  files?: string[];
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;

/** npm's own variables of an `npm test` run (a prefix, say) stay out of the nested npm. */
const npmEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)),
);

/** Every package folder under a node_modules, scoped and nested ones too. */
function installedPackages(nodeModules: string): string[] {
  if (!existsSync(nodeModules)) return [];
  return readdirSync(nodeModules).flatMap((entry) => {
    if (entry.startsWith('.')) return [];
    if (entry.startsWith('@'))
      return readdirSync(join(nodeModules, entry)).flatMap((name) =>
        packageAndNested(join(nodeModules, entry, name)),
      );
    return packageAndNested(join(nodeModules, entry));
  });
}
const packageAndNested = (folder: string) => [
  folder,
  ...installedPackages(join(folder, 'node_modules')),
];

let work: string;
let prefix: string;
let installed: string;
let stack: Stack;

// `npm test` has built out/ before vitest starts: the package is packed from it with
// --ignore-scripts, so prepack does not rebuild (and replace out/ under other running tests).
// Packing takes about 1 s and installing from the warm npm cache about 4 s; 180 s leaves room
// for a loaded machine and a registry round trip.
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'npm-package-'));
  const packed = await run(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', work],
    { env: npmEnv },
  );
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
  prefix = join(work, 'prefix');
  await run(
    'npm',
    [
      'install',
      '--global',
      '--prefix',
      prefix,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      join(work, filename),
    ],
    { env: npmEnv, cwd: work },
  );
  installed = join(prefix, 'lib', 'node_modules', pkg.name);
  stack = await startStack();
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('is publishable, built by prepack, and points at the repository the app links to', () => {
    expect(pkg.private).toBeUndefined();
    expect(pkg.scripts?.prepack).toMatch(/npm run build$/);
    expect(pkg.files).toEqual(expect.arrayContaining(['out/', 'bin/']));
    // The window's documentation link (src/main/adapters/browser.ts) is the same repository.
    const docs = /DOCS_URL = 'https:\/\/github\.com\/([^#']+)#readme'/.exec(
      readFileSync('src/main/adapters/browser.ts', 'utf8'),
    );
    expect(pkg.repository).toBe(`github:${docs?.[1]}`);
  });

  it('installs into a clean prefix with the runtime dependencies only', () => {
    const packages = installedPackages(join(installed, 'node_modules'));
    // Each installed package is a runtime dependency of ours or of another installed package:
    // no devDependency came along (ajv is both ours for tests and conf's at runtime).
    const needed = new Set(Object.keys(pkg.dependencies ?? {}));
    for (const folder of packages) {
      const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as Manifest;
      for (const name of Object.keys({
        ...manifest.dependencies,
        ...manifest.optionalDependencies,
      }))
        needed.add(name);
    }
    const names = packages.map((folder) =>
      folder.slice(folder.lastIndexOf('node_modules/') + 'node_modules/'.length),
    );
    expect(names.filter((name) => !needed.has(name))).toEqual([]);
    for (const dev of ['electron', 'electron-builder', 'vitest', 'typescript', 'esbuild', 'tsx'])
      expect(names).not.toContain(dev);
    expect(names).toEqual(expect.arrayContaining(Object.keys(pkg.dependencies ?? {})));
    // Nothing was built at install: out/ came in the tarball.
    expect(existsSync(join(installed, 'out', 'node', 'cli', 'credential-process-fast.cjs'))).toBe(
      true,
    );
    expect(existsSync(join(installed, 'LICENSE'))).toBe(true);
    expect(existsSync(join(installed, 'src'))).toBe(false);
  });

  // A handful of CLI processes of about half a second each; 120 s for a loaded machine.
  it('its bin signs in, writes and refreshes profiles that the AWS SDK accepts', async () => {
    // Node from the PATH, as the bin's shebang finds it; nothing of the checkout on the way up.
    const cli = installedCli(join(prefix, 'bin', 'vault-aws-tray'), {
      path: `${dirname(process.execPath)}:/usr/bin:/bin`,
    });
    const above: string[] = [];
    for (let dir = dirname(prefix); dir !== dirname(dir); dir = dirname(dir)) above.push(dir);
    expect([...above, '/'].filter((dir) => existsSync(join(dir, 'node_modules')))).toEqual([]);

    expect(await cli.run(['--version'])).toEqual({
      code: 0,
      stdout: `${pkg.version}\n`,
      stderr: '',
    });
    expect(await tokenLogin(cli, stack)).toMatchObject({ code: 0, stderr: '' });
    const add = (name: string, ...more: string[]) =>
      cli.run([
        'profile',
        'add',
        name,
        '--role',
        'dev-readonly',
        '--region',
        STACK_REGION,
        ...more,
      ]);
    expect(await add('dev', '--no-refresh')).toMatchObject({ code: 0, stderr: '' });
    expect(await add('ci', '--delivery', 'process', '--no-refresh')).toMatchObject({
      code: 0,
      stderr: '',
    });

    const before = devReads(stack);
    const refresh = await cli.run(['refresh']);
    expect(refresh).toMatchObject({ code: 0, stderr: '' });
    expect(refresh.stdout).toMatch(/^dev: fresh until .*\nci: fresh until .*\n$/);
    expect(devReads(stack)).toBe(before + 2);

    const files = { credentialsFile: cli.credentialsFile, configFile: cli.configFile };
    const dev = await callerArn({ endpoint: stack.aws.url, profile: 'dev', ...files });
    expect(dev).toMatch(/^arn:aws:sts::123456789012:assumed-role\/DevReadOnly\/vault-token-alice/);

    // The line calls the installed bin (its symlink in the prefix, stable across upgrades), and
    // the SDK runs it: credential-process from the package's bundled fast path.
    expect(readFileSync(cli.configFile, 'utf8')).toContain(
      `credential_process = ${join(prefix, 'bin', 'vault-aws-tray')} --config-dir ${cli.configDir} credential-process ci\n`,
    );
    const ci = await callerArn({ endpoint: stack.aws.url, profile: 'ci', ...files });
    expect(ci).toMatch(/assumed-role\/DevReadOnly\//);

    const status = JSON.parse((await cli.run(['status', '--json'])).stdout) as {
      engine: string;
      profiles: Array<{ name: string; state: string }>;
    };
    expect(status.engine).toBe('none');
    expect(status.profiles.map((p) => [p.name, p.state]).sort()).toEqual([
      ['ci', 'fresh'],
      ['dev', 'fresh'],
    ]);
  }, 120_000);
});
