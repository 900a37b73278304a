import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemBrowser } from '../../src/cli/browser-opener.js';
import { desktopEnvironment } from '../../src/core/desktop-environment.js';
import { desktopNotifier } from '../../src/cli/desktop-notifier.js';

/** An executable named `name` that writes the environment it was given to a JSON file. */
function envDumper(name: string) {
  const dir = mkdtempSync(join(tmpdir(), 'child-env-'));
  const out = join(dir, `${name}.json`);
  const script = join(dir, name);
  writeFileSync(
    script,
    `#!${process.execPath}\nrequire('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify({ argv: process.argv.slice(2), env: process.env }));\n`,
  );
  chmodSync(script, 0o755);
  return { dir, script, out };
}

async function dumped(file: string): Promise<{ argv: string[]; env: Record<string, string> }> {
  await expect.poll(() => existsSync(file), { timeout: 10_000 }).toBe(true);
  await expect
    .poll(() => {
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as unknown;
      } catch {
        return undefined;
      }
    })
    .toBeTruthy();
  return JSON.parse(readFileSync(file, 'utf8')) as { argv: string[]; env: Record<string, string> };
}

/** What a shell that signed in to Vault and AWS has, besides the desktop session. */
const SECRETS = {
  VAULT_TOKEN: 'hvs.CANARYvaultTOKENcanary000000',
  VAULT_ADDR: 'https://vault.example.com',
  VAULT_AWS_TRAY_CONFIG_DIR: '/tmp/x',
  AWS_ACCESS_KEY_ID: 'AKIACANARY0000000000',
  AWS_SECRET_ACCESS_KEY: 'CANARYsecretACCESSkeyCANARYsecretACCESSk',
  AWS_SESSION_TOKEN: 'CANARYsession',
  GITHUB_TOKEN: 'ghp_CANARY',
  NODE_OPTIONS: '--require /tmp/evil.js',
};
const DESKTOP = {
  DISPLAY: ':0',
  WAYLAND_DISPLAY: 'wayland-0',
  XDG_RUNTIME_DIR: '/run/user/1000',
  XDG_CURRENT_DESKTOP: 'GNOME',
  DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus',
  LANG: 'en_GB.UTF-8',
  LC_TIME: 'en_GB.UTF-8',
  HOME: '/home/someone',
};

function expectOnlyTheDesktop(env: Record<string, string>, path: string) {
  for (const name of Object.keys(SECRETS)) expect(env).not.toHaveProperty(name);
  expect(Object.keys(env).filter((name) => /^(VAULT|AWS)_/i.test(name))).toEqual([]);
  expect(JSON.stringify(env)).not.toContain('CANARY');
  expect(env).toMatchObject({ ...DESKTOP, PATH: path });
}

describe('children the app starts for itself get the desktop session’s variables only', () => {
  it('the browser ($BROWSER) sees DISPLAY and PATH, and no VAULT_* or AWS_* variable', async () => {
    const browser = envDumper('browser');
    const path = process.env.PATH!;
    // As in main.ts: the opener is given this process's environment, secrets and all.
    const saved = { ...process.env };
    Object.assign(process.env, SECRETS, DESKTOP, { BROWSER: browser.script });
    try {
      await systemBrowser(process.env, 'linux').open('http://127.0.0.1:8250/sign-in');
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
    const seen = await dumped(browser.out);
    expect(seen.argv).toEqual(['http://127.0.0.1:8250/sign-in']);
    expectOnlyTheDesktop(seen.env, path);
    expect(seen.env.BROWSER).toBe(browser.script);
  });

  it('notify-send, found on PATH, sees the same and no more', async () => {
    const notifySend = envDumper('notify-send');
    const path = `${notifySend.dir}${delimiter}${process.env.PATH}`;
    const lines: string[] = [];
    desktopNotifier((line) => lines.push(line), { ...SECRETS, ...DESKTOP, PATH: path }).notify({
      key: 'session:expiring',
      title: 'Sign in again',
      body: 'The Vault session ends in 10 minutes.',
      urgency: 'normal',
    });
    const seen = await dumped(notifySend.out);
    expect(seen.argv.slice(-2)).toEqual(['Sign in again', 'The Vault session ends in 10 minutes.']);
    expectOnlyTheDesktop(seen.env, path);
    expect(lines).toEqual([
      'vault-aws-tray: Sign in again. The Vault session ends in 10 minutes.\n',
    ]);
  });

  it('one allowlist: Windows and macOS names too (any case), nothing by prefix but LC_ and XDG_', () => {
    expect(
      desktopEnvironment({
        SystemRoot: 'C:\\Windows',
        APPDATA: 'C:\\Users\\me\\AppData\\Roaming',
        LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local',
        USERPROFILE: 'C:\\Users\\me',
        Path: 'C:\\Windows\\system32',
        PATHEXT: '.COM;.EXE',
        ComSpec: 'C:\\Windows\\system32\\cmd.exe',
        TEMP: 'C:\\Temp',
        TMP: 'C:\\Temp',
        TMPDIR: '/var/folders/x',
        SHELL: '/bin/zsh',
        TERM: 'xterm-256color',
        USER: 'me',
        LOGNAME: 'me',
        XAUTHORITY: '/home/me/.Xauthority',
        LC_ALL: 'C',
        VAULT_NAMESPACE: 'team',
        AWS_PROFILE: 'dev',
        AWS_CONFIG_FILE: '/x',
        HTTPS_PROXY: 'http://user:pass@proxy:3128',
        SSH_AUTH_SOCK: '/tmp/ssh',
        LD_PRELOAD: '/tmp/x.so',
        UNSET: undefined,
      }),
    ).toEqual({
      SystemRoot: 'C:\\Windows',
      APPDATA: 'C:\\Users\\me\\AppData\\Roaming',
      LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local',
      USERPROFILE: 'C:\\Users\\me',
      Path: 'C:\\Windows\\system32',
      PATHEXT: '.COM;.EXE',
      ComSpec: 'C:\\Windows\\system32\\cmd.exe',
      TEMP: 'C:\\Temp',
      TMP: 'C:\\Temp',
      TMPDIR: '/var/folders/x',
      SHELL: '/bin/zsh',
      TERM: 'xterm-256color',
      USER: 'me',
      LOGNAME: 'me',
      XAUTHORITY: '/home/me/.Xauthority',
      LC_ALL: 'C',
    });
  });
});
