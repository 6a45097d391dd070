// The one entry decision live sessions and the backtester both run. Given what an evaluation gathered
// (the strategy's entry candidates, their correlations, the account) it orders the candidates, applies
// the once-per-bar rule and the risk engine (`checkEntry`, then `sizeEntry`), and books each entry in the
// risk state (`onFill`) so the next candidate of the same batch sees it. Pure: no I/O, time comes in.
//
// Where the two pipelines used to differ, this is what holds now, and why:
// - Order: highest score first, ties by market name. The strongest signals get the capital first, and
//   the order never depends on how a caller happened to list the markets (the universe order live).
// - Correlation cap: `correlate` below, fed by FeatureEngine.correlation: log returns of 60-minute bars
//   matched by open time, over 48 bars (the engine's `corrBtc` statistic), not the entry timeframe. The cap
//   guards against holding positions that move together over their holding period (hours to days); on
//   1- or 15-minute returns over 50 bars the estimate covers less than a day of noise, and it changed
//   with the strategy. One timeframe for every strategy also makes the cap mean one thing.
// - Exposure: what the account holds at market value (the live account valuation) plus KRW committed to
//   open bids, fee included; each entry of a batch adds the KRW its bid locks. Per-coin exposure: what the
//   account already holds in that coin (in a backtest, only its own positions).
// - Risk state: an entry counts (open positions, entries per coin per day) from the moment it is decided,
//   not when it fills: the session knows nothing sooner, and an order resting unfilled still uses a slot.
//   A caller removes it with `onPositionClosed` when the order ends with nothing bought.
// - Each market decides once per bar of the entry timeframe: a bar judged before (while the market was
//   held, or an entry was blocked) gives no entry later.
import Decimal from 'decimal.js';
import { checkEntry, onEquity, onFill } from '../risk/limits';
import { sizeEntry } from '../risk/sizing';
import type { EquityEstimate, RiskConfig, RiskState, SizeBound } from '../risk/types';

/** One market whose strategy asked for an entry, with what the risk engine needs to judge and size it. */
export interface EntryEvaluation {
  market: string;
  score: number;
  reasons: string[];
  /** Price the entry is sized at (live: the bid grid price the order rests at; backtest: the last price). */
  entryPrice: string;
  /** Open time of the entry-timeframe bar the strategy judged (the newest closed one). */
  barTs?: number;
  atr: number | null;
  /** Return correlation with every held market and every other candidate (see `withCorrelations`). */
  correlations: Record<string, number>;
  /** The market's minimum order total (Upbit's and the bot's, whichever is higher), KRW. */
  minTotal: string;
  feeRate: string;
}

export interface EntryEvaluations {
  candidates: EntryEvaluation[];
  /** Per market evaluated (candidate or not): open time of the entry-timeframe bar it was judged on. */
  bars: Record<string, number>;
}

/** The account as the exchange shows it; KRW as decimal strings. equity = free + exposure. */
export interface AccountView {
  equityKrw: string;
  /** KRW not locked in orders. */
  freeKrw: string;
  /** Coins at market value plus KRW locked in open bids. */
  exposureKrw: string;
  /** Per market: the coin held, at market value. */
  coinExposureKrw: Record<string, string>;
  /** The equity as an estimate with a bound (the backtester's held accounts), read by onEquity before equityKrw. */
  equityEstimate?: EquityEstimate;
}

/** What the decision carries from one evaluation to the next (plain JSON: it lives in workflow state). */
export interface DecisionState {
  risk: RiskState;
  /** Per market: open time of the newest entry-timeframe bar judged. */
  judgedBars: Record<string, number>;
  /** Per market: positions opened so far; the next entry is number n + 1. */
  positionSeq: Record<string, number>;
}

export interface DecisionConfig {
  risk: RiskConfig;
  /** The id of the n-th position in a market (live: the Position workflow id). */
  positionIdOf: (market: string, n: number) => string;
}

export interface DecidedEntry {
  positionId: string;
  market: string;
  score: number;
  reasons: string[];
  /** Bid price on the grid, volume (8 decimals), price x volume, and the KRW the bid locks (fee included). */
  price: string;
  volume: string;
  totalKrw: string;
  lockedKrw: string;
  boundBy: SizeBound;
  atr: number | null;
  minTotal: string;
  feeRate: string;
}

export interface SkippedEntry {
  market: string;
  score: number;
  /** The strategy's reasons for the entry. */
  reasons: string[];
  /** The limit or sizing rule that stopped it ('Correlated', 'ExposureFull', ...) and its explanation. */
  code: string;
  reason: string;
}

export interface EntryDecision {
  state: DecisionState;
  entries: DecidedEntry[];
  skips: SkippedEntry[];
}

/** Highest score first; ties by market name. */
export function byScore(a: { score: number; market: string }, b: { score: number; market: string }): number {
  return b.score - a.score || (a.market < b.market ? -1 : a.market > b.market ? 1 : 0);
}

