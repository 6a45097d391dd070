import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';

/** Shows why an API call failed: status, the server's error code and message. Renders nothing without an error. */
export function ErrorNotice(props: { error: unknown; what?: string }) {
  const { t } = useTranslation();
  const { error, what } = props;
  if (!error) return null;
  const detail =
    error instanceof ApiError
      ? `${error.status === 0 ? t('common.noResponse') : `HTTP ${error.status}`} ${error.code}: ${error.message}`
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <div
      role="alert"
      data-testid="api-error"
      className="rounded border border-red-800 bg-red-950/60 px-3 py-2 text-sm text-red-200"
    >
      {what && <span className="font-semibold">{t('common.failed', { what })}</span>}
      <span className="font-mono">{detail}</span>
    </div>
  );
}
