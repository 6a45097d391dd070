import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { authSession } from '../api/auth';
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
  OrderView,
  PositionView,
  RetuneProposal,
  RiskState,
  SessionDetail,
} from '../api/types';
import { DataTable } from '../components/DataTable';
import { EmergencyStop } from '../components/EmergencyStop';
import { ErrorNotice } from '../components/ErrorNotice';
import { OrdersTable } from '../components/OrdersTable';
import { Panel } from '../components/Panel';
import { Badge, SessionStatusBadge } from '../components/StatusBadge';
import { formatKrw, formatMetric, formatPnl, formatQuantity, formatTime, pnlClass } from '../format';
import { routeHref } from '../routing';

// Order states in which an order still rests on the book (Upbit's names).
const OPEN_ORDER_STATES = new Set(['wait', 'watch']);

export function SessionPage(props: { id: string }) {
  const session = useSession(props.id);
  const s = session.data;
  return (
    <div className="space-y-4">
      <ErrorNotice error={session.error} what="Loading the session" />
      {s && <SessionHeader session={s} />}
      {s?.live ? (
        <RiskPanel risk={s.live.risk} />
      ) : (
        s && (
          <p className="text-sm text-slate-500" data-testid="session-not-live">
            The session's workflow did not answer (not running, or Temporal is down): showing stored data only.
          </p>
        )
      )}
      <PositionsPanel sessionId={props.id} live={s?.live?.positions} />
      <OpenOrdersPanel sessionId={props.id} live={s?.live?.openOrders} />
      <DecisionsPanel sessionId={props.id} />
      <RiskEventsPanel sessionId={props.id} />
      <RetunePanel sessionId={props.id} />
      {s && <ConfigPanel session={s} />}
    </div>
  );
}

function SessionHeader(props: { session: SessionDetail }) {
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
              halted
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
              disabled={control.isPending || !active}
              onClick={() => control.mutate('resume')}
              className="rounded border border-emerald-700 px-3 py-1.5 text-sm text-emerald-300 hover:bg-emerald-950 disabled:opacity-40"
            >
              Resume
            </button>
          ) : (
            <button
              type="button"
              data-testid="session-pause"
              disabled={control.isPending || !active}
              onClick={() => control.mutate('pause')}
              className="rounded border border-amber-700 px-3 py-1.5 text-sm text-amber-300 hover:bg-amber-950 disabled:opacity-40"
            >
              Pause
            </button>
          )}
          <EmergencyStop
            label="Emergency stop"
            expected={s.id}
            scope={`session ${s.name}`}
            buttonTestId="session-estop-button"
            run={stop}
            onDone={refresh}
          />
        </>
      }
    >
      <dl className="grid grid-cols-2 gap-x-6 gap-y-1 text-sm md:grid-cols-4">
        <Field label="Id">
          <span className="font-mono text-xs" data-testid="session-id">
            {s.id}
          </span>
        </Field>
        <Field label="Mode">{s.mode}</Field>
        <Field label="Strategy">{s.strategy}</Field>
        <Field label="Started">{formatTime(s.createdAt)}</Field>
        <Field label="Workflow">
          <a
            href={temporalUrl}
            target="_blank"
            rel="noreferrer"
            data-testid="temporal-link"
            className="text-sky-400 hover:underline"
          >
            session-{s.id} in Temporal UI ↗
          </a>
        </Field>
        <Field label="Links">
          <a className="text-sky-400 hover:underline" href={routeHref({ page: 'orders', sessionId: s.id })}>
            orders
          </a>
          {' · '}
          <a className="text-sky-400 hover:underline" href={routeHref({ page: 'chart', sessionId: s.id })}>
            chart
          </a>
        </Field>
      </dl>
      <div className="mt-3">
        <ErrorNotice error={control.error} what={`${control.variables ?? 'Control'}`} />
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

