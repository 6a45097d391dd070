import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
  /** Right-align numbers. */
  numeric?: boolean;
}

/** The one table of the dashboard: columns render cells, rows carry a stable key and optional test ids. */
export function DataTable<T>(props: {
  rows: T[] | undefined;
  columns: Column<T>[];
  rowKey: (row: T) => string;
  testId?: string;
  rowTestId?: string;
  rowAttrs?: (row: T) => Record<string, string>;
  empty?: string;
  /** Rendered under a row across all columns (e.g. an order's fills). */
  expand?: (row: T) => ReactNode;
}) {
  const { t } = useTranslation();
  const { rows, columns } = props;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid={props.testId}>
        <thead className="text-xs uppercase text-slate-500">
          <tr>
            {columns.map((c) => (
              <th key={c.header} className={`px-2 py-1 font-medium ${c.numeric ? 'text-right' : ''}`}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows?.map((row) => {
            const key = props.rowKey(row);
            const extra = props.expand?.(row);
            return [
              <tr
                key={key}
                data-testid={props.rowTestId}
                {...props.rowAttrs?.(row)}
                className="border-t border-slate-800 hover:bg-slate-800/40"
              >
                {columns.map((c) => (
                  <td key={c.header} className={`px-2 py-1 ${c.numeric ? 'text-right font-mono tabular-nums' : ''}`}>
                    {c.cell(row)}
                  </td>
                ))}
              </tr>,
              extra ? (
                <tr key={`${key}-detail`} className="bg-slate-950/50">
                  <td colSpan={columns.length} className="px-6 py-1">
                    {extra}
                  </td>
                </tr>
              ) : null,
            ];
          })}
        </tbody>
      </table>
      {rows && rows.length === 0 && (
        <p className="px-2 py-3 text-sm text-slate-500">{props.empty ?? t('common.nothingYet')}</p>
      )}
      {!rows && <p className="px-2 py-3 text-sm text-slate-500">{t('common.noData')}</p>}
    </div>
  );
}
