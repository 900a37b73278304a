/**
 * `npm run stack`: starts the Vault emulator, the STS emulator and the OpenID provider, prints
 * their addresses and a root token as one JSON line on stdout, and runs until SIGINT or SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startStack } from './stack.js';
import { VAULT_VERSIONS } from './vault/index.js';
import type { VaultVersion } from './vault/index.js';

const USAGE = `usage: npm run stack -- [--vault-version ${VAULT_VERSIONS.join('|')}] [--vault-port N] [--sts-port N] [--idp-port N] [--short-creds SECONDS]`;

function port(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`not a port: ${value}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'vault-version': { type: 'string' },
      'vault-port': { type: 'string' },
      'sts-port': { type: 'string' },
      'idp-port': { type: 'string' },
      // Role dev-short with credentials this short (AWS itself allows no less than 900 s).
      'short-creds': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const version = values['vault-version'];
  if (version !== undefined && !/^\d+\.\d+\.\d+$/.test(version))
    throw new Error(`not a Vault version: ${version}`);
  const short = values['short-creds'];
  if (short !== undefined && !/^[1-9]\d*$/.test(short))
    throw new Error(`not a number of seconds: ${short}`);
  const stack = await startStack({
    version: version as VaultVersion | undefined,
    shortCredsSeconds: short === undefined ? undefined : Number(short),
    ports: {
      vault: port(values['vault-port']),
      sts: port(values['sts-port']),
      idp: port(values['idp-port']),
    },
  });
  process.stdout.write(`${JSON.stringify(stack.info)}\n`);
  const stop = () => {
    stack.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `stack: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`,
  );
  process.exit(2);
});
