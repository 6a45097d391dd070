// Settings: a running session's risk limits and strategy parameters (previewed, then applied through the session's
// validated config update), its config history with who changed what, alert channels, the exchange key, users.
// A viewer sees it all with the controls disabled and the reason.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useIsAdmin } from '../api/auth';
import { apiRequest } from '../api/client';
import { useSession, useSessionSetup, useSessions, useStrategies } from '../api/queries';
import type { AlertChannel, ConfigChange, ConfigPreview, ParamValues, SessionDetail, UserView } from '../api/types';
import { DataTable } from '../components/DataTable';
import { ErrorNotice } from '../components/ErrorNotice';
import { ExchangeKeysPanel } from '../components/ExchangeKeysPanel';
import { Panel } from '../components/Panel';
import { ParamFields } from '../components/ParamFields';
import { Badge } from '../components/StatusBadge';
import { WorkflowLink } from '../components/WorkflowLink';
import { formatTime } from '../format';
import { NumberField, RISK_FIELDS } from './NewSessionPage';

const ACTIVE = new Set(['starting', 'running', 'paused', 'halted']);
const inputClass = 'rounded border border-slate-700 bg-slate-950 px-2 py-1 text-sm';
const buttonClass = 'rounded bg-sky-700 px-3 py-1 text-sm text-white hover:bg-sky-600 disabled:opacity-50';

function ViewerReason(props: { testId: string }) {
  const { t } = useTranslation();
  return (
    <p
      className="mb-3 rounded border border-amber-800 bg-amber-950/40 px-3 py-2 text-sm text-amber-200"
      data-testid={props.testId}
    >
      {t('common.viewerOnly')}
    </p>
  );
}

export function SettingsPage(props: { sessionId?: string }) {
  const { t } = useTranslation();
  const sessions = useSessions();
  const active = sessions.data?.filter((s) => ACTIVE.has(s.status)) ?? [];
  const [picked, setPicked] = useState<string | undefined>(props.sessionId);
  const sessionId = picked ?? active[0]?.id;
  return (
    <div className="space-y-4">
      <Panel
        title={t('settings.sessionTitle')}
        testId="settings-session-panel"
        actions={
          <select
            data-testid="settings-session"
            value={sessionId ?? ''}
            onChange={(e) => setPicked(e.target.value || undefined)}
            className={inputClass}
          >
            {active.length === 0 && <option value="">{t('settings.noRunning')}</option>}
            {active.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} ({s.id})
              </option>
            ))}
          </select>
        }
      >
        <ErrorNotice error={sessions.error} what={t('overview.loadingSessions')} />
        {sessionId ? (
          <SessionSettings key={sessionId} id={sessionId} />
        ) : (
          <p className="text-sm text-slate-400">{t('settings.noRunning')}</p>
        )}
      </Panel>
      {sessionId && <ConfigHistoryPanel id={sessionId} />}
      <AlertChannelsPanel />
      <ExchangeKeysPanel />
      <UsersPanel />
    </div>
  );
}

function SessionSettings(props: { id: string }) {
  const session = useSession(props.id);
  const config = session.data?.live?.config;
  const { t } = useTranslation();
  if (!session.data) return <ErrorNotice error={session.error} what={t('session.loading')} />;
  if (!config)
    return (
      <p className="text-sm text-slate-400" data-testid="settings-not-live">
        {t('session.notLive')}
      </p>
    );
  return <ConfigForm session={session.data} config={config} />;
}

