import type { OrderView } from '../api/types';
import { formatKrw, formatQuantity, formatTime } from '../format';
import { DataTable } from './DataTable';
import { Badge } from './StatusBadge';

/** Orders with their fills listed under each order. */
export function OrdersTable(props: { orders: OrderView[] | undefined; testId: string; empty: string }) {
  return (
    <DataTable
      rows={props.orders}
      rowKey={(o) => o.id}
      testId={props.testId}
      rowTestId="order-row"
      rowAttrs={(o) => ({ 'data-order-id': o.id, 'data-state': o.state })}
      empty={props.empty}
      columns={[
        { header: 'Time', cell: (o) => formatTime(o.createdAt) },
        { header: 'Market', cell: (o) => <b>{o.market}</b> },
        {
          header: 'Side',
          cell: (o) => <Badge tone={o.side === 'bid' ? 'bad' : 'good'}>{o.side === 'bid' ? 'buy' : 'sell'}</Badge>,
        },
        { header: 'Type', cell: (o) => o.ordType },
        { header: 'Price', numeric: true, cell: (o) => formatKrw(o.price) },
        { header: 'Volume', numeric: true, cell: (o) => formatQuantity(o.volume) },
        { header: 'Executed', numeric: true, cell: (o) => formatQuantity(o.executedVolume) },
        { header: 'Avg price', numeric: true, cell: (o) => formatKrw(o.avgPrice) },
        { header: 'Fee', numeric: true, cell: (o) => formatKrw(o.paidFee) },
        { header: 'State', cell: (o) => <span className="font-mono text-xs">{o.state}</span> },
        { header: 'Reason', cell: (o) => <span className="text-xs text-slate-400">{o.reason ?? ''}</span> },
        {
          header: 'Identifier',
          cell: (o) => (
            <span className="font-mono text-[11px] text-slate-500" title={o.exchangeUuid ?? ''}>
              {o.identifier}
            </span>
          ),
        },
      ]}
      expand={(o) =>
        o.fills.length > 0 && (
          <table className="text-xs text-slate-400" data-testid="order-fills">
            <tbody>
              {o.fills.map((f) => (
                <tr key={f.tradeUuid} data-testid="fill-row">
                  <td className="pr-4">fill</td>
                  <td className="pr-4">{formatTime(f.createdAt)}</td>
                  <td className="pr-4 text-right font-mono">{formatQuantity(f.volume)}</td>
                  <td className="pr-4">@</td>
                  <td className="pr-4 text-right font-mono">{formatKrw(f.price)}</td>
                  <td className="pr-4">fee {formatKrw(f.fee)}</td>
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
