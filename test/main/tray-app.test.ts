/**
 * The built main process (out/main/index.js) under plain Node with the typed fake of `electron`,
 * against the test stack: what a user does with the tray, end to end.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import type { AppStatus } from '../../src/shared/app-status.js';
import type { Discovery, ProfileCheck, Setup } from '../../src/shared/ipc.js';
import { trayIconPath } from '../../src/main/tray/tray-icons.js';
import { cliHarness } from '../cli/cli-harness.js';
import { callerArn } from '../support/aws-sdk.js';
import { visitConsole } from '../support/sts/console-visit.js';
import { fake, app, invoke, ipcChannels } from '../support/fake-electron.js';
import { httpLogin } from '../support/idp/http-login.js';
import { freePort } from '../support/ports.js';
import { DEV_POLICY, STACK_REGION, startStack } from '../support/stack.js';
import type { Stack } from '../support/stack.js';

vi.mock('electron', async () => await import('../support/fake-electron.js'));

const home = mkdtempSync(join(tmpdir(), 'tray-app-'));
const settingsDir = join(home, 'settings');
const credentialsFile = join(home, '.aws', 'credentials');
const configFile = join(home, '.aws', 'config');
let stack: Stack;

/** Waits for a condition the app reaches asynchronously. */
async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 15_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
const tray = () => fake.trays[0]!;
const icon = (state: string) =>
  trayIconPath(state as never, process.platform, resolve('assets/tray'));

beforeAll(async () => {
  stack = await startStack();
  mkdirSync(settingsDir, { recursive: true, mode: 0o700 });
  writeFileSync(
    join(settingsDir, 'config.json'),
    JSON.stringify({
      vault: {
        address: stack.vault.url,
        authMethod: 'oidc',
        authMount: stack.info.oidc.mount,
        authRole: stack.info.oidc.role,
        callbackPort: await freePort(),
      },
      files: { credentialsFile, configFile },
    }),
  );
  process.env.VAULT_AWS_TRAY_CONFIG_DIR = settingsDir;
  // Start at login writes an XDG autostart entry: into the sandbox, not the real home.
  process.env.XDG_CONFIG_HOME = join(home, '.config');
  await import(resolve('out/main/index.js'));
  app.fireReady();
  // Started: signed out, the window opens (the tray shows before, while the engine starts).
  await until('the app to start', () => fake.windows.length > 0);
});
afterAll(async () => {
  app.quit();
  await until('the app to stop', () => tray().destroyed);
  await stack.stop();
});

