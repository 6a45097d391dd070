import { useTranslation } from 'react-i18next';
import type { OrderView } from '../api/types';
import { formatKrw, formatPrice, formatQuantity, formatTime } from '../format';
import { DataTable } from './DataTable';
import { Badge } from './StatusBadge';
import { WorkflowLink } from './WorkflowLink';

/** Orders with their fills listed under each order. */
export function OrdersTable(props: { orders: OrderView[] | undefined; testId: string; empty: string }) {
  const { t } = useTranslation();
  return (
    <DataTable
      rows={props.orders}
      rowKey={(o) => o.id}
      testId={props.testId}
      rowTestId="order-row"
      rowAttrs={(o) => ({ 'data-order-id': o.id, 'data-state': o.state })}
      empty={props.empty}
      columns={[
        { header: t('orders.colTime'), cell: (o) => formatTime(o.createdAt) },
        { header: t('orders.colMarket'), cell: (o) => <b>{o.market}</b> },
        {
          header: t('orders.colSide'),
          cell: (o) => (
            <Badge tone={o.side === 'bid' ? 'bad' : 'good'}>
              {o.side === 'bid' ? t('orders.buy') : t('orders.sell')}
            </Badge>
          ),
        },
        { header: t('orders.colType'), cell: (o) => o.ordType },
        { header: t('orders.colPrice'), numeric: true, cell: (o) => formatPrice(o.price) },
        { header: t('orders.colVolume'), numeric: true, cell: (o) => formatQuantity(o.volume) },
        { header: t('orders.colExecuted'), numeric: true, cell: (o) => formatQuantity(o.executedVolume) },
        { header: t('orders.colAvgPrice'), numeric: true, cell: (o) => formatPrice(o.avgPrice) },
        { header: t('orders.colFee'), numeric: true, cell: (o) => formatKrw(o.paidFee) },
        { header: t('orders.colState'), cell: (o) => <span className="font-mono text-xs">{o.state}</span> },
        {
          header: t('orders.colReason'),
          cell: (o) => <span className="text-xs text-slate-400">{o.reason ?? ''}</span>,
        },
        {
          header: t('orders.colIdentifier'),
          cell: (o) => (
            <span className="font-mono text-[11px] text-slate-500" title={o.exchangeUuid ?? ''}>
              {o.identifier}
            </span>
          ),
        },
        { header: '', cell: (o) => <WorkflowLink workflowId={o.id} testId="order-temporal-link" /> },
      ]}
      expand={(o) =>
        o.fills.length > 0 && (
          <table className="text-xs text-slate-400" data-testid="order-fills">
            <tbody>
              {o.fills.map((f) => (
                <tr key={f.tradeUuid} data-testid="fill-row">
                  <td className="pr-4">{t('orders.fill')}</td>
                  <td className="pr-4">{formatTime(f.createdAt)}</td>
                  <td className="pr-4 text-right font-mono">{formatQuantity(f.volume)}</td>
                  <td className="pr-4">@</td>
                  <td className="pr-4 text-right font-mono">{formatPrice(f.price)}</td>
                  <td className="pr-4">{t('orders.fee', { fee: formatKrw(f.fee) })}</td>
                  <td className="font-mono text-[11px] text-slate-600">{f.tradeUuid}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      }
    />
  );
}
