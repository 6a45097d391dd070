import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { apiRequest } from '../api/client';
import { formatTime } from '../format';
import { ErrorNotice } from './ErrorNotice';
import { Panel } from './Panel';

interface AuditEvent {
  id: string;
  actor: string;
  action: string;
  target: string | null;
  createdAt: string;
}

/** Who changed what and when: session starts and stops, configs, keys, users. */
export function AuditPanel() {
  const { t } = useTranslation();
  const audit = useQuery({
    queryKey: ['audit'],
    queryFn: () => apiRequest<AuditEvent[]>('GET', '/api/audit?limit=20'),
    refetchInterval: 5000,
  });
  return (
    <Panel title={t('audit.title')} testId="audit-panel">
      {audit.error && <ErrorNotice error={audit.error} />}
      <ul className="space-y-1 text-sm text-slate-300">
        {(audit.data ?? []).map((e) => (
          <li key={e.id} data-testid="audit-row">
            <span className="text-slate-500">{formatTime(e.createdAt)}</span> {e.actor} {e.action}
            {e.target ? ` ${e.target}` : ''}
          </li>
        ))}
      </ul>
    </Panel>
  );
}
