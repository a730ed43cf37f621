// Form controls both web apps draw the same way: a checkbox per option in a fieldset, a select's option list.
import type { ReactNode } from 'react';
import { LANGUAGE_NAMES, LANGUAGES } from './i18n';

/** A fieldset with one labelled checkbox per option (the label's class is each app's own: inline, check). */
export function CheckboxFieldset<Option extends string>({
  legend,
  options,
  checked,
  onToggle,
  optionLabel,
  disabled,
  labelClassName,
}: {
  legend: ReactNode;
  options: readonly Option[];
  checked: readonly string[];
  onToggle: (option: Option, on: boolean) => void;
  optionLabel: (option: Option) => ReactNode;
  disabled?: (option: Option) => boolean;
  labelClassName: string;
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {options.map((option) => (
        <label key={option} className={labelClassName}>
          <input
            type="checkbox"
            checked={checked.includes(option)}
            disabled={disabled?.(option)}
            onChange={(event) => onToggle(option, event.target.checked)}
          />
          {optionLabel(option)}
        </label>
      ))}
    </fieldset>
  );
}

/** The `<option>`s of a select, one per value, each shown as `label(value)`; `lang` marks options named in their own language. */
export function OptionList<Value extends string | number>({
  values,
  label,
  lang,
}: {
  values: readonly Value[];
  label: (value: Value) => ReactNode;
  lang?: (value: Value) => string;
}) {
  return values.map((value) => (
    <option key={value} value={value} lang={lang?.(value)}>
      {label(value)}
    </option>
  ));
}

/** Every language as an option, named in its own words. */
export function LanguageOptions() {
  return <OptionList values={LANGUAGES} label={(code) => LANGUAGE_NAMES[code]} lang={(code) => code} />;
}
