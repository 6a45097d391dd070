import { useQuery } from '@tanstack/react-query';
import type { RiskEventKind, RiskEventSeverity } from '../../../core/contract/events';
import type { SeriesCoverage } from '../backtest-defaults';
import { apiPath, apiRequest } from './client';
import { isLive } from './live';
import type {
  AccountBalance,
  BacktestCandles,
  BacktestRun,
  Candle,
  Decision,
  FillWithDecision,
  Health,
  Holding,
  MarketInfo,
  OrderView,
  Overview,
  PositionView,
  RetuneProposal,
  RiskEvent,
  Session,
  SessionDetail,
  SessionSetup,
  StrategyInfo,
  Timeframe,
  Universe,
} from './types';

// Refetch intervals: live trading state every 2 s, slower-moving lists every 3-5 s,
// reference data (markets, strategies) once per minute.
const LIVE_MS = 2000;
const LIST_MS = 3000;
const SLOW_MS = 5000;
const REFERENCE_MS = 60_000;
/** What the live stream covers polls this seldom while it is open, as a safety net only. */
const SAFETY_MS = 30_000;
const unlessLive = (ms: number) => () => (isLive() ? SAFETY_MS : ms);

const get = <T>(path: string) => apiRequest<T>('GET', path);

export const useHealth = () =>
  useQuery({ queryKey: ['health'], queryFn: () => get<Health>('/api/health'), refetchInterval: SLOW_MS });

export const useSessions = () =>
  useQuery({
    queryKey: ['sessions'],
    queryFn: () => get<Session[]>('/api/sessions'),
    refetchInterval: unlessLive(LIST_MS),
  });

export const useSession = (id: string) =>
  useQuery({
    queryKey: ['session', id],
    queryFn: () => get<SessionDetail>(`/api/sessions/${encodeURIComponent(id)}`),
    refetchInterval: LIVE_MS,
  });

export const usePositions = (sessionId?: string, status?: 'open' | 'closed') =>
  useQuery({
    queryKey: ['positions', sessionId, status],
    queryFn: () => get<PositionView[]>(apiPath('/api/positions', { sessionId, status })),
    refetchInterval: unlessLive(LIST_MS),
  });

export const useOrders = (sessionId?: string, limit = 100) =>
  useQuery({
    queryKey: ['orders', sessionId, limit],
    queryFn: () => get<OrderView[]>(apiPath('/api/orders', { sessionId, limit })),
    refetchInterval: unlessLive(LIST_MS),
  });

export const useAccounts = () =>
  useQuery({ queryKey: ['accounts'], queryFn: () => get<AccountBalance[]>('/api/accounts'), refetchInterval: SLOW_MS });

/** The account's figures as last recorded (every minute), the equity curve of the last `hours`, the loss headroom. */
export const useOverview = (hours = 24) =>
  useQuery({
    queryKey: ['overview', hours],
    queryFn: () => get<Overview>(apiPath('/api/overview', { hours })),
    refetchInterval: 15_000,
  });

export const useHoldings = (sessionId?: string) =>
  useQuery({
    queryKey: ['holdings', sessionId],
    queryFn: () => get<Holding[]>(apiPath('/api/holdings', { sessionId })),
    // Current prices move without events: refreshed every few seconds even while the stream is open.
    refetchInterval: LIST_MS,
  });

export const useFills = (sessionId?: string, limit = 100) =>
  useQuery({
    queryKey: ['fills', sessionId, limit],
    queryFn: () => get<FillWithDecision[]>(apiPath('/api/fills', { sessionId, limit })),
    refetchInterval: unlessLive(LIST_MS),
  });

export const useDecisions = (sessionId?: string, limit = 50) =>
  useQuery({
    queryKey: ['decisions', sessionId, limit],
    queryFn: () => get<Decision[]>(apiPath('/api/decisions', { sessionId, limit })),
    refetchInterval: LIST_MS,
  });