describe('the tray app, booted from its built main entry', () => {
  it('starts signed out: the signed-out icon, "Sign in…", and the window opens, hardened', () => {
    expect(tray().image).toBe(icon('signed_out'));
    expect(tray().labels()).toContain('Sign in…');
    const window = fake.windows[0]!;
    expect(window.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect(window.options.webPreferences!.preload).toMatch(/out[\\/]preload[\\/]index\.cjs$/);
    expect(window.loaded).toMatch(/out[\\/]renderer[\\/]index\.html$/);
    // The app is the engine: the CLI finds its socket.
    expect(statSync(join(settingsDir, 'engine.sock')).mode & 0o777).toBe(0o600);
  });

  it('"Sign in…" opens Vault\'s auth_url; after the provider login the tray shows the session', async () => {
    tray().click('Sign in…');
    const authUrl = await until('the browser', () => fake.openedUrls[0]);
    expect(new URL(authUrl).origin).toBe(new URL(stack.info.idp.issuer).origin);
    const user = stack.info.idp.users[0]!;
    await httpLogin(authUrl, { email: user.email, password: user.password });
    await until('the session', () =>
      tray()
        .labels()
        .some((l) => l.includes(user.email)),
    );
    expect(tray().labels()).toContain('Sign out');
    // The token is in the app's encrypted store, never in clear.
    const stored = readFileSync(join(settingsDir, 'tokens.safe.json'), 'utf8');
    expect(stored).not.toMatch(/hvs\./);
  });

  it('a profile added through the CLI and "Refresh dev creds" leave keys STS accepts', async () => {
    const cli = cliHarness({ clock: systemClock });
    const added = await cli.run([
      '--config-dir',
      settingsDir,
      'profile',
      'add',
      'dev',
      '--role',
      'dev-readonly',
      '--region',
      STACK_REGION,
    ]);
    // The command returns once the app has written the profile, as it does with no engine.
    expect(added.stdout).toMatch(/^Added profile dev fed by .*\ndev: fresh until /);
    expect(readFileSync(credentialsFile, 'utf8')).toContain('[dev]');
    await until('the first write', () =>
      tray()
        .labels()
        .some((l) => /^dev — valid until/.test(l)),
    );
    const first = readFileSync(credentialsFile, 'utf8');
    tray().click('Refresh dev creds');
    await until('a new key', () => readFileSync(credentialsFile, 'utf8') !== first);
    await until('the fresh icon', () => tray().image === icon('fresh'));
    expect(
      await callerArn({ endpoint: stack.aws.url, profile: 'dev', credentialsFile, configFile }),
    ).toMatch(/assumed-role\/DevReadOnly\//);
  });

  it('the menu is set again on every change; Copy export commands and Open logs', async () => {
    const before = tray().menusSet;
    const written = readFileSync(credentialsFile, 'utf8');
    tray().click('Refresh dev creds');
    await until('a new menu', () => tray().menusSet > before);
    // Copied once the refresh has landed, so the clipboard and the file hold the same key.
    await until('a new key', () => readFileSync(credentialsFile, 'utf8') !== written);
    await until('the fresh icon', () => tray().image === icon('fresh'));
    const copy = tray().menu!.items.find((i) => i.label === 'Copy export commands')!;
    (copy.submenu as Array<{ label: string; click: () => void }>)
      .find((i) => i.label === 'dev')!
      .click();
    const key = /aws_access_key_id = (\S+)/.exec(readFileSync(credentialsFile, 'utf8'))![1];
    await until('the clipboard', () =>
      fake.clipboard.includes(`export AWS_ACCESS_KEY_ID='${key}'`),
    );
    tray().click('Open logs');
    await until('the logs folder', () => fake.openedPaths.includes(app.getPath('logs')));
    const log = readFileSync(join(app.getPath('logs'), 'main.log'), 'utf8');
    expect(log).toMatch(/dev: refreshed/);
    expect(log).not.toMatch(/hvs\.|aws_secret|ASIA\w{16}/);
  });

  it('"Open dev console" hands the browser a one-shot redirect to the console signed in as dev', async () => {
    process.env.VAULT_AWS_TRAY_FEDERATION_URL = stack.aws.federationUrl;
    try {
      const seen = fake.openedUrls.length;
      tray().click('Open dev console');
      const handoff = await until('the browser', () => fake.openedUrls[seen]);
      // Not the sign-in URL: that is a bearer credential, and a command line is public.
      expect(handoff).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[\w-]{32}$/);
      const page = await visitConsole(handoff);
      expect(page.status).toBe(200);
      expect(page.visited[1]).toMatch(/\/federation\?Action=login&/);
      expect(page.fields.arn).toMatch(/^arn:aws:sts::123456789012:assumed-role\/DevReadOnly\//);
      expect(page.fields.region).toBe(STACK_REGION);
      // One shot: the redirect is gone once used.
      await expect(fetch(handoff)).rejects.toThrow();

      // The window's button takes the same way.
      const window = fake.windows.at(-1)!;
      const from = {
        id: window.webContents.id,
        url: `file://${resolve('out/renderer/index.html')}`,
      };
      const opened = invoke('profiles:open-console', from, { profile: 'dev' });
      const second = await until('the browser again', () => fake.openedUrls[seen + 1]);
      expect((await visitConsole(second)).fields.arn).toMatch(/assumed-role\/DevReadOnly\//);
      await opened;
      await expect(invoke('profiles:open-console', from, { profile: 'nope' })).rejects.toThrow(
        /no managed profile named nope/,
      );

      // The browser of the settings (a command with {url}) gets the redirect instead.
      const visited = join(home, 'console-browser.txt');
      const script = join(home, 'console-browser.mjs');
      writeFileSync(
        script,
        `const res = await fetch(process.argv[2], { redirect: 'manual' });\n` +
          `(await import('node:fs')).writeFileSync(${JSON.stringify(visited)}, res.headers.get('location'));\n`,
      );
      const { preferences } = (await invoke('setup:get', from)) as Setup;
      await invoke('setup:save-settings', from, {
        ...preferences,
        consoleBrowser: `${process.execPath} ${script} {url}`,
      });
      tray().click('Open dev console');
      const location = await until('the settings browser', () =>
        existsSync(visited) ? readFileSync(visited, 'utf8') : undefined,
      );
      expect(new URL(location).searchParams.get('Action')).toBe('login');
      expect(fake.openedUrls).toHaveLength(seen + 2);
      await invoke('setup:save-settings', from, preferences);

      // A federation endpoint that cannot be reached: said in a notice, nothing opened.
      process.env.VAULT_AWS_TRAY_FEDERATION_URL = 'http://127.0.0.1:9/federation';
      tray().click('Open dev console');
      const notice = await until('the notice', () =>
        fake.notifications.find((n) => n.options.title === 'Cannot open the dev console'),
      );
      expect(notice.options.body).toMatch(/cannot reach the AWS sign-in endpoint 127\.0\.0\.1:9/);
      expect(fake.openedUrls).toHaveLength(seen + 2);
      const log = readFileSync(join(app.getPath('logs'), 'main.log'), 'utf8');
      expect(log).not.toMatch(/SigninToken|Action=login/);
    } finally {
      delete process.env.VAULT_AWS_TRAY_FEDERATION_URL;
    }
  });

  it('Start at login writes the XDG autostart entry, and unchecking removes it', async () => {
    const entry = join(home, '.config', 'autostart', 'vault-aws-tray.desktop');
    tray().click('Start at login');
    await until('the autostart entry', () => existsSync(entry));
    expect(readFileSync(entry, 'utf8')).toMatch(/^Exec=.*--autostart$/m);
    await until(
      'the checkbox',
      () => tray().menu!.items.find((i) => i.label === 'Start at login')!.checked,
    );
    tray().click('Start at login');
    await until('no entry', () => !existsSync(entry));
  });

  it('a second launch opens the window instead of a second app', async () => {
    fake.windows[0]!.close();
    app.emit('second-instance');
    expect(fake.windows).toHaveLength(2);
    expect(fake.windows[1]!.shown).toBe(true);
  });

  it('a refresh failing with most of the lifetime left shows in the tray and the window, not as a notice', async () => {
    stack.vault.injectFault({
      path: 'aws/creds/dev-readonly',
      kind: 'status',
      status: 500,
      errors: ['internal error'],
    });
    const notices = fake.notifications.length;
    tray().click('Refresh dev creds');
    await until('the warning icon', () => tray().image === icon('warning'));
    const window = fake.windows.at(-1)!;
    const page = `file://${resolve('out/renderer/index.html')}`;
    const status = (await invoke('status:get', {
      id: window.webContents.id,
      url: page,
    })) as AppStatus;
    const dev = status.profiles.find((p) => p.name === 'dev')!;
    expect(dev.state).toBe('expiring');
    expect(dev.lastError?.message).toMatch(/internal error/);
    // The credentials in the file have far more than their lead left: no OS notice for that.
    expect(fake.notifications.slice(notices)).toEqual([]);
    await until('the retry', () => tray().image === icon('fresh'));
  });

  it('the window’s channels reach the real engine: setup, discovery, checks, add and remove', async () => {
    const window = fake.windows.at(-1)!;
    const page = `file://${resolve('out/renderer/index.html')}`;
    const call = <T = unknown>(channel: string, payload?: unknown) =>
      invoke(channel, { id: window.webContents.id, url: page }, payload) as Promise<T>;
    const setup = await call<Setup>('setup:get');
    expect(setup.connection).toMatchObject({ address: stack.vault.url, authMethod: 'oidc' });
    expect(setup.files).toEqual({ credentialsFile, configFile });

    // The dev policy cannot list roles (common): manual entry. A policy that can shows both.
    expect(await call('roles:discover')).toMatchObject({ roles: [], listingDenied: true });
    stack.vault.writePolicy(
      'aws-dev-readonly',
      `${DEV_POLICY}\npath "aws/roles" { capabilities = ["list"] }\npath "aws/roles/*" { capabilities = ["read"] }\n`,
    );
    const found = await call<Discovery>('roles:discover');
    expect(found.roles).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ mount: 'aws', name: 'dev-readonly', readable: true }),
        expect.objectContaining({ mount: 'aws', name: 'prod-admin', readable: false }),
      ]),
    );

    writeFileSync(
      credentialsFile,
      `${readFileSync(credentialsFile, 'utf8')}\n[mine]\naws_access_key_id = AKIAOWNEDBYME\naws_secret_access_key = x\n`,
    );
    expect(await call('profiles:check', { name: 'mine' })).toMatchObject({ exists: true });
    expect(await call('profiles:check', { name: 'dev' })).toMatchObject({
      problem: expect.stringMatching(/already managed/),
    });
    expect((await call<ProfileCheck>('profiles:check', { name: 'bad name' })).problem).toBeTruthy();

    const added = await call('profiles:add', {
      profiles: [
        {
          name: 'ci',
          mount: 'aws',
          role: 'dev-readonly',
          endpoint: 'creds',
          delivery: 'file',
          adopt: false,
        },
      ],
    });
    expect(added).toMatchObject({ profiles: [{ profile: 'ci', ok: true }], signInNeeded: false });
    expect(readFileSync(credentialsFile, 'utf8')).toContain('[ci]');
    await call('profiles:remove', { name: 'ci', deleteSections: false });
    expect(readFileSync(credentialsFile, 'utf8')).toContain('[ci]');
    expect((await call<AppStatus>('status:get')).profiles.map((p) => p.name)).not.toContain('ci');

    await expect(
      call('setup:save-connection', {
        address: 'http://127.0.0.1:9',
        namespace: '',
        authMethod: 'oidc',
      }),
    ).rejects.toThrow(/127\.0\.0\.1:9/);
    expect((await call<Setup>('setup:get')).connection?.address).toBe(stack.vault.url);
  });

  it('every IPC channel refuses an untrusted sender, a null senderFrame and an invalid payload', async () => {
    const window = fake.windows.at(-1)!;
    const page = `file://${resolve('out/renderer/index.html')}`;
    expect(await invoke('status:get', { id: window.webContents.id, url: page })).toMatchObject({
      engine: 'app',
    });
    for (const channel of ipcChannels()) {
      await expect(invoke(channel, { id: 9999, url: page })).rejects.toThrow('untrusted sender');
      await expect(invoke(channel, { id: window.webContents.id, url: null })).rejects.toThrow(
        'untrusted sender',
      );
      await expect(
        invoke(channel, { id: window.webContents.id, url: 'https://evil.example/' }),
      ).rejects.toThrow('untrusted sender');
      await expect(
        invoke(channel, { id: window.webContents.id, url: page }, { surprise: 1 }),
      ).rejects.toThrow('invalid payload');
    }
  });

  // Last: it leaves the token method saved.
  it('`login` in a terminal signs the app in: one session, kept in the app’s encrypted store', async () => {
    tray().click('Sign out');
    await until('signed out', () => tray().labels().includes('Sign in…'));
    const before = readFileSync(join(settingsDir, 'tokens.safe.json'), 'utf8');
    const token = stack.vault.createToken({ policies: ['aws-dev-readonly'], ttlSeconds: 3600 });
    const cli = cliHarness({ clock: systemClock });
    const login = await cli.run(
      ['--config-dir', settingsDir, 'login', '--method', 'token', '--addr', stack.vault.url],
      { env: { VAULT_TOKEN: token } },
    );
    expect(login.code).toBe(0);
    expect(login.stdout).toMatch(/^Signed in to .* as token;/);
    await until('the session', () => tray().labels().includes('Sign out'));
    const stored = readFileSync(join(settingsDir, 'tokens.safe.json'), 'utf8');
    expect(stored).not.toBe(before);
    expect(stored).not.toContain(token);
    // The CLI kept nothing of its own: the app holds the one session of this folder.
    expect(existsSync(join(settingsDir, 'tokens.json'))).toBe(false);
    const status = await cli.run(['--config-dir', settingsDir, 'status', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({
      engine: 'app',
      session: { state: 'active', displayName: 'token' },
    });

    // The token revoked at Vault: the next refresh finds out, the notice says to sign in, and
    // its click opens the window there.
    await fetch(`${stack.vault.url}/v1/auth/token/revoke-self`, {
      method: 'POST',
      headers: { 'X-Vault-Token': token },
    });
    tray().click('Refresh dev creds');
    const notice = await until('the sign-in notice', () =>
      fake.notifications.find((n) => n.options.title === 'Sign in to Vault'),
    );
    fake.windows.at(-1)?.close();
    notice.click();
    expect(fake.windows.at(-1)!.hash).toBe('sign-in');
  });
});
