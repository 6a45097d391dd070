import { useTranslation } from 'react-i18next';
import { useTemporalUrl } from '../api/queries';

/** A link to a workflow (session, position, order, backtest) in the Temporal Web UI, in a new tab. */
export function WorkflowLink(props: { workflowId: string; testId?: string }) {
  const { t } = useTranslation();
  const url = useTemporalUrl();
  return (
    <a
      href={url(props.workflowId)}
      target="_blank"
      rel="noreferrer"
      title={props.workflowId}
      data-testid={props.testId ?? 'temporal-link'}
      className="text-xs text-sky-400 hover:underline"
    >
      {t('common.temporalLink')}
    </a>
  );
}
