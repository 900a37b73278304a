import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConnectProxy } from '../support/connect-proxy.js';
import { FakeClock } from '../support/fake-clock.js';
import { serveHttpsFile } from '../support/https-file-server.js';
import { startStack } from '../support/stack.js';
import type { Stack } from '../support/stack.js';
import { makeCertificates } from '../support/tls.js';
import type { TestCertificates } from '../support/tls.js';
import { cliHarness } from './cli-harness.js';

let stack: Stack;
let clock: FakeClock;
let certificates: TestCertificates;
let server: Awaited<ReturnType<typeof serveHttpsFile>>;
beforeAll(async () => {
  clock = new FakeClock();
  stack = await startStack({ clock });
  certificates = makeCertificates();
  const team = { vault: { address: stack.vault.url }, profiles: { dev: { role: 'dev-readonly' } } };
  server = await serveHttpsFile(certificates, '/team.json', () => JSON.stringify(team));
});
afterAll(async () => {
  await server.close();
  await stack.stop();
});

const settingsFile = (cli: ReturnType<typeof cliHarness>) => join(cli.configDir, 'config.json');

/** Saved Vault settings as an earlier setup of a local file leaves them. */
async function savedVault(vault: Record<string, unknown>) {
  const cli = cliHarness({ clock });
  writeFileSync(
    join(cli.home, 'local.json'),
    JSON.stringify({ vault: { address: stack.vault.url, ...vault } }),
  );
  expect((await cli.run(['setup', 'local.json'])).code).toBe(0);
  return cli;
}

describe('setup URL', () => {
  it('refuses a server whose CA is not trusted, in words, changing nothing', async () => {
    const cli = cliHarness({ clock });
    const refused = await cli.run(['setup', server.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^vault-aws-tray: cannot fetch https:\/\/127\.0\.0\.1:\d+\/team\.json: /,
    );
    expect(refused.stderr).toMatch(/unable to verify|self-signed/i);
    expect(refused.stderr).toContain('VAULT_CACERT');
    expect(existsSync(settingsFile(cli))).toBe(false);
    const wrongCa = await cli.run(['setup', server.url], {
      env: { VAULT_CACERT: certificates.otherCaFile },
    });
    expect(wrongCa.code).toBe(1);
  });

  it('takes the CA from VAULT_CACERT, as for Vault', async () => {
    const cli = cliHarness({ clock });
    const setup = await cli.run(['setup', server.url], {
      env: { VAULT_CACERT: certificates.caFile },
    });
    expect([setup.code, setup.stderr]).toEqual([0, '']);
    expect(setup.stdout).toContain(`Team settings from ${server.url}:\n`);
    expect(setup.stdout).toContain('  Add profile dev: aws/creds/dev-readonly\n');
  });

  it('takes the CA from the saved Vault settings', async () => {
    const cli = await savedVault({ caFile: certificates.caFile });
    // --yes: the served file names no CA, so the saved one goes once the file is read.
    const setup = await cli.run(['setup', server.url, '--yes']);
    expect([setup.code, setup.stderr]).toEqual([0, '']);
    expect(setup.stdout).toContain(`    caFile: ${certificates.caFile} → (none)\n`);
    expect(setup.stdout).toContain('  Add profile dev: aws/creds/dev-readonly\n');
  });

  it('goes through the saved proxy, else HTTPS_PROXY, unless NO_PROXY names the host', async () => {
    const proxy = await startConnectProxy();
    try {
      const host = new URL(server.url).host;
      const cli = await savedVault({ caFile: certificates.caFile, proxy: proxy.url });
      expect((await cli.run(['setup', server.url, '--dry-run'])).code).toBe(0);
      expect(proxy.tunnels).toEqual([host]);

      const env = { VAULT_CACERT: certificates.caFile, HTTPS_PROXY: proxy.url };
      const other = cliHarness({ clock });
      expect((await other.run(['setup', server.url, '--dry-run'], { env })).code).toBe(0);
      expect(proxy.tunnels).toEqual([host, host]);
      const direct = await other.run(['setup', server.url, '--dry-run'], {
        env: { ...env, NO_PROXY: '127.0.0.1' },
      });
      expect(direct.code).toBe(0);
      expect(proxy.tunnels).toEqual([host, host]);
    } finally {
      await proxy.close();
    }
  });

  it('refuses plain http', async () => {
    const cli = cliHarness({ clock });
    const before = server.requests.length;
    const refused = await cli.run(['setup', server.url.replace('https:', 'http:')]);
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr: 'vault-aws-tray: team settings are fetched over https only, not http:\n',
    });
    expect(server.requests.length).toBe(before);
  });
});
