import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandBrowser } from '../../src/core/browser-command.js';

const dir = mkdtempSync(join(tmpdir(), 'browser-command-'));
// A "browser" that writes down its arguments and the variables it was given.
const script = join(dir, 'browser.mjs');
writeFileSync(
  script,
  `import { writeFileSync } from 'node:fs';\n` +
    `writeFileSync(process.argv[2], JSON.stringify({ args: process.argv.slice(2), env: process.env }));\n`,
);

/** What the started command wrote; it runs on its own, so it is waited for (20 s at most). */
async function written(file: string): Promise<{ args: string[]; env: Record<string, string> }> {
  const end = Date.now() + 20_000;
  while (!existsSync(file) || readFileSync(file, 'utf8') === '') {
    if (Date.now() > end) throw new Error(`nothing written to ${file}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return JSON.parse(readFileSync(file, 'utf8')) as { args: string[]; env: Record<string, string> };
}

const URL_WITH_DOLLARS = 'http://127.0.0.1:8/abc?x=$&y=$1';
let n = 0;

describe('commandBrowser', () => {
  it.each([
    [
      '{url} in place',
      (out: string) => `${out} --new-window {url}`,
      ['--new-window', URL_WITH_DOLLARS],
    ],
    ['%s in place', (out: string) => `${out} --url=%s`, [`--url=${URL_WITH_DOLLARS}`]],
    ['no placeholder: last', (out: string) => `${out} -P work`, ['-P', 'work', URL_WITH_DOLLARS]],
  ])('%s, the URL as given', async (_name, command, rest) => {
    const out = join(dir, `out-${n++}.json`);
    await commandBrowser(`${process.execPath} ${script} ${command(out)}`, {
      PATH: process.env.PATH,
    }).open(URL_WITH_DOLLARS);
    expect((await written(out)).args).toEqual([out, ...rest]);
  });

  it('gives the command the desktop variables only, never a Vault token or AWS keys', async () => {
    const out = join(dir, `out-${n++}.json`);
    await commandBrowser(`${process.execPath} ${script} ${out}`, {
      PATH: process.env.PATH,
      DISPLAY: ':1',
      VAULT_TOKEN: 'hvs.secret',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_PROFILE: 'prod',
    }).open('https://example.com/');
    const { env } = await written(out);
    expect(env.DISPLAY).toBe(':1');
    expect(Object.keys(env).filter((k) => /^(VAULT|AWS)_/.test(k))).toEqual([]);
  });

  it('refuses what is not an http(s) address, an empty command and one that cannot start', async () => {
    const browser = commandBrowser(`${process.execPath} ${script}`, {});
    await expect(browser.open('file:///etc/passwd')).rejects.toThrow(/only http and https/);
    await expect(commandBrowser('   ', {}).open('https://example.com/')).rejects.toThrow(/empty/);
    await expect(
      commandBrowser(join(dir, 'no-such-browser'), {}).open('https://example.com/'),
    ).rejects.toThrow(/ENOENT/);
  });
});
