import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useIsAdmin } from '../api/auth';
import { apiRequest } from '../api/client';
import { useAccounts, useHealth, useOverview, useSessions } from '../api/queries';
import type { EmergencyStopMode, Health, Overview, Session } from '../api/types';
import { AuditPanel } from '../components/AuditPanel';
import { DataTable } from '../components/DataTable';
import { EmergencyStop } from '../components/EmergencyStop';
import { ErrorNotice } from '../components/ErrorNotice';
import { ExchangeKeysPanel } from '../components/ExchangeKeysPanel';
import { Panel } from '../components/Panel';
import { Badge, SessionStatusBadge } from '../components/StatusBadge';
import { formatKrw, formatPnl, formatPrice, formatQuantity, formatTime, pnlClass } from '../format';

// ECharts comes in its own chunk, loaded when the curve is drawn.
const EquityCurveChart = lazy(() => import('../charts/EquityCurveChart'));

/** The equity curve's ranges, in hours. */
const CURVE_HOURS = [1, 24, 24 * 7, 24 * 30] as const;

export function OverviewPage() {
  return (
    <div className="space-y-4">
      <HealthPanel />
      <AccountFiguresPanel />
      <SessionsPanel />
      <AccountsPanel />
      <ExchangeKeysPanel />
      <AuditPanel />
    </div>
  );
}

function HealthPanel() {
  const { t } = useTranslation();
  const health = useHealth();
  const h = health.data;
  const parts: { key: 'temporal' | 'db' | 'exchange'; label: string }[] = [
    { key: 'temporal', label: t('overview.temporal') },
    { key: 'db', label: t('overview.database') },
    { key: 'exchange', label: t('overview.exchange') },
  ];
  return (
    <Panel title={t('overview.system')} testId="health-panel">
      <div className="flex flex-wrap items-center gap-3">
        <Badge
          testId="health-status"
          value={health.isError ? 'unreachable' : h?.status}
          tone={health.isError ? 'bad' : !h ? 'idle' : h.status === 'ok' ? 'good' : 'warn'}
        >
          {t('overview.api')}{' '}
          {health.isError
            ? t('overview.apiUnreachable')
            : h?.status === 'ok'
              ? t('overview.ok')
              : h?.status === 'degraded'
                ? t('overview.down')
                : '…'}
        </Badge>
        {parts.map((p) => (
          <HealthBadge key={p.key} label={p.label} value={h?.[p.key]} testId={`health-badge-${p.key}`} />
        ))}
        {h && (
          <Badge testId="health-mode" value={h.mode} tone={h.mode === 'live' ? 'bad' : 'idle'}>
            {t('overview.modeBadge', { mode: t(`mode.${h.mode}`) })}
          </Badge>
        )}
      </div>
      <div className="mt-3">
        <ErrorNotice error={health.error} what={t('overview.healthCheck')} />
      </div>
    </Panel>
  );
}

function HealthBadge(props: { label: string; value: Health['db'] | undefined; testId: string }) {
  const { t } = useTranslation();
  const ok = props.value === 'ok';
  return (
    <Badge testId={props.testId} tone={props.value === undefined ? 'idle' : ok ? 'good' : 'bad'} title={props.value}>
      {props.label}: {props.value === undefined ? '…' : ok ? t('overview.ok') : t('overview.down')}
      {!ok && props.value !== undefined && (
        <span className="max-w-64 truncate font-mono text-[11px] opacity-80">{props.value}</span>
      )}
    </Badge>
  );
}

