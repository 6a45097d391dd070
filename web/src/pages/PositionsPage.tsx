// Positions and orders: what is held now (valued at the market, with its exit plan in words), the orders still
// on the book, and the fills with the decision behind each trade.
import { Link, useNavigate } from '@tanstack/react-router';
import type { TFunction } from 'i18next';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useFills, useHoldings, useOrders, useSessions } from '../api/queries';
import type { FillWithDecision, Holding } from '../api/types';
import { DataTable } from '../components/DataTable';
import { ErrorNotice } from '../components/ErrorNotice';
import { Panel } from '../components/Panel';
import { Badge } from '../components/StatusBadge';
import { WorkflowLink } from '../components/WorkflowLink';
import { exitPlanLines } from '../exit-plan';
import {
  formatKrw,
  formatMetric,
  formatPct,
  formatPnl,
  formatPrice,
  formatQuantity,
  formatTime,
  pnlClass,
  toMillis,
} from '../format';
import { fillRatioPct, formatAge } from '../order-figures';

// Order states in which an order still rests on the book (Upbit's names).
const OPEN_ORDER_STATES = new Set(['wait', 'watch']);

export function PositionsPage(props: { sessionId?: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const sessions = useSessions();
  return (
    <div className="space-y-4">
      <label className="flex items-center gap-2 text-sm">
        {t('orders.session')}
        <select
          data-testid="positions-session"
          value={props.sessionId ?? ''}
          onChange={(e) => void navigate({ to: '/positions', search: { sessionId: e.target.value || undefined } })}
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
      <HoldingsPanel sessionId={props.sessionId} />
      <OpenOrdersPanel sessionId={props.sessionId} />
      <FillsPanel sessionId={props.sessionId} />
    </div>
  );
}

function HoldingsPanel(props: { sessionId?: string }) {
  const { t } = useTranslation();
  const holdings = useHoldings(props.sessionId);
  return (
    <Panel title={t('positions.holdings')} testId="holdings-panel">
      <ErrorNotice error={holdings.error} what={t('positions.loadingHoldings')} />
      <DataTable
        rows={holdings.data}
        rowKey={(p) => p.id}
        testId="holdings-table"
        rowTestId="holding-row"
        rowAttrs={(p) => ({ 'data-position-id': p.id, 'data-market': p.market })}
        empty={t('positions.noHoldings')}
        columns={[
          { header: t('positions.colMarket'), cell: (p) => <b>{p.market}</b> },
          { header: t('positions.colSession'), cell: (p) => <SessionLink id={p.sessionId} name={p.sessionName} /> },
          { header: t('positions.colStatus'), cell: (p) => t(`positions.status.${p.status}`, p.status) },
          {
            header: t('positions.colQuantity'),
            numeric: true,
            cell: (p) => formatQuantity(p.remainingVolume),
          },
          { header: t('positions.colAvgPrice'), numeric: true, cell: (p) => formatPrice(p.entryPrice) },
          {
            header: t('positions.colCurrentPrice'),
            numeric: true,
            cell: (p) => (
              <span title={p.priceError ?? undefined} data-testid="holding-price">
                {formatPrice(p.currentPrice)}
              </span>
            ),
          },
          {
            header: t('positions.colPnl'),
            numeric: true,
            cell: (p) => (
              <span className={pnlClass(p.unrealizedPnlKrw)} data-testid="holding-pnl">
                {formatPct(p.unrealizedPnlPct)} · {formatPnl(p.unrealizedPnlKrw)}
              </span>
            ),
          },
          { header: t('positions.colExitPlan'), cell: (p) => <ExitPlanList plan={p.exitPlan} t={t} /> },
          { header: t('positions.colOpened'), cell: (p) => formatTime(p.openedAt) },
          { header: '', cell: (p) => <WorkflowLink workflowId={p.id} testId="holding-temporal-link" /> },
        ]}
      />
    </Panel>
  );
}

function ExitPlanList(props: { plan: Holding['exitPlan']; t: TFunction }) {
  const lines = exitPlanLines(props.plan, props.t);
  if (lines.length === 0) return <span className="text-xs text-slate-500">{props.t('positions.noPlanYet')}</span>;
  return (
    <ul className="text-xs text-slate-300" data-testid="holding-exit-plan">
      {lines.map((l) => (
        <li key={l}>{l}</li>
      ))}
    </ul>
  );
}

function SessionLink(props: { id: string; name: string }) {
  return (
    <Link className="text-sky-400 hover:underline" to="/sessions/$id" params={{ id: props.id }}>
      {props.name}
    </Link>
  );
}

/** The time now, every second: ages tick on without a refetch. */
function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

function OpenOrdersPanel(props: { sessionId?: string }) {
  const { t } = useTranslation();
  const orders = useOrders(props.sessionId, 200);
  const now = useNow();
  const open = orders.data?.filter((o) => OPEN_ORDER_STATES.has(o.state));
  return (
    <Panel title={t('positions.openOrders')} testId="open-orders-panel">
      <ErrorNotice error={orders.error} what={t('orders.loading')} />
      <DataTable
        rows={open}
        rowKey={(o) => o.id}
        testId="open-orders-table"
        rowTestId="open-order-row"
        rowAttrs={(o) => ({ 'data-order-id': o.id })}
        empty={t('positions.noOpenOrders')}
        columns={[
          { header: t('orders.colMarket'), cell: (o) => <b>{o.market}</b> },
          { header: t('orders.colSide'), cell: (o) => <SideBadge side={o.side} /> },
          {
            header: t('orders.colType'),
            cell: (o) =>
              `${t(`positions.ordType.${o.ordType}`, o.ordType)}${o.timeInForce ? ` (${o.timeInForce})` : ''}`,
          },
          { header: t('orders.colPrice'), numeric: true, cell: (o) => formatPrice(o.price) },
          { header: t('orders.colVolume'), numeric: true, cell: (o) => formatQuantity(o.volume) },
          {
            header: t('positions.colRemaining'),
            numeric: true,
            cell: (o) => (o.volume === null ? '—' : formatQuantity(Number(o.volume) - Number(o.executedVolume))),
          },
          {
            header: t('positions.colFillRatio'),
            numeric: true,
            cell: (o) => <span data-testid="open-order-fill-ratio">{formatPct(fillRatioPct(o), 1)}</span>,
          },
          {
            header: t('positions.colAge'),
            numeric: true,
            cell: (o) => <span data-testid="open-order-age">{formatAge(now - toMillis(o.createdAt), t)}</span>,
          },
          { header: '', cell: (o) => <WorkflowLink workflowId={o.id} testId="order-temporal-link" /> },
        ]}
      />
    </Panel>
  );
}

function SideBadge(props: { side: 'bid' | 'ask' }) {
  const { t } = useTranslation();
  return (
    <Badge tone={props.side === 'bid' ? 'bad' : 'good'}>
      {props.side === 'bid' ? t('orders.buy') : t('orders.sell')}
    </Badge>
  );
}

function FillsPanel(props: { sessionId?: string }) {
  const { t } = useTranslation();
  const fills = useFills(props.sessionId);
  return (
    <Panel title={t('positions.fills')} testId="fills-panel">
      <ErrorNotice error={fills.error} what={t('positions.loadingFills')} />
      <DataTable
        rows={fills.data}
        rowKey={(f) => f.id}
        testId="fills-table"
        rowTestId="fill-history-row"
        rowAttrs={(f) => ({ 'data-order-id': f.order.id, 'data-side': f.order.side })}
        empty={t('positions.noFills')}
        columns={[
          { header: t('orders.colTime'), cell: (f) => formatTime(f.createdAt) },
          { header: t('orders.colMarket'), cell: (f) => <b>{f.order.market}</b> },
          { header: t('orders.colSide'), cell: (f) => <SideBadge side={f.order.side} /> },
          { header: t('orders.colPrice'), numeric: true, cell: (f) => formatPrice(f.price) },
          { header: t('orders.colVolume'), numeric: true, cell: (f) => formatQuantity(f.volume) },
          { header: t('positions.colFunds'), numeric: true, cell: (f) => formatKrw(f.funds) },
          { header: t('orders.colFee'), numeric: true, cell: (f) => formatKrw(f.fee) },
          {
            header: t('positions.colDecision'),
            cell: (f) =>
              f.decision ? (
                <span data-testid="fill-decision-score">
                  {t('positions.decisionScore', { score: formatMetric(f.decision.score) })}
                </span>
              ) : (
                <span className="text-xs text-slate-500">{t('positions.byExitPlan')}</span>
              ),
          },
          {
            header: '',
            cell: (f) => <WorkflowLink workflowId={f.order.positionId ?? f.order.id} testId="fill-temporal-link" />,
          },
        ]}
        expand={(f) => f.decision && <DecisionSnapshot decision={f.decision} />}
      />
    </Panel>
  );
}

/** The evaluation behind a trade: its reasons, the factor scores and the indicator values it saw. */
function DecisionSnapshot(props: { decision: NonNullable<FillWithDecision['decision']> }) {
  const { t } = useTranslation();
  const { factors, ...rest } = props.decision.snapshot;
  const indicators = Object.entries(rest).filter(([, v]) => typeof v === 'number' || typeof v === 'string');
  return (
    <div className="grid gap-3 text-xs text-slate-300 md:grid-cols-3" data-testid="fill-decision">
      <div>
        <h4 className="mb-1 text-slate-500">
          {t('positions.reasons', { time: formatTime(props.decision.createdAt) })}
        </h4>
        <ul className="list-disc pl-4">
          {props.decision.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      </div>
      <KeyValues
        title={t('positions.factorScores')}
        entries={Object.entries(factors ?? {})}
        testId="fill-decision-factors"
      />
      <KeyValues title={t('positions.indicators')} entries={indicators} testId="fill-decision-indicators" />
    </div>
  );
}

function KeyValues(props: { title: string; entries: [string, unknown][]; testId: string }) {
  const { t } = useTranslation();
  return (
    <div data-testid={props.testId}>
      <h4 className="mb-1 text-slate-500">{props.title}</h4>
      {props.entries.length === 0 ? (
        <span className="text-slate-500">{t('common.none')}</span>
      ) : (
        <dl className="grid grid-cols-[auto_1fr] gap-x-3">
          {props.entries.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="font-mono text-slate-400">{k}</dt>
              <dd className="text-right font-mono">
                {/* `…Ts` values are times (epoch ms). */}
                {typeof v === 'number' ? (k.endsWith('Ts') ? formatTime(v) : formatMetric(v)) : String(v)}
              </dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}
