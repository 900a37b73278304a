import { useEffect, useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import type {
  Api,
  DiscoveredRole,
  Discovery,
  NewProfile,
  ProfileCheck,
  RefreshSummary,
} from '../../shared/ipc.js';
import { profileNameProblem } from '../../shared/profile-name.js';
import { Alert, Checkbox, RadioGroup, TextField, useFocusFirstInvalid } from '../fields.js';
import { formatWhen, messageOf } from '../format.js';
import { AWS_REGION, VAULT_PATH, wholeNumberProblem } from '../validate.js';

/** Credential types whose roles can also be read through the `sts` endpoint. */
const STS_TYPES = ['assumed_role', 'federation_token'];

/** A role the user picked, with the profile it is about to become. */
interface Draft {
  key: string;
  mount: string;
  role: string;
  /** Typed by hand because listing was denied: its ARNs and types are not known. */
  manual: boolean;
  roleArns: string[];
  offersSts: boolean;
  defaultTtlMinutes?: number;
  name: string;
  roleArn: string;
  region: string;
  ttl: string;
  endpoint: 'creds' | 'sts';
  delivery: 'file' | 'process';
  adopt: boolean;
  /** Main's answer about a name: only good while the name is still the same. */
  check?: { name: string; answer: ProfileCheck };
}

function draftOf(role: DiscoveredRole | { mount: string; name: string }): Draft {
  const found = 'readable' in role;
  return {
    key: `${role.mount}/${role.name}`,
    mount: role.mount,
    role: role.name,
    manual: !found,
    roleArns: found ? role.roleArns : [],
    offersSts: !found || role.credentialTypes.some((type) => STS_TYPES.includes(type)),
    defaultTtlMinutes:
      found && role.defaultStsTtlSeconds > 0
        ? Math.round(role.defaultStsTtlSeconds / 60)
        : undefined,
    name: role.name,
    roleArn: found ? (role.roleArns[0] ?? '') : '',
    region: '',
    ttl: '',
    endpoint: 'creds',
    delivery: 'file',
    adopt: false,
  };
}

/** The check of the name as it is now, if main has answered for it. */
const currentCheck = (draft: Draft) =>
  draft.check?.name === draft.name ? draft.check.answer : undefined;

function problemsOf(draft: Draft, all: Draft[], tried: boolean) {
  const check = currentCheck(draft);
  const duplicate = all.filter((other) => other.name === draft.name).length > 1;
  return {
    name:
      profileNameProblem(draft.name) ??
      (duplicate ? `Two new profiles cannot both be named ${draft.name}.` : undefined) ??
      check?.problem ??
      (tried && check?.exists && !draft.adopt
        ? 'Tick "Take it over" to use this name, or choose another one.'
        : undefined),
    region:
      draft.region && !AWS_REGION.test(draft.region)
        ? 'A region is written like eu-west-1.'
        : undefined,
    ttl: draft.ttl ? wholeNumberProblem(draft.ttl, 15, 720, 'The lifetime') : undefined,
    roleArn:
      draft.roleArn && !draft.roleArn.startsWith('arn:')
        ? 'A role ARN starts with arn:, like arn:aws:iam::123456789012:role/dev.'
        : undefined,
  };
}

const hasProblems = (draft: Draft, all: Draft[]) =>
  Object.values(problemsOf(draft, all, true)).some(Boolean);

function newProfileOf(draft: Draft): NewProfile {
  return {
    name: draft.name,
    mount: draft.mount,
    role: draft.role,
    endpoint: draft.endpoint,
    roleArn: draft.roleArn || undefined,
    region: draft.region || undefined,
    ttlMinutes: draft.ttl ? Number(draft.ttl) : undefined,
    delivery: draft.delivery,
    adopt: draft.adopt,
  };
}

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

function ManualEntry(props: { listingDenied: boolean; onAdd(mount: string, role: string): void }) {
  const [mount, setMount] = useState('aws');
  const [role, setRole] = useState('');
  const [tried, setTried] = useState(false);
  const problems = {
    mount: VAULT_PATH.test(mount) ? undefined : 'Enter the mount of the AWS secrets engine.',
    role: VAULT_PATH.test(role) ? undefined : 'Enter the role name you were given.',
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
          ? 'Your Vault policies do not let you list the roles. That is common: listing is often not allowed even where reading credentials is. Enter the mount and role you were given.'
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

function ProfileDraft(props: {
  draft: Draft;
  all: Draft[];
  tried: boolean;
  onChange(changes: Partial<Draft>): void;
  onCheck(name: string): void;
  onDrop(): void;
}) {
  const { draft, onChange } = props;
  const id = `new-${draft.key}`;
  const problems = problemsOf(draft, props.all, props.tried);
  const check = currentCheck(draft);
  return (
    <fieldset class="card">
      <legend class="mono">{draft.key}</legend>
      <TextField
        id={`${id}-name`}
        label="Profile name"
        value={draft.name}
        onValue={(name) => onChange({ name: name.trim(), adopt: false })}
        onCommit={(name) => props.onCheck(name.trim())}
        spellcheck={false}
        hint="What you pass to --profile or AWS_PROFILE."
        error={problems.name}
      />
      {check?.exists && (
        <div class="warning">
          <p>
            An existing profile named <span class="mono">{draft.name}</span> will be taken over; its
            old content is backed up.
          </p>
          <Checkbox
            id={`${id}-adopt`}
            label="Take it over"
            checked={draft.adopt}
            onChecked={(adopt) => onChange({ adopt })}
          />
        </div>
      )}
      {check && check.shadowing.length > 0 && (
        <ul class="warning">
          {check.shadowing.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      )}
      {draft.roleArns.length > 1 && (
        <div class="field">
          <label for={`${id}-arn`}>Role ARN</label>
          <select
            id={`${id}-arn`}
            value={draft.roleArn}
            onChange={(event) => onChange({ roleArn: event.currentTarget.value })}
          >
            {draft.roleArns.map((arn) => (
              <option key={arn} value={arn}>
                {arn}
              </option>
            ))}
          </select>
        </div>
      )}
      {draft.manual && (
        <TextField
          id={`${id}-arn`}
          label="Role ARN"
          value={draft.roleArn}
          onValue={(roleArn) => onChange({ roleArn: roleArn.trim() })}
          spellcheck={false}
          hint="Only when the role has several ARNs."
          error={problems.roleArn}
        />
      )}
      <div class="row">
        <TextField
          id={`${id}-region`}
          label="Region"
          value={draft.region}
          onValue={(region) => onChange({ region: region.trim() })}
          placeholder="us-east-1"
          spellcheck={false}
          hint="Empty: the region your AWS config gives."
          error={problems.region}
        />
        <TextField
          id={`${id}-ttl`}
          label="Lifetime in minutes"
          value={draft.ttl}
          onValue={(ttl) => onChange({ ttl: ttl.trim() })}
          inputMode="numeric"
          placeholder={draft.defaultTtlMinutes?.toString()}
          hint="At least 15; empty: the role's default."
          error={problems.ttl}
        />
      </div>
      {draft.offersSts && (
        <RadioGroup<Draft['endpoint']>
          name={`${id}-endpoint`}
          legend="Vault endpoint"
          value={draft.endpoint}
          onValue={(endpoint) => onChange({ endpoint })}
          choices={[
            { value: 'creds', label: 'creds', hint: 'What the role is set up to hand out.' },
            { value: 'sts', label: 'sts', hint: 'Always temporary STS credentials.' },
          ]}
        />
      )}
      <RadioGroup<Draft['delivery']>
        name={`${id}-delivery`}
        legend="Delivery"
        value={draft.delivery}
        onValue={(delivery) => onChange({ delivery })}
        choices={[
          {
            value: 'file',
            label: 'Credentials file',
            hint: 'The keys are written to the file and kept fresh.',
          },
          {
            value: 'process',
            label: 'credential_process',
            hint: 'The AWS SDK asks this app for keys when it needs them.',
          },
        ]}
      />
      <div class="actions">
        <button type="button" onClick={props.onDrop}>
          Leave out <span class="visually-hidden">{draft.key}</span>
        </button>
      </div>
    </fieldset>
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
    api.checkProfile(name).then(
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
            : { ...draft, check: { name: draft.name, answer: await api.checkProfile(draft.name) } },
        ),
      );
      setChosen(checked);
      if (checked.some((draft) => hasProblems(draft, checked))) {
        focusFirstInvalid();
        return;
      }
      setSummary(await api.addProfiles(checked.map(newProfileOf)));
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
      {discovery.message && <p class="note">{discovery.message}</p>}
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
