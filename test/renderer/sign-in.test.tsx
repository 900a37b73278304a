// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../src/renderer/app.js';
import type { AppStatus } from '../../src/shared/app-status.js';
import type { SignInEvent } from '../../src/shared/ipc.js';
import { apiStub, setup, signedIn, signedOut } from './api-stub.js';

afterEach(cleanup);

/** The app with a saved connection and no session: it opens on Sign in. */
async function openSignedOut(method: 'oidc' | 'token' = 'oidc') {
  const api = apiStub();
  api.getStatus.mockResolvedValue(signedOut());
  api.getSetup.mockResolvedValue(
    setup({
      connection: { address: 'https://vault.example.com', namespace: '', authMethod: method },
    }),
  );
  // The sign-in runs until the test settles it.
  let finish!: (status: AppStatus) => void;
  let fail!: (error: Error) => void;
  api.signIn.mockImplementation(
    () =>
      new Promise((resolve, reject) => {
        finish = resolve;
        fail = reject;
      }),
  );
  render(<App api={api} />);
  await screen.findByRole('heading', { level: 1, name: 'Sign in to Vault' });
  return {
    api,
    /** Main pushes a sign-in event; the window has re-rendered when this returns. */
    send: (event: SignInEvent) => act(() => api.signInEvent(event)),
    finish: (status: AppStatus) => finish(status),
    fail: (error: Error) => fail(error),
  };
}

const startSignIn = () =>
  fireEvent.click(screen.getByRole('button', { name: 'Sign in with your browser' }));

describe('Signing in', () => {
  it('waits for the browser, showing the sign-in address as copyable text, then lands on Profiles', async () => {
    const { api, send, finish } = await openSignedOut();
    startSignIn();
    expect(api.signIn).toHaveBeenCalledWith({ token: undefined });
    await screen.findByText('Starting the sign-in…');
    // The clicked button is gone; the keyboard stays on Cancel.
    await vi.waitFor(() =>
      expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Cancel' })),
    );

    const url = 'https://login.example.com/authorize?client_id=vault&state=abc';
    send({ kind: 'waiting-for-browser', url });
    expect(screen.getByRole('status').textContent).toBe('Waiting for your browser…');
    const field = screen.getByLabelText<HTMLInputElement>('Sign-in page');
    expect(field.value).toBe(url);
    expect(field.readOnly).toBe(true);

    send({ kind: 'finished' });
    finish(signedIn());
    await screen.findByRole('heading', { level: 1, name: 'Profiles' });
  });

  it('Cancel asks main to stop and offers the sign-in again', async () => {
    const { api, send } = await openSignedOut();
    startSignIn();
    send({ kind: 'waiting-for-browser', url: 'https://login.example.com/a' });
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel' }));
    expect(api.cancelSignIn).toHaveBeenCalledOnce();
    await screen.findByRole('button', { name: 'Sign in with your browser' });
    // What the cancelled sign-in still sends is no longer shown.
    send({ kind: 'failed', message: 'The sign-in was cancelled.' });
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('asks for a 6-digit TOTP code when Vault wants MFA, and submits it', async () => {
    const { api, send } = await openSignedOut();
    startSignIn();
    // Main's question is the CLI's sentence, with Vault's name for the method.
    send({
      kind: 'mfa-required',
      question:
        'Vault requires MFA for this sign-in: enter the code your authenticator shows for totp',
    });
    const code = await screen.findByLabelText<HTMLInputElement>('One-time code');
    expect(
      screen.getByText(
        'Vault asks for a second step: enter the 6-digit code from your authenticator app.',
      ),
    ).toBeTruthy();
    expect(document.body.textContent).not.toMatch(/for totp/i);
    expect(code.getAttribute('inputmode')).toBe('numeric');
    expect(code.getAttribute('autocomplete')).toBe('one-time-code');
    await vi.waitFor(() => expect(document.activeElement).toBe(code));

    fireEvent.input(code, { target: { value: '12a4' } });
    fireEvent.click(screen.getByRole('button', { name: 'Verify' }));
    expect(screen.getByText('Enter the 6 digits your authenticator app shows.')).toBeTruthy();
    expect(api.submitTotp).not.toHaveBeenCalled();

    fireEvent.input(code, { target: { value: '123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Verify' }));
    expect(api.submitTotp).toHaveBeenCalledWith({ code: '123456' });
  });

  it('puts Verify and Cancel side by side under the code, and Cancel stops the sign-in', async () => {
    const { api, send } = await openSignedOut();
    startSignIn();
    send({ kind: 'waiting-for-browser', url: 'https://login.example.com/a' });
    send({ kind: 'mfa-required', question: 'Vault requires MFA' });
    await screen.findByLabelText('One-time code');
    const cancels = screen.getAllByRole('button', { name: 'Cancel' });
    expect(cancels).toHaveLength(1);
    const row = cancels[0]!.parentElement!;
    expect(row.classList.contains('actions')).toBe(true);
    expect(
      within(row)
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(['Verify', 'Cancel']);
    fireEvent.click(cancels[0]!);
    expect(api.cancelSignIn).toHaveBeenCalledOnce();
    expect(api.submitTotp).not.toHaveBeenCalled();
    await screen.findByRole('button', { name: 'Sign in with your browser' });
  });

  it('shows why the sign-in failed, in main words, and lets the user try again', async () => {
    const { api, send, fail } = await openSignedOut();
    startSignIn();
    const message =
      'Vault role `dev` does not allow the redirect URI http://localhost:8250/oidc/callback; ask the Vault admin to add it';
    send({ kind: 'failed', message });
    fail(new Error(message));
    expect((await screen.findByRole('alert')).textContent).toBe(message);
    startSignIn();
    expect(api.signIn).toHaveBeenCalledTimes(2);
  });

  it('takes a token for the token method', async () => {
    const { api, finish } = await openSignedOut('token');
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(screen.getByText('Paste your Vault token.')).toBeTruthy();
    expect(api.signIn).not.toHaveBeenCalled();

    const token = screen.getByLabelText<HTMLInputElement>('Vault token');
    expect(token.type).toBe('password');
    fireEvent.input(token, { target: { value: 'hvs.example' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(api.signIn).toHaveBeenCalledWith({ token: 'hvs.example' });
    finish(signedIn());
    await screen.findByRole('heading', { level: 1, name: 'Profiles' });
  });

  it('offers to change the connection', async () => {
    await openSignedOut();
    fireEvent.click(screen.getByRole('button', { name: 'Change connection' }));
    await screen.findByRole('heading', { level: 1, name: 'Connect to Vault' });
    expect(screen.getByLabelText<HTMLInputElement>('Vault address').value).toBe(
      'https://vault.example.com',
    );
  });
});
