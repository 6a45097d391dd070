import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { login } from '../api/auth';
import { LanguageToggle } from '../components/LanguageToggle';

/** Sign-in form: the API hands out a token for the user name and password. */
export function LoginPage() {
  const { t } = useTranslation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(username, password);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      onSubmit={submit}
      data-testid="login-form"
      className="mx-auto mt-24 flex max-w-sm flex-col gap-3 rounded border border-slate-800 bg-slate-900 p-6"
    >
      <div className="flex items-center justify-between gap-3">
        <h1 className="text-lg font-bold text-slate-100">{t('login.title')}</h1>
        <LanguageToggle />
      </div>
      <input
        data-testid="login-username"
        autoComplete="username"
        placeholder={t('login.username')}
        value={username}
        onChange={(e) => setUsername(e.target.value)}
        className="rounded bg-slate-800 px-3 py-2 text-slate-100"
      />
      <input
        data-testid="login-password"
        type="password"
        autoComplete="current-password"
        placeholder={t('login.password')}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        className="rounded bg-slate-800 px-3 py-2 text-slate-100"
      />
      <button
        type="submit"
        data-testid="login-submit"
        disabled={busy || !username || !password}
        className="rounded bg-sky-700 px-3 py-2 text-white disabled:opacity-50"
      >
        {t('login.submit')}
      </button>
      {error && (
        <p data-testid="login-error" className="text-sm text-red-400">
          {error}
        </p>
      )}
    </form>
  );
}
