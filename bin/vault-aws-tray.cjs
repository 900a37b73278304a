#!/usr/bin/env node
'use strict';
// CommonJS, and `credential-process` answered by one bundled file before the CLI loads: SDKs
// start it for every program that needs credentials, and the ESM loader and the CLI's modules
// would take longer than Node's own start (docs/benchmarks.md). `npm run build` makes out/.

function notBuilt() {
  process.stderr.write('vault-aws-tray: not built yet; run `npm run build` first\n');
  process.exit(1);
}

async function main() {
  let fast;
  try {
    fast = require('../out/node/cli/credential-process-fast.cjs');
  } catch (error) {
    if (error && error.code === 'MODULE_NOT_FOUND') notBuilt();
    throw error;
  }
  const code = await fast.fastCredentialProcess(process.argv.slice(2), {
    env: process.env,
    platform: process.platform,
    // Only the default settings folder needs it: node:os is not loaded otherwise.
    get homedir() {
      return require('node:os').homedir();
    },
  });
  // Its answer is written (synchronously): out at once, without waiting for a socket's teardown.
  if (code !== undefined) process.exit(code);
  try {
    await import('../out/node/cli/main.js');
  } catch (error) {
    if (error && error.code === 'ERR_MODULE_NOT_FOUND') notBuilt();
    throw error;
  }
}

main();
