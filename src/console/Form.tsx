// The console's form pieces: a labelled input or select that hands back the new value, the one-line create form
// above a list, the notice that shows a secret once, and the status cell with the button that ends what it shows.
import type { FormEvent, InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react';
import { useConsole, when } from './context';
import type { StringKey } from './i18n';

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'className' | 'onChange' | 'children'>;

/** An input inside its label; `children` follow the input (e.g. a hint it is described by). */
export function TextField({
  label,
  className,
  onValue,
  children,
  ...input
}: InputProps & { label: ReactNode; className?: string; onValue: (value: string) => void; children?: ReactNode }) {
  return (
    <label className={className}>
      {label}
      <input {...input} onChange={(event) => onValue(event.target.value)} />
      {children}
    </label>
  );
}

type SelectProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'onChange'>;

/** A select inside its label; `children` are its options. */
export function SelectField({ label, onValue, children, ...select }: SelectProps & { label: ReactNode; onValue: (value: string) => void }) {
  return (
    <label>
      {label}
      <select {...select} onChange={(event) => onValue(event.target.value)}>
        {children}
      </select>
    </label>
  );
}

/** The row of fields above a list that adds one item to it, and its submit button. */
export function CreateForm({ submitLabel, onCreate, children }: { submitLabel: ReactNode; onCreate: () => void; children: ReactNode }) {
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onCreate();
  };
  return (
    <form className="filters" onSubmit={submit}>
      {children}
      <button type="submit" className="primary">
        {submitLabel}
      </button>
    </form>
  );
}

/** A secret the server shows only once (an API key, a webhook's signing secret), with what to do about it. */
export function SecretOnce({ message, secret }: { message: ReactNode; secret: string }) {
  return (
    <div role="status" className="notice">
      <p>{message}</p>
      <code className="secret">{secret}</code>
    </div>
  );
}

/** The words of an endable status: how it reads once ended, while live, and on the button that ends it. */
export interface EndableLabels {
  ended: StringKey;
  live: StringKey;
  end: StringKey;
}

/** The status of what can be ended once (a key revoked, an account disabled): since when, or the button that ends it. */
export function EndableStatus({ endedAt, labels, onEnd }: { endedAt: string | null; labels: EndableLabels; onEnd: () => void }) {
  const { t } = useConsole();
  if (endedAt) return `${t(labels.ended)} ${when(endedAt)}`;
  return (
    <>
      {t(labels.live)}{' '}
      <button type="button" className="danger" onClick={onEnd}>
        {t(labels.end)}
      </button>
    </>
  );
}
