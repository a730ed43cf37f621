// Small pieces the screens share: a status badge and data loaders that report failures through the context.
import { useEffect, useRef, useState } from 'react';
import { api } from '../api';
import { useConsole } from '../context';
import { statusKey } from '../i18n';

export function StatusBadge({ status }: { status: string }) {
  const { t } = useConsole();
  const key = statusKey(status);
  return <span className={`badge status-${status.toLowerCase().replace(/\s+/g, '-')}`}>{key ? t(key) : status}</span>;
}

/** Load `load()` on mount and whenever `deps` change; `reload` refetches. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | null; reload: () => void } {
  const { fail } = useConsole();
  const [data, setData] = useState<T | null>(null);
  const [tick, setTick] = useState(0);
  const latest = useRef(load);
  useEffect(() => {
    latest.current = load;
  });
  const key = JSON.stringify(deps);
  useEffect(() => {
    let live = true;
    latest.current().then((value) => live && setData(value), fail);
    return () => {
      live = false;
    };
  }, [key, fail, tick]);
  return { data, reload: () => setTick((n) => n + 1) };
}

/**
 * The rows of a `{ results }` list under /console/api (null while loading); `reload` refetches, `act` runs a change to
 * the list and then refetches, or shows the failure.
 */
export function useResults<Row>(path: string): {
  rows: Row[] | null;
  reload: () => void;
  act: (change: () => Promise<unknown>) => Promise<void>;
} {
  const { fail } = useConsole();
  const { data, reload } = useLoad(() => api<{ results: Row[] }>('GET', path), [path]);
  return { rows: data && data.results, reload, act: (change) => change().then(reload, fail) };
}

export const shortId = (id: string) => (id.length > 14 ? `${id.slice(0, 12)}…` : id);

/** A status or review decision in the user's language (unknown values as they are). */
export function useStatusText(): (status: string) => string {
  const { t } = useConsole();
  return (status) => {
    if (status === 'Approve') return t('approve');
    if (status === 'Decline') return t('decline');
    if (status === 'Resubmit') return t('resubmit');
    const key = statusKey(status);
    return key ? t(key) : status;
  };
}
