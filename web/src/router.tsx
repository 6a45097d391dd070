// The dashboard's pages, routed by TanStack Router on the URL's hash (`#/sessions/abc`): the API serves
// index.html at `/` and never needs to know the dashboard's paths. Search values are plain strings
// (`?sessionId=0123456789` stays a string), read with URLSearchParams, so links look as they always did.
import { useQueryClient } from '@tanstack/react-query';
import {
  createHashHistory,
  createRootRoute,
  createRoute,
  createRouter,
  Link,
  Outlet,
  type RouterHistory,
  useRouterState,
} from '@tanstack/react-router';
import { lazy, Suspense, useSyncExternalStore } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { RiskEventKind, RiskEventSeverity } from '../../core/contract/events';
import { authSession, setAuthSession, subscribeAuth } from './api/auth';
import { useLiveStatus, useLiveUpdates } from './api/live';
import { type RiskEventFilter, useHealth } from './api/queries';
import { LanguageToggle } from './components/LanguageToggle';
import { Badge } from './components/StatusBadge';
import { EventsPage, KINDS, SEVERITIES } from './pages/EventsPage';
import { NewSessionPage } from './pages/NewSessionPage';
import { OrdersPage } from './pages/OrdersPage';
import { OverviewPage } from './pages/OverviewPage';
import { PositionsPage } from './pages/PositionsPage';
import { SessionPage } from './pages/SessionPage';
import { SettingsPage } from './pages/SettingsPage';

// The chart pages carry ECharts; load them only when opened.
const ChartPage = lazy(() => import('./pages/ChartPage').then((m) => ({ default: m.ChartPage })));
const StrategyPage = lazy(() => import('./pages/StrategyPage').then((m) => ({ default: m.StrategyPage })));
const BacktestsPage = lazy(() => import('./pages/BacktestsPage').then((m) => ({ default: m.BacktestsPage })));

/** An optional search value: absent or empty is undefined, anything else its text. */
const text = (value: unknown): string | undefined =>
  value === undefined || value === null || value === '' ? undefined : String(value);

const rootRoute = createRootRoute({ component: Console, notFoundComponent: NotFound });

const overviewRoute = createRoute({ getParentRoute: () => rootRoute, path: '/', component: OverviewPage });

const newSessionRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/sessions/new',
  component: NewSessionPage,
});

const sessionRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/sessions/$id',
  component: function SessionRoute() {
    const { id } = sessionRoute.useParams();
    return <SessionPage key={id} id={id} />;
  },
});

const ordersRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/orders',
  validateSearch: (search: Record<string, unknown>): { sessionId?: string } => ({
    sessionId: text(search.sessionId),
  }),
  component: function OrdersRoute() {
    return <OrdersPage sessionId={ordersRoute.useSearch().sessionId} />;
  },
});

const positionsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/positions',
  validateSearch: (search: Record<string, unknown>): { sessionId?: string } => ({
    sessionId: text(search.sessionId),
  }),
  component: function PositionsRoute() {
    return <PositionsPage sessionId={positionsRoute.useSearch().sessionId} />;
  },
});

const settingsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/settings',
  validateSearch: (search: Record<string, unknown>): { sessionId?: string } => ({
    sessionId: text(search.sessionId),
  }),
  component: function SettingsRoute() {
    return <SettingsPage sessionId={settingsRoute.useSearch().sessionId} />;
  },
});

const strategyRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/strategy',
  validateSearch: (search: Record<string, unknown>): { sessionId?: string; market?: string } => ({
    sessionId: text(search.sessionId),
    market: text(search.market),
  }),
  component: function StrategyRoute() {
    const search = strategyRoute.useSearch();
    return <StrategyPage sessionId={search.sessionId} market={search.market} />;
  },
});

const chartRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/chart',
  validateSearch: (search: Record<string, unknown>): { market?: string; timeframe?: string; sessionId?: string } => ({
    market: text(search.market),
    timeframe: text(search.timeframe),
    sessionId: text(search.sessionId),
  }),
  component: function ChartRoute() {
    const search = chartRoute.useSearch();
    return <ChartPage market={search.market} timeframe={search.timeframe} sessionId={search.sessionId} />;
  },
});

const eventsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/events',
  // Unknown filter values are dropped rather than sent to the API to refuse.
  validateSearch: (search: Record<string, unknown>): RiskEventFilter => {
    const severity = text(search.severity);
    const kind = text(search.kind);
    return {
      sessionId: text(search.sessionId),
      severity: SEVERITIES.find((s) => s === severity) as RiskEventSeverity | undefined,
      kind: KINDS.find((k) => k === kind) as RiskEventKind | undefined,
    };
  },
  component: function EventsRoute() {
    return <EventsPage {...eventsRoute.useSearch()} />;
  },
});

const backtestsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/backtests',
  component: function BacktestsRoute() {
    return <BacktestsPage />;
  },
});

const backtestRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/backtests/$id',
  component: function BacktestRoute() {
    return <BacktestsPage id={backtestRoute.useParams().id} />;
  },
});

export const routeTree = rootRoute.addChildren([
  overviewRoute,
  newSessionRoute,
  sessionRoute,
  ordersRoute,
  positionsRoute,
  settingsRoute,
  strategyRoute,
  chartRoute,
  eventsRoute,
  backtestsRoute,
  backtestRoute,
]);

export function createAppRouter(history: RouterHistory = createHashHistory()) {
  return createRouter({
    routeTree,
    history,
    parseSearch: (search) => Object.fromEntries(new URLSearchParams(search)),
    stringifySearch: (search) => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(search))
        if (value !== undefined && value !== '') params.set(key, String(value));
      const qs = params.toString();
      return qs ? `?${qs}` : '';
    },
  });
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}

const NAV = [
  { id: 'overview', to: '/' },
  { id: 'newSession', to: '/sessions/new' },
  { id: 'positions', to: '/positions' },
  { id: 'orders', to: '/orders' },
  { id: 'strategy', to: '/strategy' },
  { id: 'chart', to: '/chart' },
  { id: 'events', to: '/events' },
  { id: 'backtests', to: '/backtests' },
  { id: 'settings', to: '/settings' },
] as const;

/** The page frame: navigation, mode, user, language, sign out; the page below. */
function Console() {
  const { t } = useTranslation();
  const session = useSyncExternalStore(subscribeAuth, authSession);
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const mode = useHealth().data?.mode;
  const queries = useQueryClient();
  useLiveUpdates();
  return (
    <div className="min-h-screen">
      <nav className="sticky top-0 z-10 flex items-center gap-1 border-b border-slate-800 bg-slate-950/95 px-4 py-2 backdrop-blur">
        <span className="mr-4 font-bold text-slate-100">{t('app.name')}</span>
        {NAV.map((item) => {
          // A session's page belongs to the overview; the new-session form has its own entry.
          const active =
            item.to === '/'
              ? pathname === '/' || (pathname.startsWith('/sessions/') && pathname !== '/sessions/new')
              : pathname.startsWith(item.to);
          return (
            <Link
              key={item.id}
              to={item.to}
              data-testid={`nav-${item.id}`}
              aria-current={active ? 'page' : undefined}
              className={`rounded px-3 py-1 text-sm ${active ? 'bg-slate-800 text-white' : 'text-slate-400 hover:text-slate-200'}`}
            >
              {t(`nav.${item.id}`)}
            </Link>
          );
        })}
        <span className="ml-auto flex items-center gap-3">
          <LiveIndicator />
          {mode && (
            <Badge tone={mode === 'live' ? 'bad' : 'idle'} testId="nav-mode" value={mode}>
              {mode === 'live' ? t('app.liveBadge') : t(`mode.${mode}`)}
            </Badge>
          )}
          {session && (
            <span className="text-sm text-slate-400" data-testid="nav-user">
              {session.username} ({t(`role.${session.role}`)})
            </span>
          )}
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
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}

/** Whether the live-update stream is open. */
function LiveIndicator() {
  const { t } = useTranslation();
  const status = useLiveStatus();
  return (
    <Badge
      tone={status === 'live' ? 'good' : 'warn'}
      testId="live-status"
      value={status}
      title={status === 'live' ? t('live.liveTitle') : t('live.reconnectingTitle')}
    >
      <span aria-hidden className={`h-2 w-2 rounded-full ${status === 'live' ? 'bg-emerald-400' : 'bg-amber-400'}`} />
      {t(`live.${status}`)}
    </Badge>
  );
}

function NotFound() {
  const { t } = useTranslation();
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  return (
    <p data-testid="not-found">
      <Trans i18nKey="app.notFound" values={{ path: pathname }} components={{ code: <code /> }} />{' '}
      <Link to="/">{t('app.backToOverview')}</Link>
    </p>
  );
}
