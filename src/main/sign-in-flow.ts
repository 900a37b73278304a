import type { EngineApi } from '../core/engine/engine-api.js';
import type { EngineHost } from '../core/engine/engine-services.js';
import type { BrowserOpener } from '../core/ports.js';
import { obtainToken } from '../core/vault/sign-in-methods.js';
import type { AppStatus } from '../shared/app-status.js';
import type { SignInEvent } from '../shared/ipc.js';
import type { Settings } from '../shared/settings.js';

export interface SignInFlowDeps {
  engine: EngineApi & { snapshot(): AppStatus };
  host: EngineHost;
  settings(): Settings;
  /** The browser for Vault's sign-in pages (the allowlisted opener). */
  browser: BrowserOpener;
  /** Tells the window how the sign-in goes. */
  tell(event: SignInEvent): void;
  /** Vault asks for an MFA code: the window must be there to ask the user. */
  showSignIn(): void;
}

/**
 * The app's "Sign in" (tray, notice, window): the saved method's sign-in (sign-in-methods.ts)
 * with the window's hooks for progress, MFA and Cancel, then the token handed to the engine. One
 * at a time: a second "Sign in" while one waits brings its page back (the same URL, opened
 * again) and shares its result; only Cancel cancels.
 */
export function signInFlow(deps: SignInFlowDeps) {
  interface Attempt {
    controller: AbortController;
    done: Promise<AppStatus>;
    /** The sign-in page, once the method opened it. */
    url?: string;
    totp?: (code: string | undefined) => void;
  }
  let attempt: Attempt | undefined;

  async function run(
    current: { controller: AbortController; url?: string; totp?: (code?: string) => void },
    token?: string,
  ): Promise<AppStatus> {
    const { controller } = current;
    try {
      const vault = deps.settings().vault;
      if (!vault) throw new Error('Connect to a Vault first.');
      const obtained = await obtainToken(vault, deps.host, {
        browser: {
          async open(url) {
            current.url = url;
            deps.tell({ kind: 'waiting-for-browser', url });
            await deps.browser.open(url);
          },
        },
        clock: deps.host.clock,
        signal: controller.signal,
        tell: (line) => deps.host.logger.info(line),
        askTotp: (question) =>
          new Promise((resolve) => {
            current.totp = resolve;
            deps.showSignIn();
            deps.tell({ kind: 'mfa-required', question });
            controller.signal.addEventListener('abort', () => resolve(undefined), { once: true });
          }),
        token: async () => token,
      });
      await deps.engine.signIn({ token: obtained, vault });
      deps.tell({ kind: 'finished' });
      return deps.engine.snapshot();
    } catch (error) {
      const message = controller.signal.aborted ? 'Sign-in cancelled.' : (error as Error).message;
      deps.tell({ kind: 'failed', message });
      throw new Error(message, { cause: error });
    }
  }

  function signIn(token?: string): Promise<AppStatus> {
    if (attempt) {
      // The page may be behind other windows, or closed: show it again, and wait with the first.
      const { url } = attempt;
      if (url) {
        deps.tell({ kind: 'waiting-for-browser', url });
        void deps.browser
          .open(url)
          .catch((error: unknown) =>
            deps.host.logger.warn(
              `could not open the sign-in page again: ${(error as Error).message}`,
            ),
          );
      }
      return attempt.done;
    }
    const current = { controller: new AbortController() } as Attempt;
    current.done = run(current, token).finally(() => {
      if (attempt === current) attempt = undefined;
    });
    attempt = current;
    return current.done;
  }

  return {
    signIn,
    cancel(): void {
      attempt?.controller.abort();
    },
    submitTotp(code: string): void {
      if (!attempt?.totp) throw new Error('Vault is not asking for a code now.');
      attempt.totp(code);
      attempt.totp = undefined;
    },
  };
}

export type SignInFlow = ReturnType<typeof signInFlow>;
