import { useOrders, useSessions } from '../api/queries';
import { ErrorNotice } from '../components/ErrorNotice';
import { OrdersTable } from '../components/OrdersTable';
import { Panel } from '../components/Panel';
import { navigate } from '../routing';

export function OrdersPage(props: { sessionId?: string }) {
  const orders = useOrders(props.sessionId, 200);
  const sessions = useSessions();
  return (
    <Panel
      title="Orders"
      testId="orders-panel"
      actions={
        <label className="flex items-center gap-2 text-sm">
          Session
          <select
            data-testid="orders-session"
            value={props.sessionId ?? ''}
            onChange={(e) => navigate({ page: 'orders', sessionId: e.target.value || undefined })}
            className="rounded border border-slate-700 bg-slate-950 px-2 py-1"
          >
            <option value="">all sessions</option>
            {sessions.data?.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} ({s.id})
              </option>
            ))}
          </select>
        </label>
      }
    >
      <ErrorNotice error={orders.error} what="Loading orders" />
      <OrdersTable orders={orders.data} testId="orders-table" empty="No orders." />
    </Panel>
  );
}
