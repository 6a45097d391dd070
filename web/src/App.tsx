import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useSyncExternalStore } from 'react';
import { authSession, setAuthSession, subscribeAuth } from './api/auth';
import { useHealth } from './api/queries';
import { Badge } from './components/StatusBadge';
import { LoginPage } from './pages/LoginPage';
import { OrdersPage } from './pages/OrdersPage';
import { OverviewPage } from './pages/OverviewPage';
import { SessionPage } from './pages/SessionPage';
import { type Route, routeHref, useRoute } from './routing';

// The chart pages carry ECharts; load them only when opened.
const ChartPage = lazy(() => import('./pages/ChartPage').then((m) => ({ default: m.ChartPage })));
const BacktestsPage = lazy(() => import('./pages/BacktestsPage').then((m) => ({ default: m.BacktestsPage })));

const NAV: { label: string; route: Route; matches: Route['page'][] }[] = [
  { label: 'Overview', route: { page: 'overview' }, matches: ['overview', 'session'] },
  { label: 'Orders', route: { page: 'orders' }, matches: ['orders'] },
  { label: 'Chart', route: { page: 'chart' }, matches: ['chart'] },
  { label: 'Backtests', route: { page: 'backtests' }, matches: ['backtests'] },
];

export function App() {
  const session = useSyncExternalStore(subscribeAuth, authSession);
  return session ? <Console username={session.username} role={session.role} /> : <LoginPage />;
}

function Console(props: { username: string; role: string }) {
  const route = useRoute();
  const mode = useHealth().data?.mode;
  const queries = useQueryClient();
  return (
    <div className="min-h-screen">
      <nav className="sticky top-0 z-10 flex items-center gap-1 border-b border-slate-800 bg-slate-950/95 px-4 py-2 backdrop-blur">
        <span className="mr-4 font-bold text-slate-100">upbit-trader</span>
        {NAV.map((item) => {
          const active = item.matches.includes(route.page);
          return (
            <a
              key={item.label}
              href={routeHref(item.route)}
              data-testid={`nav-${item.label.toLowerCase()}`}
              aria-current={active ? 'page' : undefined}
              className={`rounded px-3 py-1 text-sm ${active ? 'bg-slate-800 text-white' : 'text-slate-400 hover:text-slate-200'}`}
            >
              {item.label}
            </a>
          );
        })}
        <span className="ml-auto flex items-center gap-3">
          {mode && (
            <Badge tone={mode === 'live' ? 'bad' : 'idle'} testId="nav-mode">
              {mode === 'live' ? 'LIVE — real orders' : mode}
            </Badge>
          )}
          <span className="text-sm text-slate-400" data-testid="nav-user">
            {props.username} ({props.role})
          </span>
          <button
            type="button"
            data-testid="sign-out"
            className="text-sm text-slate-400 hover:text-slate-200"
            onClick={() => {
              setAuthSession(null);
              queries.clear();
            }}
          >
            Sign out
          </button>
        </span>
      </nav>
      <main className="mx-auto max-w-[110rem] p-4">
        <Suspense fallback={<p className="text-sm text-slate-500">Loading…</p>}>
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
      return (
        <p data-testid="not-found">
          No page at <code>{r.path}</code>. <a href="#/">Back to the overview</a>.
        </p>
      );
  }
}