function ConfigForm(props: { session: SessionDetail; config: NonNullable<SessionDetail['live']>['config'] }) {
  const { t } = useTranslation();
  const isAdmin = useIsAdmin();
  const queries = useQueryClient();
  const setup = useSessionSetup(props.config.strategy);
  const strategy = useStrategies().data?.find((s) => s.id === props.config.strategy);
  const [risk, setRisk] = useState<Partial<Record<(typeof RISK_FIELDS)[number], number>>>({});
  const [params, setParams] = useState<ParamValues>({});
  const current = props.config.risk as Record<string, unknown>;
  const defaults = setup.data?.defaults.risk as Record<string, unknown> | undefined;

  // Only what the form changed goes into the update; the session keeps the rest.
  const patch: Record<string, unknown> = {};
  const riskChanges = Object.fromEntries(Object.entries(risk).filter(([, v]) => v !== undefined && !Number.isNaN(v)));
  if (Object.keys(riskChanges).length) patch.risk = riskChanges;
  if (Object.keys(params).length) patch.strategyParams = params;
  const patchKey = JSON.stringify(patch);

  const preview = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      apiRequest<ConfigPreview>('POST', `/api/sessions/${encodeURIComponent(props.session.id)}/config/preview`, body),
  });
  const apply = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      apiRequest<unknown>('PATCH', `/api/sessions/${encodeURIComponent(props.session.id)}/config`, body),
    onSuccess: () => {
      setRisk({});
      setParams({});
      preview.reset();
      void queries.invalidateQueries({ queryKey: ['session', props.session.id] });
      void queries.invalidateQueries({ queryKey: ['config-changes', props.session.id] });
    },
  });
  // Applying needs a preview of exactly this change.
  const previewed = preview.data && preview.variables !== undefined && JSON.stringify(preview.variables) === patchKey;

  return (
    <div className="space-y-3" data-testid="settings-config">
      {!isAdmin && <ViewerReason testId="settings-viewer" />}
      <p className="flex items-center gap-3 text-sm text-slate-400">
        {t('settings.strategyIs', { strategy: props.config.strategy, mode: t(`mode.${props.config.mode}`) })}
        <WorkflowLink workflowId={`session-${props.session.id}`} testId="settings-temporal-link" />
      </p>
      <fieldset disabled={!isAdmin} className="grid gap-4 lg:grid-cols-2">
        <div className="space-y-2 rounded border border-slate-800 p-2" data-testid="settings-risk">
          <h3 className="text-xs text-slate-400">{t('newSession.riskLimits')}</h3>
          {RISK_FIELDS.map((field) => {
            const now = (current[field] ?? defaults?.[field] ?? 0) as number;
            return (
              <NumberField
                key={field}
                id={`settings-risk-${field}`}
                label={t(`riskField.${field}`)}
                defaultValue={now}
                hint={t('settings.nowIs', { value: now })}
                value={risk[field]}
                onChange={(v) => setRisk((r) => ({ ...r, [field]: v }))}
              />
            );
          })}
        </div>
        <div className="space-y-2 rounded border border-slate-800 p-2" data-testid="settings-params">
          <h3 className="text-xs text-slate-400">{t('settings.strategyParams')}</h3>
          {strategy ? (
            <ParamFields
              schema={strategy.params}
              values={{ ...props.config.strategyParams, ...params }}
              onChange={(name, value) => setParams((p) => ({ ...p, [name]: value }))}
              idPrefix="settings-param"
              strategyId={strategy.id}
            />
          ) : (
            <p className="text-sm text-slate-500">{t('app.loading')}</p>
          )}
        </div>
      </fieldset>
      <div className="flex items-center gap-3">
        <button
          type="button"
          data-testid="settings-preview"
          disabled={!isAdmin || patchKey === '{}' || preview.isPending}
          onClick={() => preview.mutate(patch)}
          className={buttonClass}
        >
          {t('settings.preview')}
        </button>
        <button
          type="button"
          data-testid="settings-apply"
          disabled={!isAdmin || !previewed || !preview.data?.changes.length || apply.isPending}
          onClick={() => apply.mutate(patch)}
          className="rounded bg-emerald-700 px-3 py-1 text-sm text-white hover:bg-emerald-600 disabled:opacity-50"
        >
          {t('settings.apply')}
        </button>
        {patchKey === '{}' && <span className="text-xs text-slate-500">{t('settings.changeSomething')}</span>}
        {apply.isSuccess && (
          <span className="text-sm text-emerald-300" data-testid="settings-applied">
            {t('settings.applied')}
          </span>
        )}
      </div>
      <ErrorNotice error={preview.error} what={t('settings.previewing')} />
      <ErrorNotice error={apply.error} what={t('settings.applying')} />
      {previewed && preview.data && <ChangesTable changes={preview.data.changes} testId="settings-changes" />}
    </div>
  );
}

const show = (v: unknown) => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

function ChangesTable(props: { changes: ConfigPreview['changes']; testId: string }) {
  const { t } = useTranslation();
  return (
    <DataTable
      rows={props.changes}
      rowKey={(c) => c.field}
      testId={props.testId}
      rowTestId="settings-change-row"
      rowAttrs={(c) => ({ 'data-field': c.field, 'data-takes-effect': c.takesEffect })}
      empty={t('settings.noChange')}
      columns={[
        { header: t('settings.colField'), cell: (c) => <span className="font-mono">{c.field}</span> },
        {
          header: t('settings.colBefore'),
          numeric: true,
          cell: (c) => <span className="font-mono">{show(c.before)}</span>,
        },
        {
          header: t('settings.colAfter'),
          numeric: true,
          cell: (c) => <span className="font-mono">{show(c.after)}</span>,
        },
        {
          header: t('settings.colTakesEffect'),
          cell: (c) => (
            <Badge tone={c.takesEffect === 'live' ? 'good' : c.takesEffect === 'newPositions' ? 'warn' : 'bad'}>
              {t(`settings.takesEffect.${c.takesEffect}`)}
            </Badge>
          ),
        },
      ]}
    />
  );
}

