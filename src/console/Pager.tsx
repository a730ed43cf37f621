// Previous / "showing a–b of n" / next under a paged list.
import { useConsole } from './context';

interface PagerProps {
  offset: number;
  pageSize: number;
  /** Rows on this page. */
  shown: number;
  count: number;
  onOffset: (offset: number) => void;
}

export function Pager({ offset, pageSize, shown, count, onOffset }: PagerProps) {
  const { t } = useConsole();
  return (
    <div className="pager">
      <button type="button" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - pageSize))}>
        {t('previous')}
      </button>
      <span>{t('showing', { from: offset + 1, to: offset + shown, count })}</span>
      <button type="button" disabled={offset + pageSize >= count} onClick={() => onOffset(offset + pageSize)}>
        {t('next')}
      </button>
    </div>
  );
}
