import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { authSession } from '../api/auth';
import { apiRequest } from '../api/client';
import { formatTime } from '../format';
import { ErrorNotice } from './ErrorNotice';
import { Panel } from './Panel';

interface StoredKey {
  label: string;
  accessKeyLast4: string;
  fingerprint: string;
  storedAt: string;
}

/** The vault's Upbit key: what is stored (last 4 and fingerprint only), and, for an admin, a form to store or rotate it. */
export function ExchangeKeysPanel() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const keys = useQuery({
    queryKey: ['exchange-keys'],
    queryFn: () => apiRequest<StoredKey[]>('GET', '/api/exchange-keys'),
  });
  const [accessKey, setAccessKey] = useState('');
  const [secretKey, setSecretKey] = useState('');
  const store = useMutation({
    mutationFn: () => apiRequest<StoredKey>('PUT', '/api/exchange-keys/live', { accessKey, secretKey }),
    onSuccess: () => {
      // The form forgets the key as soon as the server has it.
      setAccessKey('');
      setSecretKey('');
      void queries.invalidateQueries({ queryKey: ['exchange-keys'] });
    },
  });
  const isAdmin = authSession()?.role === 'admin';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    store.mutate();
  };
  const live = keys.data?.find((k) => k.label === 'live');

  return (
    <Panel title={t('keys.title')} testId="keys-panel">
      <p className="mb-3 text-sm text-slate-300" data-testid="keys-stored">
        {live
          ? t('keys.stored', {
              last4: live.accessKeyLast4,
              fingerprint: live.fingerprint,
              time: formatTime(live.storedAt),
            })
          : t('keys.none')}
      </p>
      {isAdmin && (
        <form onSubmit={submit} className="flex flex-wrap gap-2">
          <input
            type="password"
            autoComplete="off"
            placeholder={t('keys.access')}
            data-testid="keys-access"
            value={accessKey}
            onChange={(e) => setAccessKey(e.target.value)}
            className="rounded bg-slate-800 px-3 py-1 text-sm text-slate-100"
          />
          <input
            type="password"
            autoComplete="off"
            placeholder={t('keys.secret')}
            data-testid="keys-secret"
            value={secretKey}
            onChange={(e) => setSecretKey(e.target.value)}
            className="rounded bg-slate-800 px-3 py-1 text-sm text-slate-100"
          />
          <button
            type="submit"
            data-testid="keys-store"
            disabled={!accessKey || !secretKey || store.isPending}
            className="rounded bg-sky-700 px-3 py-1 text-sm text-white disabled:opacity-50"
          >
            {live ? t('keys.rotate') : t('keys.store')}
          </button>
        </form>
      )}
      {store.error && <ErrorNotice error={store.error} />}
    </Panel>
  );
}