/**
 * Fills each candidate's `correlations` (the correlation cap's input): against every held market and every
 * other candidate, since an entry earlier in the same batch is held by the time the next one is checked.
 * `correlate` is FeatureEngine.correlation at the decision time; null (too few bars) leaves a pair out.
 * `lazy`: each candidate's correlations are computed when first read, then kept. Most candidates are stopped by a
 * limit checked before the cap (a backtest in a drawdown halt: every one), so most are never computed. Only for a
 * caller that reads them before `correlate` moves past the decision time (the backtester, within its decision).
 */
export function withCorrelations<C extends { market: string; correlations: Record<string, number> }>(
  candidates: C[],
  heldMarkets: Iterable<string>,
  correlate: (market: string, other: string) => number | null,
  options: { lazy?: boolean } = {},
): C[] {
  const others = [...new Set([...heldMarkets, ...candidates.map((c) => c.market)])];
  const correlationsOf = (c: C) => {
    const correlations: Record<string, number> = { ...c.correlations };
    for (const other of others) {
      if (other === c.market) continue;
      const r = correlate(c.market, other);
      if (r !== null) correlations[other] = r;
    }
    return correlations;
  };
  if (!options.lazy) return candidates.map((c) => ({ ...c, correlations: correlationsOf(c) }));
  return candidates.map((c) => {
    let correlations: Record<string, number> | undefined;
    return Object.defineProperty({ ...c }, 'correlations', {
      get: () => {
        correlations ??= correlationsOf(c);
        return correlations;
      },
      enumerable: true,
    });
  });
}

/** Markets the risk state holds a position (or an entry order) in. */
export function heldMarkets(risk: RiskState): Set<string> {
  return new Set(Object.values(risk.open).map((p) => p.market));
}

export function decideEntries(
  state: DecisionState,
  evaluations: EntryEvaluations,
  account: AccountView,
  config: DecisionConfig,
  now: number,
): EntryDecision {
  // A backtest's account may carry its equity as an estimate: then the exact figure is computed only when needed.
  let risk = onEquity(state.risk, account.equityEstimate ?? account.equityKrw, now, config.risk);
  const judged = state.judgedBars;
  // Copied when an entry takes a number (most decisions take none).
  let positionSeq = state.positionSeq;
  // Read when a candidate needs them (most evaluations have none): the account's figures as of this evaluation, then
  // less what each entry of the batch locks.
  let held: Set<string> | undefined;
  let exposure: Decimal | undefined;
  let free: Decimal | undefined;
  const entries: DecidedEntry[] = [];
  const skips: SkippedEntry[] = [];
  for (const c of [...evaluations.candidates].sort(byScore)) {
    if (c.barTs !== undefined && c.barTs <= (judged[c.market] ?? Number.NEGATIVE_INFINITY)) continue;
    held ??= heldMarkets(risk);
    // A held market is not a candidate while one position per coin is the rule (nothing to decide).
    if (config.risk.onePositionPerCoin && held.has(c.market)) continue;
    // The candidate itself: its correlations are read only when the cap is checked (withCorrelations' lazy).
    const check = checkEntry(risk, c, config.risk, now);
    if (!check.allowed) {
      skips.push({ market: c.market, score: c.score, reasons: c.reasons, code: check.code, reason: check.reason });
      continue;
    }
    exposure ??= new Decimal(account.exposureKrw);
    free ??= new Decimal(account.freeKrw);
    const size = sizeEntry({
      market: c.market,
      equityKrw: account.equityKrw,
      freeKrw: free.toFixed(),
      price: c.entryPrice,
      atr: c.atr ?? undefined,
      rules: { minTotal: c.minTotal, feeRate: c.feeRate },
      exposureKrw: exposure.toFixed(),
      coinExposureKrw: account.coinExposureKrw[c.market] ?? '0',
      config: config.risk,
    });
    if (!size.ok) {
      skips.push({ market: c.market, score: c.score, reasons: c.reasons, code: size.code, reason: size.reason });
      continue;
    }
    const n = (positionSeq[c.market] ?? 0) + 1;
    positionSeq = { ...positionSeq, [c.market]: n };
    const positionId = config.positionIdOf(c.market, n);
    risk = onFill(risk, { positionId, market: c.market, side: 'bid', totalKrw: size.totalKrw, ts: now });
    held.add(c.market);
    exposure = exposure.plus(size.lockedKrw);
    free = free.minus(size.lockedKrw);
    entries.push({
      positionId,
      market: c.market,
      score: c.score,
      reasons: c.reasons,
      price: size.price,
      volume: size.volume,
      totalKrw: size.totalKrw,
      lockedKrw: size.lockedKrw,
      boundBy: size.boundBy,
      atr: c.atr,
      minTotal: c.minTotal,
      feeRate: c.feeRate,
    });
  }
  return { state: { risk, judgedBars: { ...judged, ...evaluations.bars }, positionSeq }, entries, skips };
}
