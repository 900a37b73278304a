// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChooseRoles } from '../../src/renderer/screens/choose-roles.js';
import type { DiscoveredRole, Discovery } from '../../src/shared/ipc.js';
import { apiStub } from './api-stub.js';

afterEach(cleanup);

function role(changes: Partial<DiscoveredRole> = {}): DiscoveredRole {
  return {
    mount: 'aws',
    name: 'dev',
    readable: true,
    credentialTypes: ['assumed_role'],
    roleArns: ['arn:aws:iam::111111111111:role/dev'],
    defaultStsTtlSeconds: 3600,
    ...changes,
  };
}

async function open(discovery: Discovery) {
  const api = apiStub();
  api.discoverRoles.mockResolvedValue(discovery);
  const onDone = vi.fn();
  render(<ChooseRoles api={api} onDone={onDone} />);
  const loading = 'Looking for the roles you can use…';
  expect(screen.getByRole('status').textContent).toBe(loading);
  await vi.waitFor(() => expect(screen.queryByText(loading)).toBeNull());
  return { api, onDone };
}

const draftOf = (key: string) => screen.getByRole('group', { name: key });
const addButton = () => screen.getByRole('button', { name: /^Add \d+ profiles?$/ });

describe('Choose roles', () => {
  it('lists the roles by mount; a role the policies deny is shown but cannot be picked', async () => {
    await open({
      roles: [
        role(),
        role({ name: 'prod', readable: false }),
        role({ mount: 'aws-billing', name: 'reader', credentialTypes: ['iam_user'] }),
      ],
      listingDenied: false,
    });
    const aws = await screen.findByRole('group', { name: 'Mount aws' });
    const billing = screen.getByRole('group', { name: 'Mount aws-billing' });
    expect(
      within(aws)
        .getAllByRole('checkbox')
        .map((box) => box.getAttribute('id')),
    ).toEqual(['role-aws-dev', 'role-aws-prod']);
    const prod = within(aws).getByRole<HTMLInputElement>('checkbox', { name: 'prod' });
    expect(prod.disabled).toBe(true);
    expect(prod.getAttribute('aria-describedby')).toBe('role-aws-prod-note');
    expect(document.getElementById('role-aws-prod-note')?.textContent).toBe(
      'denied by your policies',
    );
    expect(
      within(billing).getByRole<HTMLInputElement>('checkbox', { name: 'reader' }).disabled,
    ).toBe(false);
    // Nothing picked yet, nothing to add; no manual entry while listing works.
    expect(screen.queryByRole('button', { name: /^Add/ })).toBeNull();
    expect(screen.queryByRole('form', { name: 'Enter a role by hand' })).toBeNull();
  });

  it('turns a picked role into a profile named after it and adds it', async () => {
    const { api, onDone } = await open({ roles: [role()], listingDenied: false });
    fireEvent.click(await screen.findByRole('checkbox', { name: 'dev' }));
    const draft = draftOf('aws/dev');
    expect(within(draft).getByLabelText<HTMLInputElement>('Profile name').value).toBe('dev');
    await vi.waitFor(() => expect(api.checkProfile).toHaveBeenCalledWith({ name: 'dev' }));
    fireEvent.input(within(draft).getByLabelText('Region'), { target: { value: 'eu-west-1' } });
    fireEvent.input(within(draft).getByLabelText('Lifetime in minutes'), {
      target: { value: '90' },
    });
    fireEvent.click(within(draft).getByRole('radio', { name: 'credential_process' }));
    fireEvent.click(addButton());

    await vi.waitFor(() =>
      expect(api.addProfiles).toHaveBeenCalledWith({
        profiles: [
          {
            name: 'dev',
            mount: 'aws',
            role: 'dev',
            endpoint: 'creds',
            roleArn: 'arn:aws:iam::111111111111:role/dev',
            region: 'eu-west-1',
            ttlMinutes: 90,
            delivery: 'process',
            adopt: false,
          },
        ],
      }),
    );
    const results = await screen.findByRole('region', { name: 'Added' });
    expect(within(results).getByRole('listitem').textContent).toMatch(/^dev: ready, fresh until /);
    fireEvent.click(screen.getByRole('button', { name: 'Go to Profiles' }));
    expect(onDone).toHaveBeenCalledOnce();
  });

  it('shows what failed per profile after adding', async () => {
    const { api } = await open({ roles: [role()], listingDenied: false });
    api.addProfiles.mockResolvedValue({
      profiles: [{ profile: 'dev', ok: false, message: 'Vault refused: permission denied.' }],
      signInNeeded: true,
    });
    fireEvent.click(await screen.findByRole('checkbox', { name: 'dev' }));
    fireEvent.click(addButton());
    const results = await screen.findByRole('region', { name: 'Added' });
    expect(within(results).getByRole('listitem').textContent).toBe(
      'dev: not ready: Vault refused: permission denied.',
    );
    expect(within(results).getByText('Sign in to Vault again to fetch the rest.')).toBeTruthy();
  });

  it('offers sts only for roles that can hand out STS credentials', async () => {
    await open({
      roles: [role(), role({ name: 'user', credentialTypes: ['iam_user'] })],
      listingDenied: false,
    });
    fireEvent.click(await screen.findByRole('checkbox', { name: 'dev' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'user' }));
    expect(within(draftOf('aws/dev')).getByRole('radio', { name: 'sts' })).toBeTruthy();
    expect(within(draftOf('aws/user')).queryByRole('radio', { name: 'sts' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Add 2 profiles' })).toBeTruthy();
  });

  it('lets the user choose among several role ARNs', async () => {
    const { api } = await open({
      roles: [
        role({
          roleArns: ['arn:aws:iam::111111111111:role/dev', 'arn:aws:iam::222222222222:role/dev'],
        }),
      ],
      listingDenied: false,
    });
    fireEvent.click(await screen.findByRole('checkbox', { name: 'dev' }));
    const arn = within(draftOf('aws/dev')).getByLabelText<HTMLSelectElement>('Role ARN');
    expect([...arn.options].map((option) => option.value)).toEqual([
      'arn:aws:iam::111111111111:role/dev',
      'arn:aws:iam::222222222222:role/dev',
    ]);
    fireEvent.change(arn, { target: { value: 'arn:aws:iam::222222222222:role/dev' } });
    fireEvent.click(addButton());
    await vi.waitFor(() =>
      expect(api.addProfiles).toHaveBeenCalledWith({
        profiles: [expect.objectContaining({ roleArn: 'arn:aws:iam::222222222222:role/dev' })],
      }),
    );
  });

  it('explains a denied listing and takes the mount and role by hand', async () => {
    const { api } = await open({ roles: [], listingDenied: true });
    const manual = await screen.findByRole('form', { name: 'Enter a role by hand' });
    expect(within(manual).getByText(/listing is often not allowed/)).toBeTruthy();
    expect(within(manual).getByLabelText<HTMLInputElement>('Mount').value).toBe('aws');
    fireEvent.click(within(manual).getByRole('button', { name: 'Add this role' }));
    expect(within(manual).getByText('Enter the role name you were given.')).toBeTruthy();
    fireEvent.input(within(manual).getByLabelText('Role'), { target: { value: 'de ploy' } });
    fireEvent.click(within(manual).getByRole('button', { name: 'Add this role' }));
    expect(
      within(manual).getByText(
        'The role may only contain letters, digits, ".", "_", "@" and "-" (one name: no "/", not "." or "..").',
      ),
    ).toBeTruthy();

    fireEvent.input(within(manual).getByLabelText('Role'), { target: { value: 'deploy' } });
    fireEvent.click(within(manual).getByRole('button', { name: 'Add this role' }));
    const draft = draftOf('aws/deploy');
    // What the role allows is unknown: both endpoints, and an ARN if needed.
    expect(within(draft).getByRole('radio', { name: 'sts' })).toBeTruthy();
    fireEvent.click(within(draft).getByRole('radio', { name: 'sts' }));
    fireEvent.click(addButton());
    await vi.waitFor(() =>
      expect(api.addProfiles).toHaveBeenCalledWith({
        profiles: [
          expect.objectContaining({
            name: 'deploy',
            mount: 'aws',
            role: 'deploy',
            endpoint: 'sts',
          }),
        ],
      }),
    );
  });

  it("says once that roles cannot be listed, in main's words when it gave some", async () => {
    const cases: Array<[Discovery, string]> = [
      [{ roles: [], listingDenied: true }, 'Your Vault policies do not let you list the roles.'],
      [
        {
          roles: [],
          listingDenied: true,
          message: 'Your policies do not let you list Vault’s secrets engines.',
        },
        'Your policies do not let you list Vault’s secrets engines.',
      ],
      [
        {
          roles: [role()],
          listingDenied: true,
          message: 'Your policies do not let you list the roles of some engines.',
        },
        'Your policies do not let you list the roles of some engines.',
      ],
    ];
    for (const [discovery, said] of cases) {
      await open(discovery);
      const manual = await screen.findByRole('form', { name: 'Enter a role by hand' });
      expect(within(manual).getByText(new RegExp(`^${said}`))).toBeTruthy();
      const page = document.body.textContent ?? '';
      expect(page.match(/not let you list/g)).toHaveLength(1);
      expect(page.match(/listing is often not allowed/g)).toHaveLength(1);
      cleanup();
    }
  });

  it('validates the profile name as the AWS tools read it', async () => {
    const { api } = await open({ roles: [role()], listingDenied: false });
    fireEvent.click(await screen.findByRole('checkbox', { name: 'dev' }));
    const name = within(draftOf('aws/dev')).getByLabelText('Profile name');
    fireEvent.input(name, { target: { value: 'my dev' } });
    expect(
      within(draftOf('aws/dev')).getByText(
        'Profile name "my dev" may only contain letters, digits, ".", "_" and "-".',
      ),
    ).toBeTruthy();
    expect(name.getAttribute('aria-invalid')).toBe('true');
    fireEvent.input(within(draftOf('aws/dev')).getByLabelText('Lifetime in minutes'), {
      target: { value: '10' },
    });
    expect(
      screen.getByText('The lifetime must be a whole number from 15 to 2160 minutes.'),
    ).toBeTruthy();
    fireEvent.click(addButton());
    await vi.waitFor(() => expect(document.activeElement).toBe(name));
    expect(api.addProfiles).not.toHaveBeenCalled();
  });

  it('warns before taking over an existing profile, and only adopts it when told to', async () => {
    const { api } = await open({ roles: [role()], listingDenied: false });
    api.checkProfile.mockImplementation(async ({ name }) => ({
      exists: name === 'shared',
      shadowing: name === 'shared' ? ['AWS_PROFILE is set to another profile in your shell.'] : [],
    }));
    fireEvent.click(await screen.findByRole('checkbox', { name: 'dev' }));
    const draft = draftOf('aws/dev');
    const name = within(draft).getByLabelText('Profile name');
    fireEvent.input(name, { target: { value: 'shared' } });
    fireEvent.change(name, { target: { value: 'shared' } });
    await vi.waitFor(() => expect(api.checkProfile).toHaveBeenCalledWith({ name: 'shared' }));
    expect(
      (await within(draft).findByText(/will be taken over/)).textContent?.replace(/\s+/g, ' '),
    ).toBe('An existing profile named shared will be taken over; its old content is backed up.');
    expect(
      within(draft).getByText('AWS_PROFILE is set to another profile in your shell.'),
    ).toBeTruthy();

    fireEvent.click(addButton());
    expect(
      await within(draft).findByText(
        'Tick "Take it over" to use this name, or choose another one.',
      ),
    ).toBeTruthy();
    expect(api.addProfiles).not.toHaveBeenCalled();

    fireEvent.click(within(draft).getByRole('checkbox', { name: 'Take it over' }));
    fireEvent.click(addButton());
    await vi.waitFor(() =>
      expect(api.addProfiles).toHaveBeenCalledWith({
        profiles: [expect.objectContaining({ name: 'shared', adopt: true })],
      }),
    );
  });

  it('checks a name main has not answered for before adding it', async () => {
    const { api } = await open({ roles: [role()], listingDenied: false });
    let answer!: () => void;
    api.checkProfile.mockImplementationOnce(
      () => new Promise((resolve) => (answer = () => resolve({ exists: false, shadowing: [] }))),
    );
    api.checkProfile.mockResolvedValue({ exists: true, shadowing: [] });
    fireEvent.click(await screen.findByRole('checkbox', { name: 'dev' }));
    // The user adds before the first answer came back: the name is asked about again.
    fireEvent.click(addButton());
    answer();
    expect(
      await screen.findByText('Tick "Take it over" to use this name, or choose another one.'),
    ).toBeTruthy();
    expect(api.addProfiles).not.toHaveBeenCalled();
  });

  it('says so when the roles cannot be looked up, and tries again', async () => {
    const { api } = await open({ roles: [], listingDenied: false });
    api.discoverRoles.mockRejectedValueOnce(new Error('Vault did not answer.'));
    cleanup();
    render(<ChooseRoles api={api} onDone={vi.fn()} />);
    expect((await screen.findByRole('alert')).textContent).toBe('Vault did not answer.');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(
      await screen.findByText('No AWS roles were found in the Vault mounts you can see.'),
    ).toBeTruthy();
  });
});
