import { useEffect, useRef, useState } from 'preact/hooks';
import type { RefObject, TargetedSubmitEvent } from 'preact';
import type { Api, AuthMethod } from '../../shared/ipc.js';
import { Alert, TextField } from '../fields.js';
import { messageOf } from '../format.js';

/** Where a sign-in stands, from the user's click to main's `finished` or `failed`. */
export type SignInFlow =
  | { step: 'idle' }
  /** The user asked to sign in again while the session still runs. */
  | { step: 'asked' }
  | { step: 'starting' }
  | { step: 'waiting'; url: string }
  | { step: 'mfa' }
  | { step: 'failed'; message: string };

const TOTP = /^\d{6}$/;

/**
 * Vault's login MFA asks for a one-time passcode. The window names the method in its own words:
 * main's question is the CLI's sentence and carries Vault's name for the method (often just
 * "totp"), and the only method main asks the window about is TOTP (core/vault/mfa.ts).
 */
export const TOTP_PROMPT =
  'Vault asks for a second step: enter the 6-digit code from your authenticator app.';

function TotpForm(props: {
  api: Api;
  onCancel(): void;
  cancel: RefObject<HTMLButtonElement | null>;
}) {
  const { api } = props;
  const [code, setCode] = useState('');
  const [problem, setProblem] = useState<string>();
  const [sending, setSending] = useState(false);
  const [refusal, setRefusal] = useState<string>();
  const field = useRef<HTMLDivElement>(null);
  useEffect(() => field.current?.querySelector('input')?.focus(), []);

  async function submit(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    setRefusal(undefined);
    if (!TOTP.test(code)) {
      setProblem('Enter the 6 digits your authenticator app shows.');
      return;
    }
    setProblem(undefined);
    setSending(true);
    try {
      await api.submitTotp({ code });
    } catch (error) {
      setRefusal(messageOf(error));
    } finally {
      setSending(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <p>{TOTP_PROMPT}</p>
      <div ref={field}>
        <TextField
          id="totp"
          label="One-time code"
          value={code}
          onValue={(value) => setCode(value.trim())}
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          error={problem}
        />
      </div>
      <div class="actions">
        <button type="submit" class="primary" disabled={sending}>
          {sending ? 'Checking…' : 'Verify'}
        </button>
        <button type="button" ref={props.cancel} onClick={props.onCancel}>
          Cancel
        </button>
      </div>
      <Alert message={refusal} />
    </form>
  );
}

function StartForm(props: { method: AuthMethod; onSignIn(token?: string): void }) {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string>();

  function submit(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (props.method !== 'token') return props.onSignIn();
    if (!token) return setProblem('Paste your Vault token.');
    props.onSignIn(token);
  }

  return (
    <form onSubmit={submit} noValidate>
      {props.method === 'token' ? (
        <TextField
          id="vault-token"
          label="Vault token"
          type="password"
          value={token}
          onValue={(value) => setToken(value.trim())}
          autoComplete="off"
          spellcheck={false}
          hint="Kept in your system's secret store, never in a file."
          error={problem}
        />
      ) : (
        <p>Your browser opens Vault's sign-in page; come back here when it says you are done.</p>
      )}
      <div class="actions">
        <button type="submit" class="primary">
          {props.method === 'token' ? 'Sign in' : 'Sign in with your browser'}
        </button>
      </div>
    </form>
  );
}

export function SignIn(props: {
  api: Api;
  address: string;
  namespace: string;
  method: AuthMethod;
  flow: SignInFlow;
  /** The session still runs: the user may go back without signing in. */
  canDismiss: boolean;
  onSignIn(token?: string): void;
  onCancel(): void;
  onDismiss(): void;
  onChangeConnection(): void;
}) {
  const { flow } = props;
  const running = flow.step === 'starting' || flow.step === 'waiting' || flow.step === 'mfa';
  const cancel = useRef<HTMLButtonElement>(null);
  // The button that started the sign-in is gone: keep keyboard users on Cancel.
  useEffect(() => {
    if (running) cancel.current?.focus();
  }, [running]);
  return (
    <>
      <h1 tabIndex={-1}>Sign in to Vault</h1>
      <p class="lead">
        Vault at <span class="mono">{props.address}</span>
        {props.namespace && (
          <>
            , namespace <span class="mono">{props.namespace}</span>
          </>
        )}
      </p>
      {flow.step === 'starting' && <p role="status">Starting the sign-in…</p>}
      {flow.step === 'waiting' && (
        <>
          <p role="status">Waiting for your browser…</p>
          <TextField
            id="sign-in-url"
            label="Sign-in page"
            value={flow.url}
            readOnly
            spellcheck={false}
            hint="If no browser window opened, copy this address into one."
          />
        </>
      )}
      {flow.step === 'mfa' && (
        <TotpForm api={props.api} onCancel={props.onCancel} cancel={cancel} />
      )}
      {running ? (
        // The code's form has its own Cancel beside Verify.
        flow.step !== 'mfa' && (
          <div class="actions">
            <button type="button" ref={cancel} onClick={props.onCancel}>
              Cancel
            </button>
          </div>
        )
      ) : (
        <>
          {flow.step === 'failed' && <Alert message={flow.message} />}
          <StartForm method={props.method} onSignIn={props.onSignIn} />
          <div class="actions">
            <button type="button" onClick={props.onChangeConnection}>
              Change connection
            </button>
            {props.canDismiss && (
              <button type="button" onClick={props.onDismiss}>
                Not now
              </button>
            )}
          </div>
        </>
      )}
    </>
  );
}
