// The translation machinery both web apps share (kiosk renderer, business console); each keeps its own catalogues.
import type { Language } from '../shared/ipc-contract';

export type { Language };

/** Each language in its own words, in the order the pickers list them. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', es: 'Español', fr: 'Français', ar: 'العربية' };
/** The contract's languages in picker order (read off LANGUAGE_NAMES, which the compiler holds to the contract). */
export const LANGUAGES = Object.keys(LANGUAGE_NAMES) as Language[];
export const DIRECTION: Record<Language, 'ltr' | 'rtl'> = { en: 'ltr', es: 'ltr', fr: 'ltr', ar: 'rtl' };

/** One language's sentences for every key of an app (English's keys: the other languages are typed against it). */
export type Catalogue<Key extends string> = Record<Key, string>;
/** One app's sentences in every language. */
export type Catalogues<Key extends string> = Record<Language, Catalogue<Key>>;
export type Translator<Key extends string> = (key: Key, vars?: Record<string, string | number>) => string;

/** `{name}` placeholders are filled from `vars`; a placeholder that `vars` does not name stays as written. */
export function makeTranslator<Key extends string>(catalogues: Catalogues<Key>, language: Language): Translator<Key> {
  const english = catalogues.en;
  const table = catalogues[language] ?? english;
  return (key, vars) => {
    const template = table[key] ?? english[key];
    return vars ? template.replace(/\{(\w+)\}/g, (placeholder, name: string) => String(vars[name] ?? placeholder)) : template;
  };
}

/** The catalogue's key for `prefix` + a code from elsewhere (a server error, a status), or null when it has none. */
export function keyFor<Key extends string>(catalogue: Catalogue<Key>, prefix: string, code: string): Key | null {
  const key = `${prefix}${code}`;
  return key in catalogue ? (key as Key) : null;
}
