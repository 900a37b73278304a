// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Settings } from '../../src/renderer/screens/settings.js';
import type { Setup } from '../../src/shared/ipc.js';
import { apiStub, setup } from './api-stub.js';

afterEach(cleanup);

function open(given: Setup = setup(), signedIn = true) {
  const api = apiStub();
  const callbacks = { onSaved: vi.fn(), onChangeConnection: vi.fn(), onSignOut: vi.fn() };
  render(<Settings api={api} setup={given} signedIn={signedIn} {...callbacks} />);
  return { api, ...callbacks };
}

const field = (label: string | RegExp) => screen.getByLabelText<HTMLInputElement>(label);
const save = () => fireEvent.click(screen.getByRole('button', { name: 'Save' }));

describe('Settings', () => {
  it('shows the saved preferences, with the AWS files in use in the hints', () => {
    open(
      setup({
        preferences: {
          leadMinutes: 10,
          notifications: false,
          startAtLogin: true,
          configFile: '/work/aws-config',
          externalEdits: 'detach',
          consoleBrowser: 'chromium --profile-directory=Work {url}',
        },
      }),
    );
    expect(field('Browser for the AWS console').value).toBe(
      'chromium --profile-directory=Work {url}',
    );
    expect(field(/minutes before expiry/).value).toBe('10');
    expect(field(/^Notify me/).checked).toBe(false);
    expect(field('Start when I log in').checked).toBe(true);
    expect(field('AWS credentials file').value).toBe('');
    // The path is in the hint, which wraps, not in a placeholder a narrow field would cut.
    expect(field('AWS credentials file').placeholder).toBe('');
    expect(field('AWS credentials file').getAttribute('aria-describedby')).toBe(
      'credentials-file-hint',
    );
    expect(document.getElementById('credentials-file-hint')!.textContent).toBe(
      'Empty: the file the AWS tools use, /home/alice/.aws/credentials.',
    );
    expect(document.getElementById('config-file-hint')!.textContent).toBe(
      'Empty: the file the AWS tools use, /home/alice/.aws/config.',
    );
    expect(field(/minutes before expiry/).placeholder).toBe('');
    expect(field('AWS config file').value).toBe('/work/aws-config');
    expect(screen.getByRole<HTMLInputElement>('radio', { name: /Keep the edit/ }).checked).toBe(
      true,
    );
  });

  it('saves what was chosen; an empty lead means a third of the lifetime', async () => {
    const { api, onSaved } = open();
    fireEvent.click(field('Start when I log in'));
    fireEvent.input(field('AWS credentials file'), { target: { value: '/work/creds' } });
    fireEvent.click(screen.getByRole('radio', { name: /Keep the edit/ }));
    fireEvent.input(field('Browser for the AWS console'), {
      target: { value: ' firefox -P work {url} ' },
    });
    save();
    const expected = {
      notifications: true,
      startAtLogin: true,
      credentialsFile: '/work/creds',
      externalEdits: 'detach',
      consoleBrowser: 'firefox -P work {url}',
    };
    await vi.waitFor(() => expect(onSaved).toHaveBeenCalledWith(expected));
    expect(api.savePreferences).toHaveBeenCalledWith(expected);
    expect(screen.getByRole('status').textContent).toBe('Saved.');
  });

  it('refuses a lead that is not a whole number of minutes', async () => {
    const { api } = open();
    fireEvent.input(field(/minutes before expiry/), { target: { value: '0' } });
    save();
    expect(
      screen.getByText('The refresh lead must be a whole number from 1 to 1440 minutes.'),
    ).toBeTruthy();
    await vi.waitFor(() => expect(document.activeElement).toBe(field(/minutes before expiry/)));
    expect(api.savePreferences).not.toHaveBeenCalled();

    fireEvent.input(field(/minutes before expiry/), { target: { value: '20' } });
    save();
    await vi.waitFor(() =>
      expect(api.savePreferences).toHaveBeenCalledWith(
        expect.objectContaining({ leadMinutes: 20 }),
      ),
    );
  });

  it('shows why main refused to save', async () => {
    const { api, onSaved } = open();
    api.savePreferences.mockRejectedValue(new Error('The config file folder does not exist.'));
    save();
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The config file folder does not exist.',
    );
    expect(onSaved).not.toHaveBeenCalled();
  });

  it('changes the connection and signs out', () => {
    const { onChangeConnection, onSignOut } = open();
    expect(screen.getByText('https://vault.example.com:8200')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Change connection' }));
    expect(onChangeConnection).toHaveBeenCalledOnce();
    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(onSignOut).toHaveBeenCalledOnce();
  });

  it('offers no sign-out without a session', () => {
    open(setup({ connection: undefined }), false);
    expect(screen.getByText('No Vault connection yet.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Connect' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Sign out' })).toBeNull();
  });
});
