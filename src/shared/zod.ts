import { z } from 'zod';

// zod compiles validators with `new Function` unless told not to; the window's CSP forbids eval.
// Every module takes `z` from here, so the setting is made before any schema exists.
z.config({ jitless: true });

export { z };
