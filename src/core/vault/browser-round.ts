import type { BrowserOpener, Clock } from '../ports.js';
import { LoopbackListener } from './loopback-listener.js';
import type { CallbackAnswer, CallbackRequest } from './loopback-listener.js';
import { SignInError } from './sign-in-error.js';

/**
 * One round trip through the user's browser, shared by the oidc and jwt sign-ins: a loopback
 * listener, the address opened (or printed), exactly one answer that carries the expected state
 * (others get a 400 and the wait goes on), the provider's own `error=`, a timeout and a cancel.
 * The listener is closed however it ends.
 */
export interface BrowserRound<T> {
  port: number;
  listenAddress: string;
  callbackPath: string;
  /** The redirect URI for the port the listener got. */
  redirectUri(port: number): string;
  /** Makes the address to open; may refuse. Its answer must carry `state`. */
  start(redirectUri: string): Promise<{ url: string; state: string | undefined }>;
  /** Completes the answer that matched; throws a SignInError with words for the user. */
  complete(request: CallbackRequest, redirectUri: string): Promise<T>;
  browser: BrowserOpener;
  noBrowser?: boolean;
  clock: Clock;
  timeoutMs: number;
  signal?: AbortSignal;
  tell(line: string): void;
}

const NOT_THIS_ONE: CallbackAnswer = {
  status: 400,
  title: 'Not this sign-in',
  message:
    'This answer does not belong to the sign-in vault-aws-tray is waiting for; it was ignored.',
  done: false,
};

export async function browserRound<T>(round: BrowserRound<T>): Promise<T> {
  let settle!: (outcome: { value?: T; error?: Error }) => void;
  const outcome = new Promise<{ value?: T; error?: Error }>((resolve) => (settle = resolve));
  let expectedState: string | undefined;
  let redirectUri = '';

  const handle = async (request: CallbackRequest): Promise<CallbackAnswer> => {
    const params = request.params;
    if (expectedState === undefined || params.get('state') !== expectedState) return NOT_THIS_ONE;
    const idpError = params.get('error');
    if (idpError) {
      const description = params.get('error_description');
      const message = `the identity provider refused the sign-in: ${description ? `${description} (${idpError})` : idpError}`;
      settle({ error: new SignInError('idp', message) });
      const sentence = `${message[0]!.toUpperCase()}${message.slice(1)}.`;
      return { status: 400, title: 'Sign-in refused', message: sentence, done: true };
    }
    try {
      settle({ value: await round.complete(request, redirectUri) });
      return {
        status: 200,
        title: 'Signed in',
        message: 'You can close this window and go back to vault-aws-tray.',
        done: true,
      };
    } catch (error) {
      const failure =
        error instanceof SignInError
          ? error
          : new SignInError('callback', (error as Error).message);
      settle({ error: failure });
      return { status: 400, title: 'Sign-in failed', message: failure.message, done: true };
    }
  };

  const listener = await LoopbackListener.start({
    port: round.port,
    listenAddress: round.listenAddress,
    callbackPath: round.callbackPath,
    handle,
  }).catch((error: unknown) => {
    throw new SignInError('listener', (error as Error).message);
  });
  const timer = round.clock.setTimeout(() => {
    const minutes = Math.round(round.timeoutMs / 60_000);
    settle({
      error: new SignInError(
        'timeout',
        `no sign-in came back within ${minutes || '<1'} min; run login again`,
      ),
    });
  }, round.timeoutMs);
  const onAbort = () => settle({ error: new SignInError('cancelled', 'sign-in cancelled') });
  round.signal?.addEventListener('abort', onAbort);
  try {
    redirectUri = round.redirectUri(listener.port);
    const { url, state } = await round.start(redirectUri);
    expectedState = state;
    if (round.noBrowser) round.tell(url);
    else {
      try {
        await round.browser.open(url);
      } catch (error) {
        round.tell(
          `could not open a browser (${(error as Error).message}); open this address to sign in:`,
        );
        round.tell(url);
      }
    }
    round.tell('Waiting for the sign-in to finish in the browser (Ctrl-C to cancel)...');
    const result = await outcome;
    if (result.error) throw result.error;
    return result.value as T;
  } finally {
    round.clock.clearTimeout(timer);
    round.signal?.removeEventListener('abort', onAbort);
    await listener.close();
  }
}