function RiskPanel(props: { risk: RiskState }) {
  const r = props.risk;
  return (
    <Panel title="Risk" testId="risk-state">
      <dl className="grid grid-cols-2 gap-x-6 gap-y-1 text-sm md:grid-cols-4">
        <Field label="Equity (KRW)">
          <span className="font-mono" data-testid="risk-equity">
            {formatKrw(r.equityKrw)}
          </span>
        </Field>
        <Field label="Today's P&L (KRW)">
          <span className={`font-mono ${pnlClass(r.dailyPnlKrw)}`}>{formatPnl(r.dailyPnlKrw)}</span>
        </Field>
        <Field label="Open positions">{r.openPositions}</Field>
        <Field label="Halts">
          {r.halts.length === 0 ? (
            <Badge tone="good">none</Badge>
          ) : (
            <span className="flex flex-wrap gap-1" data-testid="risk-halts">
              {r.halts.map((h) => (
                <Badge key={h} tone="bad">
                  {h}
                </Badge>
              ))}
            </span>
          )}
        </Field>
      </dl>
    </Panel>
  );
}

const positionColumns = [
  { header: 'Market', cell: (p: PositionView) => <b>{p.market}</b> },
  { header: 'Status', cell: (p: PositionView) => p.status },
  { header: 'Entry', numeric: true, cell: (p: PositionView) => formatKrw(p.entryPrice) },
  { header: 'Exit', numeric: true, cell: (p: PositionView) => formatKrw(p.avgExitPrice) },
  { header: 'Volume', numeric: true, cell: (p: PositionView) => formatQuantity(p.volume) },
  { header: 'Remaining', numeric: true, cell: (p: PositionView) => formatQuantity(p.remainingVolume) },
  {
    header: 'Realized P&L',
    numeric: true,
    cell: (p: PositionView) => <span className={pnlClass(p.realizedPnl)}>{formatPnl(p.realizedPnl)}</span>,
  },
  { header: 'Fees', numeric: true, cell: (p: PositionView) => formatKrw(p.fees) },
  { header: 'Exit plan', cell: (p: PositionView) => <ExitPlan plan={p.exitPlan} /> },
  { header: 'Opened', cell: (p: PositionView) => formatTime(p.openedAt) },
];

function PositionsPanel(props: { sessionId: string; live?: PositionView[] }) {
  const stored = usePositions(props.sessionId, 'open');
  const closed = usePositions(props.sessionId, 'closed');
  return (
    <>
      <Panel title={`Open positions${props.live ? ' (live)' : ''}`} testId="positions-panel">
        <ErrorNotice error={props.live ? null : stored.error} what="Loading positions" />
        <DataTable
          rows={props.live ?? stored.data}
          rowKey={(p) => p.id}
          testId="positions-table"
          rowTestId="position-row"
          empty="No open positions."
          columns={positionColumns}
        />
      </Panel>
      <Panel title="Closed positions" testId="closed-positions-panel">
        <ErrorNotice error={closed.error} what="Loading closed positions" />
        <DataTable
          rows={closed.data}
          rowKey={(p) => p.id}
          testId="closed-positions-table"
          rowTestId="closed-position-row"
          empty="No closed positions."
          columns={[
            ...positionColumns.filter((c) => c.header !== 'Remaining' && c.header !== 'Exit plan'),
            { header: 'Exit reason', cell: (p: PositionView) => p.exitReason ?? '—' },
            { header: 'Closed', cell: (p: PositionView) => formatTime(p.closedAt) },
          ]}
        />
      </Panel>
    </>
  );
}

/** Exit plans are objects of levels (stop, take-profit ladder, trailing, time); show their leaves compactly. */
function ExitPlan(props: { plan: unknown }) {
  const leaves = flattenLeaves(props.plan);
  if (leaves.length === 0) return <span className="text-slate-500">—</span>;
  return (
    <span className="flex max-w-md flex-wrap gap-1 text-[11px]">
      {leaves.map(([k, v]) => (
        <span key={k} className="rounded bg-slate-800 px-1 font-mono">
          {k}={v}
        </span>
      ))}
    </span>
  );
}

function OpenOrdersPanel(props: { sessionId: string; live?: OrderView[] }) {
  const orders = useOrders(props.sessionId, 100);
  const rows = props.live ?? orders.data?.filter((o) => OPEN_ORDER_STATES.has(o.state));
  return (
    <Panel title={`Open orders${props.live ? ' (live)' : ''}`} testId="open-orders-panel">
      <ErrorNotice error={props.live ? null : orders.error} what="Loading orders" />
      <OrdersTable orders={rows} testId="open-orders-table" empty="No open orders." />
    </Panel>
  );
}