function ConfigHistoryPanel(props: { id: string }) {
  const { t } = useTranslation();
  const history = useQuery({
    queryKey: ['config-changes', props.id],
    queryFn: () => apiRequest<ConfigChange[]>('GET', `/api/sessions/${encodeURIComponent(props.id)}/config-changes`),
    refetchInterval: 10_000,
  });
  return (
    <Panel title={t('settings.historyTitle')} testId="settings-history">
      <ErrorNotice error={history.error} what={t('settings.loadingHistory')} />
      <DataTable
        rows={history.data}
        rowKey={(h) => h.id}
        testId="settings-history-table"
        rowTestId="settings-history-row"
        rowAttrs={(h) => ({ 'data-reason': h.reason })}
        empty={t('common.nothingYet')}
        columns={[
          { header: t('settings.colTime'), cell: (h) => formatTime(h.createdAt) },
          { header: t('settings.colWho'), cell: (h) => <b data-testid="settings-history-actor">{h.actor ?? '—'}</b> },
          { header: t('settings.colReason'), cell: (h) => t(`settings.reason.${h.reason}`, h.reason) },
          {
            header: t('settings.colChanges'),
            cell: (h) =>
              h.changes.length === 0 ? (
                <span className="text-slate-500">—</span>
              ) : (
                <ul className="font-mono text-xs" data-testid="settings-history-changes">
                  {h.changes.map((c) => (
                    <li key={c.field}>
                      {c.field}: {show(c.before)} → {show(c.after)}
                    </li>
                  ))}
                </ul>
              ),
          },
        ]}
      />
    </Panel>
  );
}

