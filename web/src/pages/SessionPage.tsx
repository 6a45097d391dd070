import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { authSession, useIsAdmin } from '../api/auth';
import { apiRequest } from '../api/client';
import {
  useDecisions,
  useOrders,
  usePositions,
  useRetuneProposals,
  useRiskEvents,
  useSession,
  useTemporalWorkflowUrl,
} from '../api/queries';
import type {
  Decision,
  EmergencyStopMode,
  PositionView,
  RetuneProposal,
  SessionDetail,
  SessionRisk,
} from '../api/types';
import { DataTable } from '../components/DataTable';
import { EmergencyStop } from '../components/EmergencyStop';
import { ErrorNotice } from '../components/ErrorNotice';
import { OrdersTable } from '../components/OrdersTable';
import { Panel } from '../components/Panel';
import { Badge, SessionStatusBadge } from '../components/StatusBadge';
import { exitPlanLines } from '../exit-plan';
import { formatKrw, formatMetric, formatPnl, formatPrice, formatQuantity, formatTime, pnlClass } from '../format';

// Order states in which an order still rests on the book (Upbit's names).
const OPEN_ORDER_STATES = new Set(['wait', 'watch']);

export function SessionPage(props: { id: string }) {
  const { t } = useTranslation();
  const session = useSession(props.id);
  const s = session.data;
  return (
    <div className="space-y-4">
      <ErrorNotice error={session.error} what={t('session.loading')} />
      {s && <SessionHeader session={s} />}
      {s?.live
        ? s.risk && <RiskPanel risk={s.risk} />
        : s && (
            <p className="text-sm text-slate-500" data-testid="session-not-live">
              {t('session.notLive')}
            </p>
          )}
      <PositionsPanel sessionId={props.id} />
      <OpenOrdersPanel sessionId={props.id} />
      <DecisionsPanel sessionId={props.id} />
      <RiskEventsPanel sessionId={props.id} />
      <RetunePanel sessionId={props.id} />
      {s && <ConfigPanel session={s} />}
    </div>
  );
}

function SessionHeader(props: { session: SessionDetail }) {
  const { t } = useTranslation();
  const s = props.session;
  const status = s.live?.status ?? s.status;
  const queryClient = useQueryClient();
  const temporalUrl = useTemporalWorkflowUrl(s.id);
  const refresh = () => {
    queryClient.invalidateQueries({ queryKey: ['session', s.id] });
    queryClient.invalidateQueries({ queryKey: ['sessions'] });
  };
  const control = useMutation({
    mutationFn: (action: 'pause' | 'resume') =>
      apiRequest<unknown>('POST', `/api/sessions/${encodeURIComponent(s.id)}/${action}`),
    onSuccess: refresh,
  });
  const stop = (mode: EmergencyStopMode, confirm: string) =>
    apiRequest<unknown>('POST', `/api/sessions/${encodeURIComponent(s.id)}/emergency-stop`, { mode, confirm });
  const paused = s.live?.paused ?? status === 'paused';
  const isAdmin = useIsAdmin();
  const viewerTitle = isAdmin ? undefined : t('common.viewerOnly');
  const active = status === 'running' || status === 'paused' || status === 'starting';

  return (
    <Panel
      title={
        <span className="flex items-center gap-3 normal-case">
          <span className="text-lg text-slate-100" data-testid="session-name">
            {s.name}
          </span>
          <SessionStatusBadge status={status} testId="session-status" />
          {s.live?.halted && (
            <Badge tone="bad" testId="session-halted">
              {t('session.halted')}
            </Badge>
          )}
        </span>
      }
      actions={
        <>
          {paused ? (
            <button
              type="button"
              data-testid="session-resume"
              title={viewerTitle}
              disabled={!isAdmin || control.isPending || !active}
              onClick={() => control.mutate('resume')}
              className="rounded border border-emerald-700 px-3 py-1.5 text-sm text-emerald-300 hover:bg-emerald-950 disabled:opacity-40"
            >
              {t('session.resume')}
            </button>
          ) : (
            <button
              type="button"
              data-testid="session-pause"
              title={viewerTitle}
              disabled={!isAdmin || control.isPending || !active}
              onClick={() => control.mutate('pause')}
              className="rounded border border-amber-700 px-3 py-1.5 text-sm text-amber-300 hover:bg-amber-950 disabled:opacity-40"
            >
              {t('session.pause')}
            </button>
          )}
          <EmergencyStop
            label={t('session.emergencyStop')}
            expected={s.id}
            scope={t('session.scope', { name: s.name })}
            buttonTestId="session-estop-button"
            run={stop}
            onDone={refresh}
          />
        </>
      }
    >
      <dl className="grid grid-cols-2 gap-x-6 gap-y-1 text-sm md:grid-cols-4">
        <Field label={t('session.id')}>
          <span className="font-mono text-xs" data-testid="session-id">
            {s.id}
          </span>
        </Field>
        <Field label={t('session.mode')}>{t(`mode.${s.mode}`)}</Field>
        <Field label={t('session.strategy')}>{s.strategy}</Field>
        <Field label={t('session.started')}>{formatTime(s.createdAt)}</Field>
        <Field label={t('session.workflow')}>
          <a
            href={temporalUrl}
            target="_blank"
            rel="noreferrer"
            data-testid="temporal-link"
            className="text-sky-400 hover:underline"
          >
            {t('session.temporalLink', { id: s.id })}
          </a>
        </Field>
        <Field label={t('session.links')}>
          <Link className="text-sky-400 hover:underline" to="/orders" search={{ sessionId: s.id }}>
            {t('session.ordersLink')}
          </Link>
          {' · '}
          <Link className="text-sky-400 hover:underline" to="/chart" search={{ sessionId: s.id }}>
            {t('session.chartLink')}
          </Link>
        </Field>
      </dl>
      <div className="mt-3">
        <ErrorNotice
          error={control.error}
          what={control.variables ? t(`session.${control.variables}`) : t('session.control')}
        />
      </div>
    </Panel>
  );
}

