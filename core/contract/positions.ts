// What crosses the boundary of a Position workflow: its input, its status and the close it reports to its session.
import type { Timeframe } from '../market/timeframes';
import type { ExitConfig } from '../risk/types';
import type { SessionConfig, TradingMode } from '../session/config';
import type { ExchangeOrderView } from './orders';

export interface PositionRequest {
  sessionId: string;
  sessionWorkflowId: string;
  positionId: string;
  mode: TradingMode;
  market: string;
  entryPrice: string;
  entryVolume: string;
  atr: number | null;
  entryReasons: string[];
  /** Exit settings and order settings, fixed at entry. */
  exit: ExitConfig;
  order: SessionConfig['order'];
  marketMinTotal: string;
  /** The strategy's entry timeframe: the guard shows the exit plan each closed bar of it (blow-off, ATR). */
  entryTimeframe?: Timeframe;
  /**
   * Coins already on the account that no position held (a reconciliation orphan): the position takes
   * them over at their average buy price instead of buying; `entryPrice`/`entryVolume` are ignored.
   */
  adopt?: { volume: string; avgBuyPrice: string };
  /**
   * The entry's first order (`ord-<position>-1-s1`) as the exchange took it, when the session placed it (with the
   * entering row) before starting the position; the position then follows it instead of submitting it. Absent,
   * the position places its entry itself.
   */
  entryPlaced?: ExchangeOrderView;
}

export type PositionPhase = 'entering' | 'open' | 'exiting' | 'closed';

export interface PositionStatus {
  positionId: string;
  market: string;
  phase: PositionPhase;
  volume: string;
  remainingVolume: string;
  entryPrice: string | null;
  realizedPnl: string;
  fees: string;
  exitPlan: unknown;
  exitReason: string | null;
}

export interface PositionClosed {
  positionId: string;
  market: string;
  realizedPnl: string;
  fees: string;
  entryFunds: string;
  exitReason: string;
  closedTs: number;
}