function AlertChannelsPanel() {
  const { t } = useTranslation();
  const isAdmin = useIsAdmin();
  const queries = useQueryClient();
  const channels = useQuery({
    queryKey: ['alert-channels'],
    queryFn: () => apiRequest<AlertChannel[]>('GET', '/api/alert-channels'),
  });
  const [kind, setKind] = useState<AlertChannel['kind']>('telegram');
  const [botToken, setBotToken] = useState('');
  const [chatId, setChatId] = useState('');
  const [webhookUrl, setWebhookUrl] = useState('');
  const [minSeverity, setMinSeverity] = useState<AlertChannel['minSeverity']>('warn');
  const refresh = () => void queries.invalidateQueries({ queryKey: ['alert-channels'] });
  const add = useMutation({
    mutationFn: () =>
      apiRequest<AlertChannel>('POST', '/api/alert-channels', {
        kind,
        minSeverity,
        target: kind === 'telegram' ? { botToken, chatId } : { webhookUrl },
      }),
    onSuccess: () => {
      // The form forgets the secret as soon as the server has it.
      setBotToken('');
      setWebhookUrl('');
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => apiRequest<unknown>('DELETE', `/api/alert-channels/${encodeURIComponent(id)}`),
    onSuccess: refresh,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  return (
    <Panel title={t('settings.alertsTitle')} testId="settings-alerts">
      {!isAdmin && <ViewerReason testId="settings-alerts-viewer" />}
      <ErrorNotice error={channels.error} what={t('settings.loadingAlerts')} />
      <DataTable
        rows={channels.data}
        rowKey={(c) => c.id}
        testId="settings-alerts-table"
        rowTestId="settings-alert-row"
        empty={t('settings.noAlerts')}
        columns={[
          { header: t('settings.colKind'), cell: (c) => c.kind },
          {
            header: t('settings.colTarget'),
            cell: (c) => <span className="font-mono text-xs">{JSON.stringify(c.target)}</span>,
          },
          { header: t('settings.colMinSeverity'), cell: (c) => t(`severity.${c.minSeverity}`) },
          { header: t('settings.colEnabled'), cell: (c) => (c.enabled ? t('settings.yes') : t('settings.no')) },
          {
            header: '',
            cell: (c) => (
              <button
                type="button"
                disabled={!isAdmin || remove.isPending}
                onClick={() => remove.mutate(c.id)}
                className="text-xs text-red-300 hover:underline disabled:opacity-50"
              >
                {t('settings.remove')}
              </button>
            ),
          },
        ]}
      />
      <form onSubmit={submit} className="mt-3 flex flex-wrap items-center gap-2">
        <fieldset disabled={!isAdmin} className="contents">
          <select value={kind} onChange={(e) => setKind(e.target.value as AlertChannel['kind'])} className={inputClass}>
            <option value="telegram">telegram</option>
            <option value="slack">slack</option>
            <option value="discord">discord</option>
          </select>
          {kind === 'telegram' ? (
            <>
              <input
                type="password"
                autoComplete="off"
                placeholder={t('settings.botToken')}
                value={botToken}
                onChange={(e) => setBotToken(e.target.value)}
                className={inputClass}
              />
              <input
                placeholder={t('settings.chatId')}
                value={chatId}
                onChange={(e) => setChatId(e.target.value)}
                className={inputClass}
              />
            </>
          ) : (
            <input
              type="password"
              autoComplete="off"
              placeholder={t('settings.webhookUrl')}
              value={webhookUrl}
              onChange={(e) => setWebhookUrl(e.target.value)}
              className={inputClass}
            />
          )}
          <select
            value={minSeverity}
            onChange={(e) => setMinSeverity(e.target.value as AlertChannel['minSeverity'])}
            className={inputClass}
            aria-label={t('settings.colMinSeverity')}
          >
            {(['info', 'warn', 'critical'] as const).map((s) => (
              <option key={s} value={s}>
                {t(`severity.${s}`)}
              </option>
            ))}
          </select>
          <button type="submit" disabled={add.isPending} className={buttonClass}>
            {t('settings.addChannel')}
          </button>
        </fieldset>
      </form>
      <ErrorNotice error={add.error} what={t('settings.addingChannel')} />
      <ErrorNotice error={remove.error} what={t('settings.removingChannel')} />
    </Panel>
  );
}

function UsersPanel() {
  const { t } = useTranslation();
  const isAdmin = useIsAdmin();
  const queries = useQueryClient();
  // Only an admin may list users; a viewer is told so instead of being shown a refusal.
  const users = useQuery({
    queryKey: ['users'],
    queryFn: () => apiRequest<UserView[]>('GET', '/api/users'),
    enabled: isAdmin,
  });
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<UserView['role']>('viewer');
  const refresh = () => void queries.invalidateQueries({ queryKey: ['users'] });
  const add = useMutation({
    mutationFn: () => apiRequest<UserView>('POST', '/api/users', { username, password, role }),
    onSuccess: () => {
      setUsername('');
      setPassword('');
      refresh();
    },
  });
  const change = useMutation({
    mutationFn: (v: { username: string; role: UserView['role'] }) =>
      apiRequest<UserView>('PATCH', `/api/users/${encodeURIComponent(v.username)}`, { role: v.role }),
    onSuccess: refresh,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  return (
    <Panel title={t('settings.usersTitle')} testId="settings-users">
      {!isAdmin ? (
        <p className="text-sm text-amber-200" data-testid="settings-users-viewer">
          {t('settings.usersAdminOnly')}
        </p>
      ) : (
        <>
          <ErrorNotice error={users.error} what={t('settings.loadingUsers')} />
          <DataTable
            rows={users.data}
            rowKey={(u) => u.username}
            testId="settings-users-table"
            rowTestId="settings-user-row"
            rowAttrs={(u) => ({ 'data-username': u.username, 'data-role': u.role })}
            columns={[
              { header: t('settings.colUser'), cell: (u) => <b>{u.username}</b> },
              {
                header: t('settings.colRole'),
                cell: (u) => (
                  <select
                    value={u.role}
                    disabled={change.isPending}
                    data-testid={`settings-user-role-${u.username}`}
                    onChange={(e) => change.mutate({ username: u.username, role: e.target.value as UserView['role'] })}
                    className={inputClass}
                  >
                    <option value="admin">{t('role.admin')}</option>
                    <option value="viewer">{t('role.viewer')}</option>
                  </select>
                ),
              },
              { header: t('settings.colCreated'), cell: (u) => formatTime(u.createdAt) },
            ]}
          />
          <form onSubmit={submit} className="mt-3 flex flex-wrap items-center gap-2">
            <input
              placeholder={t('settings.username')}
              data-testid="settings-new-username"
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              className={inputClass}
            />
            <input
              type="password"
              autoComplete="new-password"
              placeholder={t('settings.password')}
              data-testid="settings-new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              className={inputClass}
            />
            <select
              value={role}
              onChange={(e) => setRole(e.target.value as UserView['role'])}
              className={inputClass}
              data-testid="settings-new-role"
            >
              <option value="viewer">{t('role.viewer')}</option>
              <option value="admin">{t('role.admin')}</option>
            </select>
            <button type="submit" disabled={add.isPending} className={buttonClass} data-testid="settings-add-user">
              {t('settings.addUser')}
            </button>
          </form>
          <ErrorNotice error={add.error} what={t('settings.addingUser')} />
          <ErrorNotice error={change.error} what={t('settings.changingRole')} />
        </>
      )}
    </Panel>
  );
}