function DecisionsPanel(props: { sessionId: string }) {
  const decisions = useDecisions(props.sessionId, 50);
  return (
    <Panel title="Decisions — why the bot acted" testId="decisions-panel">
      <ErrorNotice error={decisions.error} what="Loading decisions" />
      <DataTable
        rows={decisions.data}
        rowKey={(d) => d.id}
        testId="decisions-table"
        rowTestId="decision-row"
        empty="No decisions yet: the session decides on each bar close."
        columns={[
          { header: 'Time', cell: (d) => formatTime(d.createdAt) },
          { header: 'Market', cell: (d) => <b>{d.market}</b> },
          { header: 'Action', cell: (d) => <ActionBadge action={d.action} /> },
          { header: 'Score', numeric: true, cell: (d) => formatMetric(d.score) },
          {
            header: 'Reasons',
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
          { header: 'Factors', cell: (d) => <Factors decision={d} /> },
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
  const leaves = flattenLeaves(props.decision.snapshot);
  if (leaves.length === 0) return <span className="text-slate-500">—</span>;
  return (
    <details>
      <summary className="cursor-pointer text-xs text-sky-400">{leaves.length} values</summary>
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
  const events = useRiskEvents(props.sessionId);
  return (
    <Panel title="Risk events" testId="risk-events-panel">
      <ErrorNotice error={events.error} what="Loading risk events" />
      <DataTable
        rows={events.data}
        rowKey={(e) => e.id}
        testId="risk-events-table"
        rowTestId="risk-event-row"
        empty="No risk events."
        columns={[
          { header: 'Time', cell: (e) => formatTime(e.createdAt) },
          {
            header: 'Severity',
            cell: (e) => (
              <Badge tone={/crit|error|high/i.test(e.severity) ? 'bad' : /warn/i.test(e.severity) ? 'warn' : 'idle'}>
                {e.severity}
              </Badge>
            ),
          },
          { header: 'Kind', cell: (e) => <span className="font-mono text-xs">{e.kind}</span> },
          { header: 'Message', cell: (e) => e.message },
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
    <Panel title="Re-tuning proposals" testId="retune-panel">
      <ErrorNotice error={proposals.error ?? apply.error} what="Re-tuning" />
      <DataTable<RetuneProposal>
        rows={proposals.data}
        rowKey={(p) => p.id}
        rowTestId="retune-row"
        columns={[
          { header: 'Found', cell: (p) => formatTime(p.createdAt) },
          { header: 'Status', cell: (p) => p.status },
          {
            header: 'Out of sample',
            cell: (p) =>
              `${formatTime(p.evidence.outOfSample.from)} – ${formatTime(p.evidence.outOfSample.to)} (${p.evidence.objective})`,
          },
          {
            header: 'Running',
            cell: (p) => `${paramText(p.current)} → ${formatMetric(p.evidence.current.score)}`,
          },
          {
            header: 'Proposed',
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
                  Apply
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
      setParseError(`Not valid JSON: ${(err as Error).message}`);
      return;
    }
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
      setParseError('The config must be a JSON object.');
      return;
    }
    setParseError(null);
    save.mutate(patch as Record<string, unknown>);
  };
  return (
    <Panel title="Config" testId="config-panel">
      <p className="mb-2 text-xs text-slate-500">
        Edit and save: the session's workflow validates the change and rejects it with a reason if it is unsafe.
      </p>
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
          Save config
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
            Discard
          </button>
        )}
        {save.isSuccess && draft === null && (
          <span className="text-sm text-emerald-400" data-testid="config-saved">
            Saved.
          </span>
        )}
      </div>
      <div className="mt-2 space-y-2">
        {parseError && (
          <p role="alert" className="text-sm text-red-300">
            {parseError}
          </p>
        )}
        <ErrorNotice error={save.error} what="Config update" />
      </div>
    </Panel>
  );
}
