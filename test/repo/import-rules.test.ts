import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cruise } from 'dependency-cruiser';
import type { IForbiddenRuleType } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const config = require('../../.dependency-cruiser.cjs') as {
  forbidden: IForbiddenRuleType[];
  options: Record<string, unknown>;
};

async function violations(baseDir?: string) {
  const { tsConfig: _tsConfig, ...options } = config.options;
  const result = await cruise(['src'], {
    validate: true,
    ruleSet: { forbidden: config.forbidden },
    ...(baseDir ? { ...options, baseDir } : config.options),
  });
  if (typeof result.output === 'string') throw new Error('unexpected string output');
  return result.output.summary.violations
    .map(
      (v) =>
        `${v.rule.name}: ${v.from} -> ${v.to.replace(/^.*node_modules\/(electron)\/.*$/, '$1')}`,
    )
    .sort();
}

const fixture = mkdtempSync(join(tmpdir(), 'import-rules-'));
// The fixture resolves packages from the project's node_modules, as the real tree does.
symlinkSync(join(process.cwd(), 'node_modules'), join(fixture, 'node_modules'));
afterAll(() => rmSync(fixture, { recursive: true, force: true }));

function file(path: string, text: string) {
  mkdirSync(join(fixture, path, '..'), { recursive: true });
  writeFileSync(join(fixture, path), text);
}

describe('the import rules of docs/architecture.md', () => {
  it('the source tree keeps them', async () => {
    expect(await violations()).toEqual([]);
  });

  it('they catch each kind of breach (and let `import type` of electron through)', async () => {
    file('src/main/window.ts', 'export const w = 1;\n');
    file('src/core/engine.ts', "import { w } from '../main/window.js';\nexport const e = w;\n");
    file(
      'src/shared/helper.ts',
      "import { readFileSync } from 'node:fs';\nexport const h = readFileSync;\n",
    );
    file('src/cli/tray.ts', "import { app } from 'electron';\nexport const a = app;\n");
    file('src/cli/types.ts', "import type { App } from 'electron';\nexport type A = App;\n");
    file('src/renderer/view.ts', "import { e } from '../core/engine.js';\nexport const v = e;\n");
    // A command that writes the files itself instead of asking the engine, and one that asks.
    file('src/core/aws/credentials-file-writer.ts', 'export const writer = 1;\n');
    file('src/core/engine/engine-api.ts', 'export const api = 1;\n');
    file(
      'src/cli/commands/refresh.ts',
      "import { writer } from '../../core/aws/credentials-file-writer.js';\nimport { api } from '../../core/engine/engine-api.js';\nexport const r = writer + api;\n",
    );
    const found = await violations(fixture);
    expect(found).toEqual([
      'cli-commands-through-the-engine: src/cli/commands/refresh.ts -> src/core/aws/credentials-file-writer.ts',
      'core-below-the-shells: src/core/engine.ts -> src/main/window.ts',
      'electron-only-in-main-and-preload: src/cli/tray.ts -> electron',
      'preload-and-renderer-see-shared-only: src/renderer/view.ts -> src/core/engine.ts',
      'shared-is-pure: src/shared/helper.ts -> fs',
    ]);
  });
});
