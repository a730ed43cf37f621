// The translation machinery both web apps share (src/web/i18n.ts): placeholders, unknown codes, and the picker's
// languages being exactly the contract's.
import { describe, expect, it } from 'vitest';
import { LANGUAGES as CONTRACT_LANGUAGES } from '../../src/shared/ipc-contract';
import { DIRECTION, LANGUAGES, keyFor, makeTranslator, type Catalogues } from '../../src/web/i18n';

type Key = 'greeting' | 'plain' | 'error_NOT_FOUND';
const CATALOGUES: Catalogues<Key> = {
  en: { greeting: 'Hello {name}, {n} left', plain: 'Plain', error_NOT_FOUND: 'Not found' },
  es: { greeting: 'Hola {name}, quedan {n}', plain: 'Sencillo', error_NOT_FOUND: 'No encontrado' },
  fr: { greeting: 'Bonjour {name}, il en reste {n}', plain: 'Simple', error_NOT_FOUND: 'Introuvable' },
  ar: { greeting: 'مرحبا {name}، بقي {n}', plain: 'بسيط', error_NOT_FOUND: 'غير موجود' },
};

describe('web i18n', () => {
  it('lists the contract languages in the same order, each with a text direction', () => {
    expect(LANGUAGES).toEqual([...CONTRACT_LANGUAGES]);
    expect(LANGUAGES.filter((language) => DIRECTION[language] === 'rtl')).toEqual(['ar']);
  });

  it('answers from the chosen language and fills placeholders, leaving one the vars do not name as written', () => {
    expect(makeTranslator(CATALOGUES, 'es')('greeting', { name: 'Ana', n: 2 })).toBe('Hola Ana, quedan 2');
    expect(makeTranslator(CATALOGUES, 'fr')('greeting', { name: 'Léa' })).toBe('Bonjour Léa, il en reste {n}');
    expect(makeTranslator(CATALOGUES, 'ar')('plain')).toBe('بسيط');
    expect(makeTranslator(CATALOGUES, 'en')('greeting')).toBe('Hello {name}, {n} left');
  });

  it('finds the key for a code only when the catalogue has one', () => {
    expect(keyFor(CATALOGUES.en, 'error_', 'NOT_FOUND')).toBe('error_NOT_FOUND');
    expect(keyFor(CATALOGUES.en, 'error_', 'SOMETHING_NEW')).toBeNull();
    expect(keyFor(CATALOGUES.en, 'error_', 'constructor')).toBeNull();
  });
});
