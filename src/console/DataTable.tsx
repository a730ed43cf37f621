// One table for every console list: a "loading" line while rows are null, an "empty" line, else a scoped-header table.
import type { Key, ReactNode } from 'react';
import { useConsole } from './context';

export interface Column<Row> {
  header: ReactNode;
  cell: (row: Row) => ReactNode;
  /** Class of each body cell (e.g. "mono", "number"). */
  className?: string;
  /** Tooltip of each body cell. */
  title?: (row: Row) => string;
}

/** Rows with an id are keyed by it; other rows say what keys them. */
type RowKey<Row> = Row extends { id: Key } ? { rowKey?: (row: Row) => Key } : { rowKey: (row: Row) => Key };

type DataTableProps<Row> = RowKey<Row> & {
  /** null while loading. */
  rows: readonly Row[] | null;
  columns: readonly Column<Row>[];
  /** Without it an empty list still renders the table (its headers alone). */
  emptyText?: ReactNode;
  caption?: ReactNode;
  ariaLabel?: string;
};

const byId = (row: unknown) => (row as { id: Key }).id;

export function DataTable<Row>({ rows, rowKey = byId, columns, emptyText, caption, ariaLabel }: DataTableProps<Row>) {
  const { t } = useConsole();
  if (rows === null) return <p>{t('loading')}</p>;
  if (rows.length === 0 && emptyText !== undefined) return <p>{emptyText}</p>;
  return (
    <table aria-label={ariaLabel}>
      {caption !== undefined && <caption>{caption}</caption>}
      <thead>
        <tr>
          {columns.map((column, index) => (
            <th key={index} scope="col">
              {column.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)}>
            {columns.map((column, index) => (
              <td key={index} className={column.className} title={column.title?.(row)}>
                {column.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
