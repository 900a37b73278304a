#!/usr/bin/env node
// The published command runs the compiled CLI; `npm run build` makes it.
import('../out/node/cli/main.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('vault-aws-tray: not built yet; run `npm run build` first\n');
    process.exit(1);
  }
  throw error;
});