function Field(props: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs uppercase text-slate-500">{props.label}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

/** Equity now, today's realised P&L against the daily loss limit, and the halts that need a person. */
export function RiskPanel(props: { risk: SessionRisk }) {
  const { t } = useTranslation();
  const r = props.risk;
  return (
    <Panel title={t('session.risk')} testId="risk-state">
      <dl className="grid grid-cols-2 gap-x-6 gap-y-1 text-sm md:grid-cols-5">
        <Field label={t('session.equity')}>
          <span className="font-mono" data-testid="risk-equity" title={r.accountError ?? undefined}>
            {formatKrw(r.equityKrw)}
          </span>
        </Field>
        <Field label={t('session.todayPnl')}>
          <span className={`font-mono ${pnlClass(r.todayRealizedPnlKrw)}`} data-testid="risk-today-pnl">
            {formatPnl(r.todayRealizedPnlKrw)}
          </span>
        </Field>
        <Field label={t('session.lossHeadroom')}>
          <span className="font-mono" data-testid="risk-loss-headroom">
            {r.lossHeadroomKrw === null ? '—' : `${formatKrw(r.lossHeadroomKrw)} / ${formatKrw(r.dailyLossLimitKrw)}`}
          </span>
        </Field>
        <Field label={t('session.openPositions')}>
          <span data-testid="risk-open-positions">{r.openPositions}</span>
        </Field>
        <Field label={t('session.halts')}>
          {r.halts.length === 0 && r.volatilityHaltUntil === null ? (
            <Badge tone="good">{t('common.none')}</Badge>
          ) : (
            <span className="flex flex-wrap gap-1" data-testid="risk-halts">
              {r.halts.map((h) => (
                <Badge key={h.kind} tone="bad" value={h.kind} title={h.reason}>
                  {t(`session.haltKind.${h.kind}`)} · {t('session.haltSince', { time: formatTime(h.sinceTs) })}
                </Badge>
              ))}
              {r.volatilityHaltUntil !== null && (
                <Badge tone="warn" value="volatility">
                  {t('session.volatilityHalt', { time: formatTime(r.volatilityHaltUntil) })}
                </Badge>
              )}
            </span>
          )}
        </Field>
      </dl>
    </Panel>
  );
}

const positionColumns = (t: TFunction) => [
  { header: t('session.colMarket'), cell: (p: PositionView) => <b>{p.market}</b> },
  { header: t('session.colStatus'), cell: (p: PositionView) => p.status },
  { header: t('session.colEntry'), numeric: true, cell: (p: PositionView) => formatPrice(p.entryPrice) },
  { header: t('session.colExit'), numeric: true, cell: (p: PositionView) => formatPrice(p.avgExitPrice) },
  { header: t('session.colVolume'), numeric: true, cell: (p: PositionView) => formatQuantity(p.volume) },
  { header: t('session.colRemaining'), numeric: true, cell: (p: PositionView) => formatQuantity(p.remainingVolume) },
  {
    header: t('session.colRealized'),
    numeric: true,
    cell: (p: PositionView) => <span className={pnlClass(p.realizedPnl)}>{formatPnl(p.realizedPnl)}</span>,
  },
  { header: t('session.colFees'), numeric: true, cell: (p: PositionView) => formatKrw(p.fees) },
  { header: t('session.colExitPlan'), cell: (p: PositionView) => <ExitPlan plan={p.exitPlan} /> },
  { header: t('session.colOpened'), cell: (p: PositionView) => formatTime(p.openedAt) },
];

function PositionsPanel(props: { sessionId: string }) {
  const { t } = useTranslation();
  const columns = positionColumns(t);
  const stored = usePositions(props.sessionId, 'open');
  const closed = usePositions(props.sessionId, 'closed');
  return (
    <>
      <Panel title={t('session.openPositionsTitle')} testId="positions-panel">
        <ErrorNotice error={stored.error} what={t('session.loadingPositions')} />
        <DataTable
          rows={stored.data}
          rowKey={(p) => p.id}
          testId="positions-table"
          rowTestId="position-row"
          empty={t('session.noOpenPositions')}
          columns={columns}
        />
      </Panel>
      <Panel title={t('session.closedPositions')} testId="closed-positions-panel">
        <ErrorNotice error={closed.error} what={t('session.loadingClosed')} />
        <DataTable
          rows={closed.data}
          rowKey={(p) => p.id}
          testId="closed-positions-table"
          rowTestId="closed-position-row"
          empty={t('session.noClosedPositions')}
          columns={[
            ...columns.filter((c) => c.header !== t('session.colRemaining') && c.header !== t('session.colExitPlan')),
            { header: t('session.colExitReason'), cell: (p: PositionView) => p.exitReason ?? '—' },
            { header: t('session.colClosed'), cell: (p: PositionView) => formatTime(p.closedAt) },
          ]}
        />
      </Panel>
    </>
  );
}

/** The exit levels in plain words (stop, take-profit rungs, trailing, time exit as a local date-time). */
function ExitPlan(props: { plan: PositionView['exitPlan'] }) {
  const { t } = useTranslation();
  const lines = exitPlanLines(props.plan, t);
  if (lines.length === 0) return <span className="text-slate-500">—</span>;
  return (
    <ul className="max-w-md space-y-0.5 text-xs" data-testid="exit-plan">
      {lines.map((line) => (
        <li key={line}>{line}</li>
      ))}
    </ul>
  );
}

function OpenOrdersPanel(props: { sessionId: string }) {
  const { t } = useTranslation();
  const orders = useOrders(props.sessionId, 100);
  const rows = orders.data?.filter((o) => OPEN_ORDER_STATES.has(o.state));
  return (
    <Panel title={t('session.openOrders')} testId="open-orders-panel">
      <ErrorNotice error={orders.error} what={t('session.loadingOrders')} />
      <OrdersTable orders={rows} testId="open-orders-table" empty={t('session.noOpenOrders')} />
    </Panel>
  );
}

function DecisionsPanel(props: { sessionId: string }) {
  const { t } = useTranslation();
  const decisions = useDecisions(props.sessionId, 50);
  return (
    <Panel title={t('session.decisions')} testId="decisions-panel">
      <ErrorNotice error={decisions.error} what={t('session.loadingDecisions')} />
      <DataTable
        rows={decisions.data}
        rowKey={(d) => d.id}
        testId="decisions-table"
        rowTestId="decision-row"
        empty={t('session.noDecisions')}
        columns={[
          { header: t('session.colTime'), cell: (d) => formatTime(d.createdAt) },
          { header: t('session.colMarket'), cell: (d) => <b>{d.market}</b> },
          { header: t('session.colAction'), cell: (d) => <ActionBadge action={d.action} /> },
          { header: t('session.colScore'), numeric: true, cell: (d) => formatMetric(d.score) },
          {
            header: t('session.colReasons'),
            cell: (d) => (
              <span className="flex flex-wrap gap-1">
                {d.reasons.map((r) => (
                  <span key={r} className="rounded bg-slate-800 px-1.5 py-0.5 text-xs">
                    {r}
                  </span>
                ))}
              </span>
            ),
          },
          { header: t('session.colFactors'), cell: (d) => <Factors decision={d} /> },
        ]}
      />
    </Panel>
  );
}

function ActionBadge(props: { action: string }) {
  const a = props.action.toLowerCase();
  const tone =
    a.includes('buy') || a.includes('enter') ? 'good' : a.includes('sell') || a.includes('exit') ? 'warn' : 'idle';
  return <Badge tone={tone}>{props.action}</Badge>;
}

/** The snapshot's numeric inputs (factor scores, indicator values), expandable under each decision. */
function Factors(props: { decision: Decision }) {
  const { t } = useTranslation();
  const leaves = flattenLeaves(props.decision.snapshot);
  if (leaves.length === 0) return <span className="text-slate-500">—</span>;
  return (
    <details>
      <summary className="cursor-pointer text-xs text-sky-400">{t('session.values', { count: leaves.length })}</summary>
      <table className="mt-1 text-xs" data-testid="decision-factors">
        <tbody>
          {leaves.map(([k, v]) => (
            <tr key={k}>
              <td className="pr-3 font-mono text-slate-400">{k}</td>
              <td className="text-right font-mono tabular-nums">{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/** `{ a: { b: 1 }, c: 'x' }` → `[['a.b', '1'], ['c', 'x']]`, numbers formatted, at most 3 levels deep. */
function flattenLeaves(value: unknown, prefix = '', depth = 0): [string, string][] {
  if (value === null || value === undefined) return [];
  if (typeof value !== 'object') {
    return [[prefix || 'value', typeof value === 'number' ? formatMetric(value) : String(value)]];
  }
  if (depth >= 3) return [[prefix, JSON.stringify(value)]];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
    flattenLeaves(v, prefix ? `${prefix}.${k}` : k, depth + 1),
  );
}

function RiskEventsPanel(props: { sessionId: string }) {
  const { t } = useTranslation();
  const events = useRiskEvents({ sessionId: props.sessionId });
  return (
    <Panel title={t('session.riskEvents')} testId="risk-events-panel">
      <ErrorNotice error={events.error} what={t('session.loadingRiskEvents')} />
      <DataTable
        rows={events.data}
        rowKey={(e) => e.id}
        testId="risk-events-table"
        rowTestId="risk-event-row"
        empty={t('session.noRiskEvents')}
        columns={[
          { header: t('session.colTime'), cell: (e) => formatTime(e.createdAt) },
          {
            header: t('session.colSeverity'),
            cell: (e) => (
              <Badge tone={/crit|error|high/i.test(e.severity) ? 'bad' : /warn/i.test(e.severity) ? 'warn' : 'idle'}>
                {e.severity}
              </Badge>
            ),
          },
          { header: t('session.colKind'), cell: (e) => <span className="font-mono text-xs">{e.kind}</span> },
          { header: t('session.colMessage'), cell: (e) => e.message },
        ]}
      />
    </Panel>
  );
}

const paramText = (p: Record<string, number | boolean>) =>
  Object.entries(p)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

/** Scheduled re-tuning results: both parameter sets with their out-of-sample scores; an admin applies one. */
function RetunePanel(props: { sessionId: string }) {
  const { t } = useTranslation();
  const proposals = useRetuneProposals(props.sessionId);
  const queryClient = useQueryClient();
  const isAdmin = authSession()?.role === 'admin';
  const apply = useMutation({
    mutationFn: (id: string) =>
      apiRequest<unknown>(
        'POST',
        `/api/sessions/${encodeURIComponent(props.sessionId)}/retune-proposals/${encodeURIComponent(id)}/apply`,
      ),
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: ['retune-proposals', props.sessionId] });
      queryClient.invalidateQueries({ queryKey: ['session', props.sessionId] });
    },
  });
  if (!proposals.data?.length && !proposals.error) return null;
  return (
    <Panel title={t('retune.title')} testId="retune-panel">
      <ErrorNotice error={proposals.error ?? apply.error} what={t('retune.what')} />
      <DataTable<RetuneProposal>
        rows={proposals.data}
        rowKey={(p) => p.id}
        rowTestId="retune-row"
        columns={[
          { header: t('retune.found'), cell: (p) => formatTime(p.createdAt) },
          { header: t('retune.status'), cell: (p) => p.status },
          {
            header: t('retune.outOfSample'),
            cell: (p) =>
              `${formatTime(p.evidence.outOfSample.from)} – ${formatTime(p.evidence.outOfSample.to)} (${p.evidence.objective})`,
          },
          {
            header: t('retune.running'),
            cell: (p) => `${paramText(p.current)} → ${formatMetric(p.evidence.current.score)}`,
          },
          {
            header: t('retune.proposed'),
            cell: (p) => `${paramText(p.params)} → ${formatMetric(p.evidence.candidate.score)}`,
          },
          {
            header: '',
            cell: (p) =>
              isAdmin && p.status === 'proposed' ? (
                <button
                  type="button"
                  data-testid="retune-apply"
                  disabled={apply.isPending}
                  onClick={() => apply.mutate(p.id)}
                  className="rounded bg-sky-700 px-2 py-1 text-xs text-white hover:bg-sky-600 disabled:opacity-40"
                >
                  {t('retune.apply')}
                </button>
              ) : (
                (p.decidedBy ?? '')
              ),
          },
        ]}
      />
    </Panel>
  );
}

function ConfigPanel(props: { session: SessionDetail }) {
  const { t } = useTranslation();
  const s = props.session;
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<string | null>(null);
  const [parseError, setParseError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (patch: Record<string, unknown>) =>
      apiRequest<Record<string, unknown>>('PATCH', `/api/sessions/${encodeURIComponent(s.id)}/config`, patch),
    onSuccess: () => {
      setDraft(null);
      queryClient.invalidateQueries({ queryKey: ['session', s.id] });
    },
  });
  const text = draft ?? JSON.stringify(s.config, null, 2);
  const submit = () => {
    let patch: unknown;
    try {
      patch = JSON.parse(text);
    } catch (err) {
      setParseError(t('session.notJson', { message: (err as Error).message }));
      return;
    }
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
      setParseError(t('session.notObject'));
      return;
    }
    setParseError(null);
    save.mutate(patch as Record<string, unknown>);
  };
  return (
    <Panel title={t('session.config')} testId="config-panel">
      <p className="mb-2 text-xs text-slate-500">{t('session.configHint')}</p>
      <textarea
        data-testid="config-editor"
        value={text}
        onChange={(e) => setDraft(e.target.value)}
        rows={Math.min(20, text.split('\n').length + 1)}
        spellCheck={false}
        className="w-full rounded border border-slate-700 bg-slate-950 p-2 font-mono text-xs"
      />
      <div className="mt-2 flex items-center gap-2">
        <button
          type="button"
          data-testid="config-save"
          disabled={draft === null || save.isPending}
          onClick={submit}
          className="rounded bg-sky-700 px-3 py-1.5 text-sm text-white hover:bg-sky-600 disabled:opacity-40"
        >
          {t('session.saveConfig')}
        </button>
        {draft !== null && (
          <button
            type="button"
            onClick={() => {
              setDraft(null);
              setParseError(null);
              save.reset();
            }}
            className="rounded border border-slate-600 px-3 py-1.5 text-sm hover:bg-slate-800"
          >
            {t('session.discard')}
          </button>
        )}
        {save.isSuccess && draft === null && (
          <span className="text-sm text-emerald-400" data-testid="config-saved">
            {t('session.saved')}
          </span>
        )}
      </div>
      <div className="mt-2 space-y-2">
        {parseError && (
          <p role="alert" className="text-sm text-red-300">
            {parseError}
          </p>
        )}
        <ErrorNotice error={save.error} what={t('session.configUpdate')} />
      </div>
    </Panel>
  );
}
