import { useEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren, PartialInputHTMLAttributes } from 'preact';

/** Links an input to its hint and error text, so a screen reader reads them with the label. */
function describedBy(id: string, hint: unknown, error: unknown): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

/** Preact ties an input's allowed attributes to its literal `type`, so each is spelled out. */
function typeOf(type: 'text' | 'url' | 'password') {
  if (type === 'url') return { type: 'url' } as const;
  if (type === 'password') return { type: 'password' } as const;
  return { type: 'text' } as const;
}

type InputProps = Pick<
  PartialInputHTMLAttributes<HTMLInputElement>,
  | 'placeholder'
  | 'required'
  | 'inputMode'
  | 'autoComplete'
  | 'maxLength'
  | 'readOnly'
  | 'spellcheck'
>;

export interface TextFieldProps extends InputProps {
  id: string;
  label: ComponentChildren;
  value: string;
  /** Absent for a read-only field. */
  onValue?(value: string): void;
  /** The user changed the value and left the field (the `change` event). */
  onCommit?(value: string): void;
  type?: 'text' | 'url' | 'password';
  hint?: ComponentChildren;
  error?: string;
}

export function TextField({
  id,
  label,
  value,
  onValue,
  onCommit,
  type = 'text',
  hint,
  error,
  ...input
}: TextFieldProps) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        {...typeOf(type)}
        id={id}
        value={value}
        onInput={onValue && ((event) => onValue(event.currentTarget.value))}
        onChange={onCommit && ((event) => onCommit(event.currentTarget.value))}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...input}
      />
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

export function Checkbox(props: {
  id: string;
  label: ComponentChildren;
  checked: boolean;
  onChecked(checked: boolean): void;
  hint?: ComponentChildren;
}) {
  const { id, label, checked, onChecked, hint } = props;
  return (
    <div class="check">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        onChange={(event) => onChecked(event.currentTarget.checked)}
        aria-describedby={describedBy(id, hint, undefined)}
      />
      <label for={id}>{label}</label>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

export interface Choice<T extends string> {
  value: T;
  label: ComponentChildren;
  hint?: ComponentChildren;
}

export function RadioGroup<T extends string>(props: {
  name: string;
  legend: ComponentChildren;
  choices: Array<Choice<T>>;
  value: T;
  onValue(value: T): void;
}) {
  const { name, legend, choices, value, onValue } = props;
  return (
    <fieldset class="choices">
      <legend>{legend}</legend>
      {choices.map((choice) => {
        const id = `${name}-${choice.value}`;
        return (
          <div class="check" key={choice.value}>
            <input
              id={id}
              type="radio"
              name={name}
              value={choice.value}
              checked={choice.value === value}
              onChange={() => onValue(choice.value)}
              aria-describedby={describedBy(id, choice.hint, undefined)}
            />
            <label for={id}>{choice.label}</label>
            {choice.hint && (
              <p class="hint" id={`${id}-hint`}>
                {choice.hint}
              </p>
            )}
          </div>
        );
      })}
    </fieldset>
  );
}

/** A refusal or failure, announced at once by screen readers. */
export function Alert({ message }: { message: string | undefined }) {
  return message ? (
    <p class="alert" role="alert">
      {message}
    </p>
  ) : null;
}

/** Takes the user to the first field marked invalid, once the form shows its messages. */
export function useFocusFirstInvalid() {
  const form = useRef<HTMLFormElement>(null);
  const [requests, setRequests] = useState(0);
  useEffect(() => {
    if (requests > 0) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [requests]);
  return { form, focusFirstInvalid: () => setRequests((n) => n + 1) };
}