function SessionsPanel() {
  const { t } = useTranslation();
  const sessions = useSessions();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [signalled, setSignalled] = useState<string[] | null>(null);
  const isAdmin = useIsAdmin();
  const startDemo = useMutation({
    mutationFn: () => apiRequest<Session>('POST', '/api/sessions', { name: 'demo', preset: 'demo' }),
    onSuccess: (session) => {
      queryClient.invalidateQueries({ queryKey: ['sessions'] });
      if (session?.id) void navigate({ to: '/sessions/$id', params: { id: session.id } });
    },
  });
  const stopAll = (mode: EmergencyStopMode, confirm: string) =>
    apiRequest<{ signalled: string[] }>('POST', '/api/emergency-stop', { mode, confirm });

  return (
    <Panel
      title={t('overview.sessions')}
      testId="sessions-panel"
      actions={
        <EmergencyStop
          label={t('overview.stopAll')}
          expected="STOP ALL"
          scope={t('overview.stopAllScope')}
          buttonTestId="global-estop-button"
          run={stopAll}
          onDone={(result) => {
            setSignalled(result?.signalled ?? []);
            queryClient.invalidateQueries({ queryKey: ['sessions'] });
          }}
        />
      }
    >
      <div className="mb-4 flex flex-wrap items-center gap-4">
        <button
          type="button"
          data-testid="start-demo-session"
          disabled={!isAdmin || startDemo.isPending}
          title={isAdmin ? undefined : t('common.viewerOnly')}
          onClick={() => startDemo.mutate()}
          className="rounded-lg bg-emerald-600 px-6 py-3 text-lg font-bold text-white shadow hover:bg-emerald-500 disabled:opacity-50"
        >
          {startDemo.isPending ? t('overview.starting') : t('overview.startDemo')}
        </button>
        <p className="max-w-md text-sm text-slate-400">{t('overview.demoHint')}</p>
        {!isAdmin && (
          <p className="text-sm text-amber-200" data-testid="overview-viewer">
            {t('common.viewerOnly')}
          </p>
        )}
        <Link to="/sessions/new" className="text-sm text-sky-400 hover:underline" data-testid="overview-new-session">
          {t('overview.newSessionLink')}
        </Link>
      </div>
      <div className="space-y-2">
        <ErrorNotice error={startDemo.error} what={t('overview.startingSession')} />
        <ErrorNotice error={sessions.error} what={t('overview.loadingSessions')} />
        {signalled && (
          <p data-testid="global-estop-result" className="text-sm text-amber-300">
            {t('overview.signalled', {
              count: signalled.length,
              list: signalled.length ? `: ${signalled.join(', ')}` : '',
            })}
          </p>
        )}
      </div>
      <DataTable
        rows={sessions.data}
        rowKey={(s) => s.id}
        testId="sessions-table"
        rowTestId="session-row"
        rowAttrs={(s) => ({ 'data-session-id': s.id, 'data-status': s.status })}
        empty={t('overview.noSessions')}
        columns={[
          {
            header: t('overview.colName'),
            cell: (s) => (
              <Link className="text-sky-400 hover:underline" to="/sessions/$id" params={{ id: s.id }}>
                {s.name}
              </Link>
            ),
          },
          { header: t('overview.colStatus'), cell: (s) => <SessionStatusBadge status={s.status} /> },
          { header: t('overview.colMode'), cell: (s) => t(`mode.${s.mode}`) },
          { header: t('overview.colStrategy'), cell: (s) => s.strategy },
          {
            header: t('overview.colId'),
            cell: (s) => <span className="font-mono text-xs text-slate-500">{s.id}</span>,
          },
          { header: t('overview.colUpdated'), cell: (s) => formatTime(s.updatedAt) },
        ]}
      />
    </Panel>
  );
}

function AccountsPanel() {
  const { t } = useTranslation();
  const accounts = useAccounts();
  return (
    <Panel title={t('overview.balances')} testId="accounts-panel">
      <ErrorNotice error={accounts.error} what={t('overview.loadingBalances')} />
      <DataTable
        rows={accounts.data}
        rowKey={(a) => a.currency}
        testId="accounts-table"
        rowTestId="account-row"
        empty={t('overview.noBalances')}
        columns={[
          { header: t('overview.colCurrency'), cell: (a) => <b>{a.currency}</b> },
          {
            header: t('overview.colBalance'),
            numeric: true,
            cell: (a) => (a.currency === 'KRW' ? formatKrw(a.balance) : formatQuantity(a.balance)),
          },
          {
            header: t('overview.colLocked'),
            numeric: true,
            cell: (a) => (a.currency === 'KRW' ? formatKrw(a.locked) : formatQuantity(a.locked)),
          },
          {
            header: t('overview.colAvgBuyPrice'),
            numeric: true,
            cell: (a) => (a.currency === 'KRW' ? '—' : formatPrice(a.avgBuyPrice)),
          },
        ]}
      />
    </Panel>
  );
}

