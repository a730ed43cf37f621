// What every screen needs: the translator, the signed-in user, and a way to show an error in the user's language.
import { createContext, useContext } from 'react';
import type { User } from './api';
import type { Translate } from './i18n';

export interface ConsoleContext {
  t: Translate;
  user: User;
  /** Show a failed request as a translated sentence (and sign out when the session has ended). */
  fail(err: unknown): void;
}

export const Ctx = createContext<ConsoleContext | null>(null);

export function useConsole(): ConsoleContext {
  const value = useContext(Ctx);
  if (!value) throw new Error('useConsole outside the console');
  return value;
}

export const canReview = (user: User) => user.role === 'reviewer' || user.role === 'admin';
export const isAdmin = (user: User) => user.role === 'admin';

/** Dates as the staff's locale shows them. */
export const when = (iso: string | null | undefined, fallback = '–') => (iso ? new Date(iso).toLocaleString() : fallback);
