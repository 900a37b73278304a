// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../src/renderer/app.js';
import { apiStub, setup, signedIn, signedOut } from './api-stub.js';

afterEach(cleanup);

const heading = () => screen.findByRole('heading', { level: 1 });
const nav = () => screen.getByRole('navigation', { name: 'Sections' });
const current = () => within(nav()).getByRole('button', { current: 'page' }).textContent;

describe('The window', () => {
  it('opens on Connect when nothing is saved, prefilled from VAULT_ADDR', async () => {
    const api = apiStub();
    api.getAppInfo.mockResolvedValue({
      name: 'vault-aws-tray',
      version: '1.2.3',
      vaultAddrFromEnv: 'https://vault.from-env:8200',
    });
    api.getStatus.mockResolvedValue(signedOut());
    api.getSetup.mockResolvedValue(setup({ connection: undefined }));
    render(<App api={api} />);
    expect((await heading()).textContent).toBe('Connect to Vault');
    expect(screen.getByRole('main')).toBeTruthy();
    expect(
      within(nav())
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(['Connect', 'Profiles', 'Choose roles', 'Settings']);
    expect(current()).toBe('Connect');
    expect(screen.getByLabelText<HTMLInputElement>('Vault address').value).toBe(
      'https://vault.from-env:8200',
    );

    // Saving the connection goes on to sign in.
    fireEvent.click(screen.getByRole('button', { name: 'Save and sign in' }));
    await screen.findByRole('heading', { level: 1, name: 'Profiles' });
    expect(api.saveConnection).toHaveBeenCalledOnce();
    expect(api.signIn).toHaveBeenCalledOnce();
    expect(within(nav()).queryByRole('button', { name: 'Connect' })).toBeNull();
  });

  it('opens on Profiles when signed in, and moves between the sections', async () => {
    const api = apiStub();
    render(<App api={api} />);
    expect((await heading()).textContent).toBe('Profiles');
    expect(screen.getByText('vault-aws-tray')).toBeTruthy();
    expect(within(nav()).queryByRole('button', { name: 'Connect' })).toBeNull();
    expect(current()).toBe('Profiles');

    fireEvent.click(within(nav()).getByRole('button', { name: 'Settings' }));
    const settings = await heading();
    expect(settings.textContent).toBe('Settings');
    expect(current()).toBe('Settings');
    // A new screen takes the focus to its heading.
    expect(document.activeElement).toBe(settings);

    fireEvent.click(within(nav()).getByRole('button', { name: 'Choose roles' }));
    expect((await heading()).textContent).toBe('Choose roles');
    expect(api.discoverRoles).toHaveBeenCalledOnce();
  });

  it('follows the status main pushes, and asks to sign in when the session ends', async () => {
    const api = apiStub();
    render(<App api={api} />);
    await heading();
    act(() => api.push(signedIn([])));
    expect(screen.getByText(/No profiles yet/)).toBeTruthy();
    act(() =>
      api.push({ ...signedOut(), session: { ...signedOut().session, state: 'needs_sign_in' } }),
    );
    expect((await heading()).textContent).toBe('Sign in to Vault');
    // Sign in is no section: no tab is marked current while it shows.
    expect(within(nav()).queryByRole('button', { current: 'page' })).toBeNull();
    expect(
      within(nav())
        .getAllByRole('button')
        .map((b) => b.getAttribute('aria-current')),
    ).toEqual([null, null, null]);
    // Settings stay reachable while signed out.
    fireEvent.click(within(nav()).getByRole('button', { name: 'Settings' }));
    expect((await heading()).textContent).toBe('Settings');
  });

  it('signs out through main', async () => {
    const api = apiStub();
    render(<App api={api} />);
    await heading();
    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(api.signOut).toHaveBeenCalledOnce();
    await screen.findByRole('heading', { level: 1, name: 'Sign in to Vault' });
  });

  it('shows why signing out failed', async () => {
    const api = apiStub();
    api.signOut.mockRejectedValue(new Error('The secret store is locked.'));
    render(<App api={api} />);
    await heading();
    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The secret store is locked.');
    expect((await heading()).textContent).toBe('Profiles');
  });

  it('stops listening to main when it closes', async () => {
    const api = apiStub();
    const { unmount } = render(<App api={api} />);
    await heading();
    expect(api.listening()).toBe(2);
    unmount();
    await vi.waitFor(() => expect(api.listening()).toBe(0));
  });

  it('says so in words when main does not answer', async () => {
    const api = apiStub();
    api.getStatus.mockRejectedValue(new Error('No handler registered for status:get'));
    render(<App api={api} />);
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The app could not answer. Restart it from the tray.',
    );
  });
});