export interface RiskEventFilter {
  sessionId?: string;
  severity?: RiskEventSeverity;
  kind?: RiskEventKind;
}

export const useRiskEvents = (filter: RiskEventFilter = {}) =>
  useQuery({
    queryKey: ['risk-events', filter.sessionId, filter.severity, filter.kind],
    queryFn: () => get<RiskEvent[]>(apiPath('/api/risk-events', { ...filter })),
    refetchInterval: unlessLive(SLOW_MS),
  });

export const useMarkets = () =>
  useQuery({ queryKey: ['markets'], queryFn: () => get<MarketInfo[]>('/api/markets'), refetchInterval: REFERENCE_MS });

export const useCandles = (market: string, timeframe: Timeframe, count = 200) =>
  useQuery({
    queryKey: ['candles', market, timeframe, count],
    queryFn: () => get<Candle[]>(apiPath('/api/candles', { market, timeframe, count })),
    refetchInterval: SLOW_MS,
    enabled: market !== '',
  });

export const useRetuneProposals = (sessionId: string) =>
  useQuery({
    queryKey: ['retune-proposals', sessionId],
    queryFn: () => get<RetuneProposal[]>(`/api/sessions/${encodeURIComponent(sessionId)}/retune-proposals`),
    refetchInterval: SLOW_MS,
  });

export const useCandleCoverage = () =>
  useQuery({
    queryKey: ['candle-coverage'],
    queryFn: () => get<SeriesCoverage[]>('/api/candles/coverage'),
    refetchInterval: REFERENCE_MS,
  });

export const useStrategies = () =>
  useQuery({
    queryKey: ['strategies'],
    queryFn: () => get<StrategyInfo[]>('/api/strategies'),
    refetchInterval: REFERENCE_MS,
  });

export const useBacktests = () =>
  useQuery({ queryKey: ['backtests'], queryFn: () => get<BacktestRun[]>('/api/backtests'), refetchInterval: LIST_MS });

/** Polls a run every 2 s while it is running, then stops. */
export const useBacktestCandles = (id: string, market: string | undefined) =>
  useQuery({
    queryKey: ['backtest-candles', id, market],
    enabled: !!market,
    queryFn: () =>
      get<BacktestCandles>(apiPath(`/api/backtests/${encodeURIComponent(id)}/candles`, { market: market ?? '' })),
    staleTime: Number.POSITIVE_INFINITY,
  });

export const useBacktest = (id: string) =>
  useQuery({
    queryKey: ['backtest', id],
    queryFn: () => get<BacktestRun>(`/api/backtests/${encodeURIComponent(id)}`),
    refetchInterval: (query) => (query.state.data?.status === 'running' || !query.state.data ? LIVE_MS : false),
  });

const DEFAULT_TEMPORAL_UI = 'http://127.0.0.1:8233';

/** Links to workflows in the Temporal Web UI (base from /api/health when it says), by workflow id. */
export function useTemporalUrl(): (workflowId: string) => string {
  const base = (useHealth().data?.temporalUi ?? DEFAULT_TEMPORAL_UI).replace(/\/+$/, '');
  return (workflowId) => `${base}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`;
}

/** Link to a session's workflow in the Temporal Web UI. */
export function useTemporalWorkflowUrl(sessionId: string): string {
  return useTemporalUrl()(`session-${sessionId}`);
}

export const useSessionSetup = (strategy: string | undefined) =>
  useQuery({
    queryKey: ['session-setup', strategy],
    queryFn: () => get<SessionSetup>(apiPath('/api/session-setup', { strategy })),
    enabled: strategy !== undefined,
  });

/** The newest screened universe; an error (404) when none has been screened yet. */
export const useUniverse = () =>
  useQuery({
    queryKey: ['universe'],
    queryFn: () => get<Universe>('/api/universe'),
    refetchInterval: REFERENCE_MS,
    retry: false,
  });
