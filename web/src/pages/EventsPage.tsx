// Risk events as a timeline, newest first, filtered by severity, kind and session. The live stream
// refreshes it as events are recorded.
import { Link, useNavigate } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import type { RiskEventKind, RiskEventSeverity } from '../../../core/contract/events';
import { type RiskEventFilter, useRiskEvents, useSessions } from '../api/queries';
import { DataTable } from '../components/DataTable';
import { ErrorNotice } from '../components/ErrorNotice';
import { Panel } from '../components/Panel';
import { Badge, type Tone } from '../components/StatusBadge';
import { formatTime } from '../format';
import { en } from '../i18n/en';

export const SEVERITIES: RiskEventSeverity[] = ['info', 'warn', 'critical'];
const severityTone: Record<RiskEventSeverity, Tone> = { info: 'idle', warn: 'warn', critical: 'bad' };

// The kinds the contract names (core/contract/events.ts), each with a label: the type checks that
// none is missing and none is extra.
export const KINDS = Object.keys(en.eventKind) as RiskEventKind[];
const everyKindLabelled: Record<RiskEventKind, string> = en.eventKind;
const noExtraKind: [Exclude<keyof typeof en.eventKind, RiskEventKind>] extends [never] ? true : never = true;
void everyKindLabelled;
void noExtraKind;

export function EventsPage(props: RiskEventFilter) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const events = useRiskEvents(props);
  const sessions = useSessions();
  const filter = (change: Partial<RiskEventFilter>) =>
    void navigate({ to: '/events', search: { ...props, ...change } });
  const select = 'rounded border border-slate-700 bg-slate-950 px-2 py-1';
  return (
    <Panel
      title={t('events.title')}
      testId="events-panel"
      actions={
        <>
          <label className="flex items-center gap-2 text-sm">
            {t('events.severity')}
            <select
              data-testid="events-severity"
              value={props.severity ?? ''}
              onChange={(e) => filter({ severity: (e.target.value || undefined) as RiskEventSeverity | undefined })}
              className={select}
            >
              <option value="">{t('events.allSeverities')}</option>
              {SEVERITIES.map((s) => (
                <option key={s} value={s}>
                  {t(`severity.${s}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="flex items-center gap-2 text-sm">
            {t('events.kind')}
            <select
              data-testid="events-kind"
              value={props.kind ?? ''}
              onChange={(e) => filter({ kind: (e.target.value || undefined) as RiskEventKind | undefined })}
              className={select}
            >
              <option value="">{t('events.allKinds')}</option>
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`eventKind.${k}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="flex items-center gap-2 text-sm">
            {t('events.session')}
            <select
              data-testid="events-session"
              value={props.sessionId ?? ''}
              onChange={(e) => filter({ sessionId: e.target.value || undefined })}
              className={select}
            >
              <option value="">{t('events.allSessions')}</option>
              {sessions.data?.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name} ({s.id})
                </option>
              ))}
            </select>
          </label>
        </>
      }
    >
      <ErrorNotice error={events.error} what={t('events.loading')} />
      <DataTable
        rows={events.data}
        rowKey={(e) => e.id}
        testId="events-table"
        rowTestId="event-row"
        rowAttrs={(e) => ({ 'data-event-id': e.id })}
        empty={t('events.none')}
        columns={[
          {
            header: t('events.colTime'),
            cell: (e) => <span className="whitespace-nowrap">{formatTime(e.createdAt)}</span>,
          },
          {
            header: t('events.colSeverity'),
            cell: (e) => (
              <Badge tone={severityTone[e.severity] ?? 'idle'} value={e.severity}>
                {t(`severity.${e.severity}`, { defaultValue: e.severity })}
              </Badge>
            ),
          },
          {
            header: t('events.colKind'),
            cell: (e) => (
              <span title={e.kind} data-value={e.kind}>
                {t(`eventKind.${e.kind}`, { defaultValue: e.kind })}
              </span>
            ),
          },
          {
            header: t('events.colSession'),
            cell: (e) =>
              e.sessionId ? (
                <Link to="/sessions/$id" params={{ id: e.sessionId }} className="font-mono text-xs text-sky-400">
                  {e.sessionId}
                </Link>
              ) : (
                <span className="text-slate-500">{t('events.noSession')}</span>
              ),
          },
          { header: t('events.colMessage'), cell: (e) => <span data-testid="event-message">{e.message}</span> },
        ]}
      />
    </Panel>
  );
}
