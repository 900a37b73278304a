/** The Choose roles screen's new profiles (choose-roles.tsx): each picked role, as a draft. */
import {
  ROLE_ARN_MAX,
  TTL_SECONDS,
  inMinutes,
  regionProblem,
  wholeNumberProblem,
} from '../../shared/fields.js';
import type { DiscoveredRole, NewProfile, ProfileCheck } from '../../shared/ipc.js';
import { profileNameProblem } from '../../shared/profile-name.js';
import { Checkbox, RadioGroup, TextField } from '../fields.js';

/** The form asks the lifetime in minutes. */
const TTL_MINUTES = inMinutes(TTL_SECONDS);

/** Credential types whose roles can also be read through the `sts` endpoint. */
const STS_TYPES = ['assumed_role', 'federation_token'];

/** A role the user picked, with the profile it is about to become. */
export interface Draft {
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

export function draftOf(role: DiscoveredRole | { mount: string; name: string }): Draft {
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
export const currentCheck = (draft: Draft) =>
  draft.check?.name === draft.name ? draft.check.answer : undefined;

function roleArnProblem(arn: string): string | undefined {
  if (!arn.startsWith('arn:'))
    return 'A role ARN starts with arn:, like arn:aws:iam::123456789012:role/dev.';
  return arn.length > ROLE_ARN_MAX
    ? `A role ARN is at most ${ROLE_ARN_MAX} characters.`
    : undefined;
}

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
    region: draft.region ? regionProblem(draft.region) : undefined,
    ttl: draft.ttl
      ? wholeNumberProblem(draft.ttl, TTL_MINUTES, 'The lifetime', ' minutes')
      : undefined,
    roleArn: draft.roleArn ? roleArnProblem(draft.roleArn) : undefined,
  };
}

export const hasProblems = (draft: Draft, all: Draft[]) =>
  Object.values(problemsOf(draft, all, true)).some(Boolean);

export function newProfileOf(draft: Draft): NewProfile {
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

/** One picked role's profile: its name, and how it is fetched and delivered. */
export function ProfileDraft(props: {
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
          hint={`At least ${TTL_MINUTES.min}; empty: the role's default.`}
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
