import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { apiRequest } from '../api/client';
import { useAccounts, useHealth, useSessions } from '../api/queries';
import type { EmergencyStopMode, Health, Session } from '../api/types';
import { AuditPanel } from '../components/AuditPanel';
import { DataTable } from '../components/DataTable';
import { EmergencyStop } from '../components/EmergencyStop';
import { ErrorNotice } from '../components/ErrorNotice';
import { ExchangeKeysPanel } from '../components/ExchangeKeysPanel';
import { Panel } from '../components/Panel';
import { Badge, SessionStatusBadge } from '../components/StatusBadge';
import { formatKrw, formatQuantity, formatTime } from '../format';
import { navigate, routeHref } from '../routing';

export function OverviewPage() {
  return (
    <div className="space-y-4">
      <HealthPanel />
      <SessionsPanel />
      <AccountsPanel />
      <ExchangeKeysPanel />
      <AuditPanel />
    </div>
  );
}

function HealthPanel() {
  const health = useHealth();
  const h = health.data;
  const parts: { key: 'temporal' | 'db' | 'exchange'; label: string }[] = [
    { key: 'temporal', label: 'Temporal' },
    { key: 'db', label: 'Database' },
    { key: 'exchange', label: 'Exchange' },
  ];
  return (
    <Panel title="System" testId="health-panel">
      <div className="flex flex-wrap items-center gap-3">
        <Badge testId="health-status" tone={health.isError ? 'bad' : !h ? 'idle' : h.status === 'ok' ? 'good' : 'warn'}>
          API {health.isError ? 'unreachable' : (h?.status ?? '…')}
        </Badge>
        {parts.map((p) => (
          <HealthBadge key={p.key} label={p.label} value={h?.[p.key]} testId={`health-badge-${p.key}`} />
        ))}
        {h && (
          <Badge testId="health-mode" tone={h.mode === 'live' ? 'bad' : 'idle'}>
            mode: {h.mode}
          </Badge>
        )}
      </div>
      <div className="mt-3">
        <ErrorNotice error={health.error} what="Health check" />
      </div>
    </Panel>
  );
}

function HealthBadge(props: { label: string; value: Health['db'] | undefined; testId: string }) {
  const ok = props.value === 'ok';
  return (
    <Badge testId={props.testId} tone={props.value === undefined ? 'idle' : ok ? 'good' : 'bad'} title={props.value}>
      {props.label}: {props.value === undefined ? '…' : ok ? 'ok' : 'down'}
      {!ok && props.value !== undefined && (
        <span className="max-w-64 truncate font-mono text-[11px] opacity-80">{props.value}</span>
      )}
    </Badge>
  );
}

function SessionsPanel() {
  const sessions = useSessions();
  const queryClient = useQueryClient();
  const [signalled, setSignalled] = useState<string[] | null>(null);
  const startDemo = useMutation({
    mutationFn: () => apiRequest<Session>('POST', '/api/sessions', { name: 'demo', preset: 'demo' }),
    onSuccess: (session) => {
      queryClient.invalidateQueries({ queryKey: ['sessions'] });
      if (session?.id) navigate({ page: 'session', id: session.id });
    },
  });
  const stopAll = (mode: EmergencyStopMode, confirm: string) =>
    apiRequest<{ signalled: string[] }>('POST', '/api/emergency-stop', { mode, confirm });

  return (
    <Panel
      title="Trading sessions"
      testId="sessions-panel"
      actions={
        <EmergencyStop
          label="Emergency stop ALL"
          expected="STOP ALL"
          scope="all running sessions"
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
          disabled={startDemo.isPending}
          onClick={() => startDemo.mutate()}
          className="rounded-lg bg-emerald-600 px-6 py-3 text-lg font-bold text-white shadow hover:bg-emerald-500 disabled:opacity-50"
        >
          {startDemo.isPending ? 'Starting…' : '▶ Start demo session'}
        </button>
        <p className="max-w-md text-sm text-slate-400">
          Starts a demo session in the server's mode: the probe strategy with a 3-minute time exit, so positions open
          and close within minutes. It shows the machinery, not a way to make money.
        </p>
      </div>
      <div className="space-y-2">
        <ErrorNotice error={startDemo.error} what="Starting a session" />
        <ErrorNotice error={sessions.error} what="Loading sessions" />
        {signalled && (
          <p data-testid="global-estop-result" className="text-sm text-amber-300">
            Emergency stop signalled to {signalled.length} session(s)
            {signalled.length ? `: ${signalled.join(', ')}` : ''}.
          </p>
        )}
      </div>
      <DataTable
        rows={sessions.data}
        rowKey={(s) => s.id}
        testId="sessions-table"
        rowTestId="session-row"
        rowAttrs={(s) => ({ 'data-session-id': s.id, 'data-status': s.status })}
        empty="No sessions yet — start a demo session."
        columns={[
          {
            header: 'Name',
            cell: (s) => (
              <a className="text-sky-400 hover:underline" href={routeHref({ page: 'session', id: s.id })}>
                {s.name}
              </a>
            ),
          },
          { header: 'Status', cell: (s) => <SessionStatusBadge status={s.status} /> },
          { header: 'Mode', cell: (s) => s.mode },
          { header: 'Strategy', cell: (s) => s.strategy },
          { header: 'Id', cell: (s) => <span className="font-mono text-xs text-slate-500">{s.id}</span> },
          { header: 'Updated', cell: (s) => formatTime(s.updatedAt) },
        ]}
      />
    </Panel>
  );
}

function AccountsPanel() {
  const accounts = useAccounts();
  return (
    <Panel title="Exchange balances" testId="accounts-panel">
      <ErrorNotice error={accounts.error} what="Loading balances" />
      <DataTable
        rows={accounts.data}
        rowKey={(a) => a.currency}
        testId="accounts-table"
        rowTestId="account-row"
        empty="No balances."
        columns={[
          { header: 'Currency', cell: (a) => <b>{a.currency}</b> },
          {
            header: 'Balance',
            numeric: true,
            cell: (a) => (a.currency === 'KRW' ? formatKrw(a.balance) : formatQuantity(a.balance)),
          },
          {
            header: 'Locked',
            numeric: true,
            cell: (a) => (a.currency === 'KRW' ? formatKrw(a.locked) : formatQuantity(a.locked)),
          },
          {
            header: 'Avg buy price',
            numeric: true,
            cell: (a) => (a.currency === 'KRW' ? '—' : formatKrw(a.avgBuyPrice)),
          },
        ]}
      />
    </Panel>
  );
}
