import { useNavigate } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { useOrders, useSessions } from '../api/queries';
import { ErrorNotice } from '../components/ErrorNotice';
import { OrdersTable } from '../components/OrdersTable';
import { Panel } from '../components/Panel';

export function OrdersPage(props: { sessionId?: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const orders = useOrders(props.sessionId, 200);
  const sessions = useSessions();
  return (
    <Panel
      title={t('orders.title')}
      testId="orders-panel"
      actions={
        <label className="flex items-center gap-2 text-sm">
          {t('orders.session')}
          <select
            data-testid="orders-session"
            value={props.sessionId ?? ''}
            onChange={(e) => void navigate({ to: '/orders', search: { sessionId: e.target.value || undefined } })}
            className="rounded border border-slate-700 bg-slate-950 px-2 py-1"
          >
            <option value="">{t('orders.allSessions')}</option>
            {sessions.data?.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} ({s.id})
              </option>
            ))}
          </select>
        </label>
      }
    >
      <ErrorNotice error={orders.error} what={t('orders.loading')} />
      <OrdersTable orders={orders.data} testId="orders-table" empty={t('orders.none')} />
    </Panel>
  );
}