/** The account at a glance: equity, free KRW, PnL, each session's loss headroom and the equity curve. */
function AccountFiguresPanel() {
  const { t } = useTranslation();
  const [hours, setHours] = useState<number>(24);
  const overview = useOverview(hours);
  const o = overview.data;
  const f = o?.figures;
  return (
    <Panel
      title={t('overview.account', { mode: o ? t(`mode.${o.mode}`) : '…' })}
      testId="account-figures"
      actions={
        f && (
          <span className="text-xs text-slate-500" data-testid="account-figures-time">
            {t('overview.asOf', { time: formatTime(f.takenAt) })}
          </span>
        )
      }
    >
      <ErrorNotice error={overview.error} what={t('overview.loadingFigures')} />
      {o && !f && (
        <p className="text-sm text-slate-400" data-testid="account-figures-none">
          {t('overview.noSnapshot')}
        </p>
      )}
      {f && (
        <dl className="grid grid-cols-2 gap-4 md:grid-cols-4">
          <Figure label={t('overview.equity')} testId="figure-equity" value={formatKrw(f.equityKrw)} />
          <Figure label={t('overview.freeKrw')} testId="figure-free-krw" value={formatKrw(f.freeKrw)} />
          <Figure
            label={t('overview.unrealizedPnl')}
            testId="figure-unrealized-pnl"
            value={formatPnl(f.unrealizedPnlKrw)}
            className={pnlClass(f.unrealizedPnlKrw)}
          />
          <Figure
            label={t('overview.todayRealizedPnl')}
            testId="figure-today-pnl"
            value={formatPnl(f.todayRealizedPnlKrw)}
            className={pnlClass(f.todayRealizedPnlKrw)}
          />
        </dl>
      )}
      {f && f.unpriced.length > 0 && (
        <p className="mt-2 text-xs text-amber-300" data-testid="figure-unpriced">
          {t('overview.unpriced', { list: f.unpriced.map((c) => `${c.volume} ${c.currency}`).join(', ') })}
        </p>
      )}
      {o && <HeadroomList sessions={o.sessions} />}
      <div className="mt-4 flex items-center gap-2 text-sm">
        <span className="text-slate-400">{t('overview.equityCurve')}</span>
        {CURVE_HOURS.map((h) => (
          <button
            key={h}
            type="button"
            data-testid={`curve-hours-${h}`}
            aria-pressed={hours === h}
            onClick={() => setHours(h)}
            className={`rounded px-2 py-0.5 ${hours === h ? 'bg-slate-700 text-white' : 'text-slate-400 hover:text-slate-200'}`}
          >
            {h < 24 ? t('overview.hoursShort', { count: h }) : t('overview.daysShort', { count: h / 24 })}
          </button>
        ))}
      </div>
      {o && o.curve.length === 0 ? (
        <p className="mt-2 text-sm text-slate-500">{t('overview.noCurve')}</p>
      ) : (
        o && (
          <Suspense fallback={<p className="text-sm text-slate-500">{t('app.loading')}</p>}>
            <EquityCurveChart curve={o.curve} />
          </Suspense>
        )
      )}
    </Panel>
  );
}

function Figure(props: { label: string; value: string; testId: string; className?: string }) {
  return (
    <div className="rounded-md border border-slate-800 bg-slate-950/40 px-3 py-2">
      <dt className="text-xs text-slate-400">{props.label}</dt>
      <dd className={`font-mono text-xl ${props.className ?? 'text-slate-100'}`} data-testid={props.testId}>
        {props.value}
      </dd>
    </div>
  );
}

/** Each running session's daily loss limit and how much of it is left. */
function HeadroomList(props: { sessions: Overview['sessions'] }) {
  const { t } = useTranslation();
  if (props.sessions.length === 0) return null;
  return (
    <div className="mt-4" data-testid="loss-headroom">
      <h3 className="mb-1 text-xs text-slate-400">{t('overview.lossHeadroom')}</h3>
      <ul className="grid gap-1 text-sm md:grid-cols-2">
        {props.sessions.map((s) => (
          <li key={s.id} className="flex justify-between gap-3" data-testid="loss-headroom-row" data-session-id={s.id}>
            <Link className="text-sky-400 hover:underline" to="/sessions/$id" params={{ id: s.id }}>
              {s.name}
            </Link>
            {s.lossHeadroomKrw === null ? (
              <span className="text-slate-500" title={s.error ?? undefined}>
                —
              </span>
            ) : (
              <span className="font-mono" data-testid="loss-headroom-value">
                {t('overview.headroomOf', {
                  left: formatKrw(s.lossHeadroomKrw),
                  limit: formatKrw(s.dailyLossLimitKrw),
                })}
              </span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
