/**
 * A stand-in for the user's browser, run as `$BROWSER <url>` by the app under test: it completes
 * the OpenID provider's login page for IDP_EMAIL / IDP_PASSWORD with the plain-HTTP driver, or
 * with headless Chromium when PLAY_WITH=chromium, and ends at the app's loopback redirect URI.
 */
import { chromiumLogin, httpLogin } from '../idp/index.js';

const url = process.argv[2];
const email = process.env.IDP_EMAIL;
const password = process.env.IDP_PASSWORD;
if (!url || !email || !password) {
  process.stderr.write('usage: IDP_EMAIL=... IDP_PASSWORD=... play-login.ts URL\n');
  process.exit(2);
}
const login = process.env.PLAY_WITH === 'chromium' ? chromiumLogin : httpLogin;
login(url, { email, password }).then(
  (result) => {
    process.stderr.write(`browser: ${result.status ?? 'no answer'} from the redirect URI\n`);
  },
  (error: unknown) => {
    process.stderr.write(`browser: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
