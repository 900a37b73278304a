import { useEffect, useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { vaultNameProblem, vaultPathProblem } from '../../shared/fields.js';
import type { Api, DiscoveredRole, Discovery, RefreshSummary } from '../../shared/ipc.js';
import { profileNameProblem } from '../../shared/profile-name.js';
import { Alert, TextField, useFocusFirstInvalid } from '../fields.js';
import { formatWhen, messageOf } from '../format.js';
import { currentCheck, draftOf, hasProblems, newProfileOf, ProfileDraft } from './profile-draft.js';
import type { Draft } from './profile-draft.js';

function RoleList(props: {
  discovery: Discovery;
  chosen: Draft[];
  onToggle(role: DiscoveredRole, chosen: boolean): void;
}) {
  const mounts = [...new Set(props.discovery.roles.map((role) => role.mount))];
  return (
    <>
      {mounts.map((mount) => (
        <fieldset class="roles" key={mount}>
          <legend>
            Mount <span class="mono">{mount}</span>
          </legend>
          <ul class="plain">
            {props.discovery.roles
              .filter((role) => role.mount === mount)
              .map((role) => {
                const id = `role-${mount}-${role.name}`;
                return (
                  <li key={role.name} class="check">
                    <input
                      id={id}
                      type="checkbox"
                      disabled={!role.readable}
                      checked={props.chosen.some((draft) => draft.key === `${mount}/${role.name}`)}
                      onChange={(event) => props.onToggle(role, event.currentTarget.checked)}
                      aria-describedby={`${id}-note`}
                    />
                    <label for={id} class="mono">
                      {role.name}
                    </label>
                    <span id={`${id}-note`} class={role.readable ? 'note' : 'note denied'}>
                      {role.readable
                        ? role.credentialTypes.join(', ') || 'readable'
                        : 'denied by your policies'}
                    </span>
                  </li>
                );
              })}
          </ul>
        </fieldset>
      ))}
    </>
  );
}

/** Said once, where the user can act on it: beside the fields that take the role by hand. */
const LISTING_DENIED = 'Your Vault policies do not let you list the roles.';

function ManualEntry(props: {
  listingDenied: boolean;
  /** Main's words for what could not be listed, if it said more than that listing was denied. */
  message?: string;
  onAdd(mount: string, role: string): void;
}) {
  const [mount, setMount] = useState('aws');
  const [role, setRole] = useState('');
  const [tried, setTried] = useState(false);
  const problems = {
    mount: mount
      ? vaultPathProblem(mount, 'The mount')
      : 'Enter the mount of the AWS secrets engine.',
    role: role ? vaultNameProblem(role, 'The role') : 'Enter the role name you were given.',
  };

  function submit(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    setTried(true);
    if (problems.mount || problems.role) return;
    props.onAdd(mount, role);
    setRole('');
    setTried(false);
  }

  return (
    <form class="manual" onSubmit={submit} noValidate aria-labelledby="manual-heading">
      <h2 id="manual-heading">Enter a role by hand</h2>
      <p>
        {props.listingDenied
          ? `${props.message ?? LISTING_DENIED} That is common: listing is often not allowed even where reading credentials is. Enter the mount and role you were given.`
          : 'If you were given a role, enter its mount and name.'}
      </p>
      <div class="row">
        <TextField
          id="manual-mount"
          label="Mount"
          value={mount}
          onValue={(value) => setMount(value.trim())}
          spellcheck={false}
          error={tried ? problems.mount : undefined}
        />
        <TextField
          id="manual-role"
          label="Role"
          value={role}
          onValue={(value) => setRole(value.trim())}
          spellcheck={false}
          error={tried ? problems.role : undefined}
        />
      </div>
      <div class="actions">
        <button type="submit">Add this role</button>
      </div>
    </form>
  );
}

function Results({ summary, onDone }: { summary: RefreshSummary; onDone(): void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const now = Date.now();
  return (
    <section aria-labelledby="results-heading">
      <h2 id="results-heading" tabIndex={-1} ref={heading}>
        Added
      </h2>
      <ul class="results">
        {summary.profiles.map((result) => (
          <li key={result.profile} class={result.ok ? 'ok' : 'bad'}>
            <span class="mono">{result.profile}</span>:{' '}
            {result.ok
              ? result.expiresAt
                ? `ready, fresh until ${formatWhen(result.expiresAt, now)}`
                : 'ready'
              : `not ready: ${result.message ?? 'no credentials yet'}`}
          </li>
        ))}
      </ul>
      {summary.signInNeeded && <p>Sign in to Vault again to fetch the rest.</p>}
      <div class="actions">
        <button type="button" class="primary" onClick={onDone}>
          Go to Profiles
        </button>
      </div>
    </section>
  );
}

type Loading = { state: 'loading' } | { state: 'failed'; message: string } | Discovery;

export function ChooseRoles({ api, onDone }: { api: Api; onDone(): void }) {
  const [discovery, setDiscovery] = useState<Loading>({ state: 'loading' });
  const [chosen, setChosen] = useState<Draft[]>([]);
  const [tried, setTried] = useState(false);
  const [adding, setAdding] = useState(false);
  const [refusal, setRefusal] = useState<string>();
  const [summary, setSummary] = useState<RefreshSummary>();
  const { form, focusFirstInvalid } = useFocusFirstInvalid();

  function discover() {
    setDiscovery({ state: 'loading' });
    api
      .discoverRoles()
      .then(setDiscovery, (error: unknown) =>
        setDiscovery({ state: 'failed', message: messageOf(error) }),
      );
  }
  useEffect(discover, [api]);

  const update = (key: string, changes: Partial<Draft>) =>
    setChosen((list) =>
      list.map((draft) => (draft.key === key ? { ...draft, ...changes } : draft)),
    );

  function check(key: string, name: string) {
    if (profileNameProblem(name)) return;
    api.checkProfile({ name }).then(
      (answer) => update(key, { check: { name, answer } }),
      (error: unknown) => setRefusal(messageOf(error)),
    );
  }

  function choose(draft: Draft) {
    if (chosen.some((other) => other.key === draft.key)) return;
    setChosen([...chosen, draft]);
    check(draft.key, draft.name);
  }

  async function add(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    setTried(true);
    setRefusal(undefined);
    setAdding(true);
    try {
      // A name main has not yet answered for is checked now: nothing is taken over unasked.
      const checked = await Promise.all(
        chosen.map(async (draft) =>
          currentCheck(draft) || profileNameProblem(draft.name)
            ? draft
            : {
                ...draft,
                check: { name: draft.name, answer: await api.checkProfile({ name: draft.name }) },
              },
        ),
      );
      setChosen(checked);
      if (checked.some((draft) => hasProblems(draft, checked))) {
        focusFirstInvalid();
        return;
      }
      setSummary(await api.addProfiles({ profiles: checked.map(newProfileOf) }));
    } catch (error) {
      setRefusal(messageOf(error));
    } finally {
      setAdding(false);
    }
  }

  const heading = <h1 tabIndex={-1}>Choose roles</h1>;
  if (summary) {
    return (
      <>
        {heading}
        <Results summary={summary} onDone={onDone} />
      </>
    );
  }
  if (!('roles' in discovery)) {
    return (
      <>
        {heading}
        {discovery.state === 'loading' ? (
          <p role="status">Looking for the roles you can use…</p>
        ) : (
          <>
            <Alert message={discovery.message} />
            <div class="actions">
              <button type="button" onClick={discover}>
                Try again
              </button>
            </div>
          </>
        )}
      </>
    );
  }

  const count = chosen.length;
  return (
    <>
      {heading}
      <p class="lead">
        Pick the Vault roles to turn into AWS profiles. Roles your policies do not let you read are
        shown, but cannot be picked.
      </p>
      {discovery.message && !discovery.listingDenied && <p class="note">{discovery.message}</p>}
      {discovery.roles.length > 0 ? (
        <RoleList
          discovery={discovery}
          chosen={chosen}
          onToggle={(role, on) =>
            on
              ? choose(draftOf(role))
              : setChosen(chosen.filter((draft) => draft.key !== `${role.mount}/${role.name}`))
          }
        />
      ) : (
        !discovery.listingDenied && <p>No AWS roles were found in the Vault mounts you can see.</p>
      )}
      {(discovery.listingDenied || discovery.roles.length === 0) && (
        <ManualEntry
          listingDenied={discovery.listingDenied}
          message={discovery.message}
          onAdd={(mount, role) => choose(draftOf({ mount, name: role }))}
        />
      )}
      {count > 0 && (
        <form ref={form} onSubmit={add} noValidate aria-labelledby="new-profiles-heading">
          <h2 id="new-profiles-heading">New profiles</h2>
          {chosen.map((draft) => (
            <ProfileDraft
              key={draft.key}
              draft={draft}
              all={chosen}
              tried={tried}
              onChange={(changes) => update(draft.key, changes)}
              onCheck={(name) => check(draft.key, name)}
              onDrop={() => setChosen(chosen.filter((other) => other.key !== draft.key))}
            />
          ))}
          <div class="actions">
            <button type="submit" class="primary" disabled={adding}>
              {adding ? 'Adding…' : `Add ${count} ${count === 1 ? 'profile' : 'profiles'}`}
            </button>
          </div>
          <Alert message={refusal} />
        </form>
      )}
    </>
  );
}
