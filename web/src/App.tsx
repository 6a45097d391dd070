import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useSyncExternalStore } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { authSession, setAuthSession, subscribeAuth } from './api/auth';
import { useHealth } from './api/queries';
import { LanguageToggle } from './components/LanguageToggle';
import { Badge } from './components/StatusBadge';
import { LoginPage } from './pages/LoginPage';
import { OrdersPage } from './pages/OrdersPage';
import { OverviewPage } from './pages/OverviewPage';
import { SessionPage } from './pages/SessionPage';
import { type Route, routeHref, useRoute } from './routing';

// The chart pages carry ECharts; load them only when opened.
const ChartPage = lazy(() => import('./pages/ChartPage').then((m) => ({ default: m.ChartPage })));
const BacktestsPage = lazy(() => import('./pages/BacktestsPage').then((m) => ({ default: m.BacktestsPage })));

const NAV: { id: 'overview' | 'orders' | 'chart' | 'backtests'; route: Route; matches: Route['page'][] }[] = [
  { id: 'overview', route: { page: 'overview' }, matches: ['overview', 'session'] },
  { id: 'orders', route: { page: 'orders' }, matches: ['orders'] },
  { id: 'chart', route: { page: 'chart' }, matches: ['chart'] },
  { id: 'backtests', route: { page: 'backtests' }, matches: ['backtests'] },
];

export function App() {
  const session = useSyncExternalStore(subscribeAuth, authSession);
  return session ? <Console username={session.username} role={session.role} /> : <LoginPage />;
}

function Console(props: { username: string; role: 'admin' | 'viewer' }) {
  const { t } = useTranslation();
  const route = useRoute();
  const mode = useHealth().data?.mode;
  const queries = useQueryClient();
  return (
    <div className="min-h-screen">
      <nav className="sticky top-0 z-10 flex items-center gap-1 border-b border-slate-800 bg-slate-950/95 px-4 py-2 backdrop-blur">
        <span className="mr-4 font-bold text-slate-100">{t('app.name')}</span>
        {NAV.map((item) => {
          const active = item.matches.includes(route.page);
          return (
            <a
              key={item.id}
              href={routeHref(item.route)}
              data-testid={`nav-${item.id}`}
              aria-current={active ? 'page' : undefined}
              className={`rounded px-3 py-1 text-sm ${active ? 'bg-slate-800 text-white' : 'text-slate-400 hover:text-slate-200'}`}
            >
              {t(`nav.${item.id}`)}
            </a>
          );
        })}
        <span className="ml-auto flex items-center gap-3">
          {mode && (
            <Badge tone={mode === 'live' ? 'bad' : 'idle'} testId="nav-mode">
              {mode === 'live' ? t('app.liveBadge') : t(`mode.${mode}`)}
            </Badge>
          )}
          <span className="text-sm text-slate-400" data-testid="nav-user">
            {props.username} ({t(`role.${props.role}`)})
          </span>
          <LanguageToggle />
          <button
            type="button"
            data-testid="sign-out"
            className="text-sm text-slate-400 hover:text-slate-200"
            onClick={() => {
              setAuthSession(null);
              queries.clear();
            }}
          >
            {t('app.signOut')}
          </button>
        </span>
      </nav>
      <main className="mx-auto max-w-[110rem] p-4">
        <Suspense fallback={<p className="text-sm text-slate-500">{t('app.loading')}</p>}>
          <Page route={route} />
        </Suspense>
      </main>
    </div>
  );
}

function Page(props: { route: Route }) {
  const r = props.route;
  switch (r.page) {
    case 'overview':
      return <OverviewPage />;
    case 'session':
      return <SessionPage key={r.id} id={r.id} />;
    case 'orders':
      return <OrdersPage sessionId={r.sessionId} />;
    case 'chart':
      return <ChartPage market={r.market} timeframe={r.timeframe} sessionId={r.sessionId} />;
    case 'backtests':
      return <BacktestsPage id={r.id} />;
    case 'not-found':
      return <NotFound path={r.path} />;
  }
}

function NotFound(props: { path: string }) {
  const { t } = useTranslation();
  return (
    <p data-testid="not-found">
      <Trans i18nKey="app.notFound" values={{ path: props.path }} components={{ code: <code /> }} />{' '}
      <a href="#/">{t('app.backToOverview')}</a>
    </p>
  );
}
