// The event-driven portfolio simulator. It replays candles of many markets in time order and runs
// the very code live trading runs: `evaluateMarket` (strategy, quality, warm-up and edge gates),
// `checkEntry` and the risk-state reducers, `sizeEntry`, `createExitPlan` / `updateExitPlan`.
// Only the exchange is simulated, by the fill model in fill.ts. Several configurations (parameter
// sets) run in one pass over shared features: features never depend on strategy parameters.
import Decimal from 'decimal.js';
import {
  type AccountView,
  type DecidedEntry,
  type DecisionConfig,
  type DecisionState,
  decideEntries,
  type EntryEvaluation,
  type SkippedEntry,
  withCorrelations,
} from '../decision';
import { DEFAULT_FEATURE_ENGINE_OPTIONS, type FeatureSnapshot, type MarketContext } from '../indicators';
import {
  bucketStart,
  type Candle,
  type CandleColumns,
  candleAt,
  checkCandle,
  DEFAULT_FEE_RATE,
  feeOn,
  floorVolume,
  isCandleBar,
  minimumOrderTotal,
  type Timeframe,
  timeframeMs,
} from '../market';
import {
  closedBarObservation,
  createExitPlan,
  type ExitPlan,
  type ExitTrigger,
  emptyRiskState,
  onBtcPrice,
  onFill,
  onPositionClosed,
  type RiskConfig,
  riskDefaultsFor,
  updateExitPlan,
  validateRiskConfig,
} from '../risk';
import {
  type AnyStrategy,
  type EvaluateMarketInput,
  evaluateMarket,
  getStrategy,
  type OpenPositionView,
  validateParams,
} from '../strategy';
import { featureEngineFor } from '../strategy/feature-engine';
import { DEFAULT_FILL_MODEL, type FillModel, limitFillVolume, marketFill, stopFill, validateFillModel } from './fill';
import { computeMetrics, type Metrics } from './metrics';
import type { EquityPoint, Fill, Trade } from './result';
import { type BacktestAccount, type Split, Valuation } from './valuation';

/** What the backtester needs from the feature engine: 1-minute (or longer) candles in, closed-bar snapshots out. */
export interface FeatureSource {
  /** `checked`: the candle passed checkCandle's checks already and will not change (the engine keeps it as is). */
  ingest(market: string, candle: Candle, checked?: boolean): void;
  snapshot(market: string, ts: number): FeatureSnapshot;
  context(ts: number): MarketContext;
  /** Return correlation of two markets for the correlation cap (FeatureEngine.correlation). */
  correlation(market: string, other: string, ts: number): number | null;
}

/**
 * What a run saw and did, as a live session would learn it: each decision with the inputs the session's
 * evaluation would have gathered and its outcome, and each position's end (the session's positionClosed signal).
 */
export type BacktestEvent =
  | ({ kind: 'decision' } & DecisionRecord)
  | { kind: 'closed'; positionId: string; market: string; pnlKrw: string; ts: number };

export interface DecisionRecord {
  ts: number;
  candidates: EntryEvaluation[];
  bars: Record<string, number>;
  account: AccountView;
  entries: DecidedEntry[];
  skips: SkippedEntry[];
}

export interface BacktestData {
  /** Candles per market, ascending by ts, no duplicates: 1-minute candles, or bars of `timeframe`. */
  candles: Record<string, Candle[]>;
  timeframe: Timeframe;
}

/** BacktestData as columns (long 1-minute runs: a fraction of the memory); the same results. */
export interface ColumnarBacktestData {
  columns: Record<string, CandleColumns>;
  timeframe: Timeframe;
}

export type BacktestInput = BacktestData | ColumnarBacktestData;

/** One market's bars as the engine walks them: open times to merge on, a Candle when a bar is used. */
interface Series {
  length: number;
  ts: ArrayLike<number>;
  bar(i: number): Candle;
}

// Classes, not a closure per market: the loop's bar() call then sees one function, not one per market.
class CandleSeries implements Series {
  readonly length: number;
  readonly ts: Float64Array;
  constructor(private readonly candles: Candle[]) {
    this.length = candles.length;
    this.ts = new Float64Array(candles.length);
    for (let i = 0; i < candles.length; i++) this.ts[i] = candles[i].ts;
  }
  bar(i: number): Candle {
    return this.candles[i];
  }
}

class ColumnSeries implements Series {
  readonly length: number;
  readonly ts: ArrayLike<number>;
  constructor(private readonly columns: CandleColumns) {
    this.length = columns.ts.length;
    this.ts = columns.ts;
  }
  bar(i: number): Candle {
    return candleAt(this.columns, i);
  }
}

function seriesOf(data: BacktestInput): { markets: string[]; series: Series[] } {
  if ('columns' in data) {
    const markets = Object.keys(data.columns).sort();
    return { markets, series: markets.map((m) => new ColumnSeries(data.columns[m])) };
  }
  const markets = Object.keys(data.candles).sort();
  return { markets, series: markets.map((m) => new CandleSeries(data.candles[m])) };
}

export interface BacktestConfig {
  strategyId: string;
  /** Partial strategy parameters; the rest from the strategy's defaults. */
  params?: Record<string, number | boolean>;
  /** Partial risk config (see core/risk); the rest from DEFAULT_RISK_CONFIG. */
  risk?: Record<string, unknown>;
  initialCashKrw: string;
  /** Fee per side, default DEFAULT_FEE_RATE (0.05 %). */
  feeRate?: string;
  /** The markets' own `min_total`; the bot minimum (30,000 KRW) applies on top. */
  marketMinTotal?: string;
  fill?: FillModel;
  /** Default: market orders filled at the next bar's open. */
  entryOrder?: EntryOrder;
  /** Entries from this time on (ms); earlier candles only warm the features up. Default: first candle. */
  tradeFrom?: number;
  /** Exclusive end (ms); open positions are sold at the last close before it. Default: after the last candle. */
  tradeTo?: number;
}

export interface BacktestResult {
  strategyId: string;
  params: Record<string, number | boolean>;
  risk: RiskConfig;
  startTs: number;
  endTs: number;
  initialCashKrw: string;
  finalCashKrw: string;
  fills: Fill[];
  trades: Trade[];
  equity: EquityPoint[];
  metrics: Metrics;
  /** Entries that passed the strategy but were stopped, by code (MaxOpenPositions, UnderMinTotal, EdgeBelowCost, ...). */
  rejections: Record<string, number>;
  /** Strategy evaluations run. */
  evaluations: number;
  /** Evaluations the strategy was not asked in, by reason ('warming up: minute15 3/30', 'data quality: ...'), counted. */
  skipped: Record<string, number>;
}

export class BacktestInputError extends Error {
  constructor(readonly errors: string[]) {
    super(`invalid backtest input: ${errors.join('; ')}`);
    this.name = 'BacktestInputError';
  }
}

interface Position {
  id: string;
  market: string;
  volume: Decimal;
  /** KRW paid for the volume bought (without fee). */
  cost: Decimal;
  /** Cost still attributed to what is held. */
  openCost: Decimal;
  fees: Decimal;
  proceeds: Decimal;
  soldVolume: Decimal;
  plan: ExitPlan;
  entryTs: number;
  entryReason: string;
  exits: Trade['exits'];
  /** Sales waiting for the next bar's open (time, blow-off and strategy exits). */
  pendingSell?: { volume: Decimal; reason: string };
  /** The volume as a double-double, kept by the valuation. */
  volumeSplit?: Split;
  /** What the strategy is shown of it (positionView), kept while the plan's entry and highest prices stay. */
  view?: { entryPrice: string; highest: string; view: OpenPositionView };
}

/** The position as the strategy sees it, frozen (one object serves every decision until the plan's highest moves). */
function positionView(pos: Position): OpenPositionView {
  const { entryPrice, highest } = pos.plan;
  if (pos.view?.entryPrice !== entryPrice || pos.view.highest !== highest) {
    const view = Object.freeze({
      market: pos.market,
      entryPrice: Number(entryPrice),
      openedTs: pos.entryTs,
      highest: Number(highest),
    });
    pos.view = { entryPrice, highest, view };
  }
  return pos.view.view;
}

interface PendingBuy {
  id: string;
  market: string;
  type: 'market' | 'limit';
  /** KRW this order may still spend (market) or has reserved (limit: price x remaining volume). */
  totalKrw: Decimal;
  atr: number;
  reason: string;
  placedTs: number;
  /** Limit orders: price on the bid grid, volume still wanted, bars it may still rest. */
  limitPrice?: Decimal;
  remaining?: Decimal;
  barsLeft?: number;
  /** What the order got so far (limit fills before a market fallback). */
  filled: { volume: Decimal; cost: Decimal; fee: Decimal; firstTs: number } | null;
}

/** How entries are sent. 'limit' mirrors the session's order config: a bid at the decision price resting
 * `timeoutBars` bars, then (optionally) the rest at market when it is still above the minimum total. */
export type EntryOrder = { type: 'market' } | { type: 'limit'; timeoutBars: number; fallbackToMarket: boolean };

/** One configuration's account, advanced bar by bar. */
interface Run {
  strategy: AnyStrategy;
  params: Record<string, number | boolean>;
  risk: RiskConfig;
  feeRate: Decimal;
  minTotal: Decimal;
  marketMinTotal: string;
  fill: FillModel;
  entryOrder: EntryOrder;
  tradeFrom: number;
  tradeTo: number;
  initialCash: Decimal;
  cash: Decimal;
  /** Risk state, judged bars and position numbers, carried as a session carries them. */
  decision: DecisionState;
  decisionConfig: DecisionConfig;
  /** The last flat account and the cash as a double (Valuation), kept while the cash is the same. */
  flatAccount?: BacktestAccount;
  cashNumber?: { cash: Decimal; value: number };
  cashSplit?: Split;
  positions: Map<string, Position>;
  pendingBuys: Map<string, PendingBuy>;
  memory: Map<string, unknown>;
  /**
   * What evaluateMarket is given, one object per run with the market's fields written in before each call: it reads
   * its input and keeps none of it (the strategy gets an input of its own), and a literal per market and decision
   * was the largest single allocation of a run.
   */
  evaluation: EvaluateMarketInput<unknown, unknown>;
  fills: Fill[];
  trades: Trade[];
  /** The equity points as two columns (objects only in the result: long-lived ones per decision cost the GC). */
  equityTs: number[];
  equityKrw: number[];
  rejections: Record<string, number>;
  evaluations: number;
  skipped: Record<string, number>;
  /** Set once the run's positions were sold at its end. */
  closed: boolean;
  observe?: (event: BacktestEvent) => void;
}

/** A backtest position's id: its market and number. */
const positionIdOf = (market: string, n: number) => `${market}#${n}`;

function resolveRun(strategy: AnyStrategy, config: BacktestConfig, candlesFrom: number, candlesTo: number): Run {
  const errors: string[] = [];
  const params = validateParams(strategy, config.params);
  if (!params.ok) errors.push(...params.errors.map((e) => `params.${e}`));
  // The time exit counts bars of the strategy's entry timeframe unless the caller chose otherwise (as live).
  const risk = validateRiskConfig(config.risk, riskDefaultsFor(timeframeMs(strategy.entryTimeframe)));
  if (!risk.ok) errors.push(...risk.errors.map((e) => `risk.${e}`));
  // Positions are kept per market here; a second position in a held coin is a live-only feature.
  if (risk.ok && !risk.value.onePositionPerCoin)
    errors.push('risk.onePositionPerCoin: backtests hold at most one position per market; false is not supported');
  const fill = config.fill ?? DEFAULT_FILL_MODEL;
  errors.push(...validateFillModel(fill).map((e) => `fill.${e}`));
  const entryOrder: EntryOrder = config.entryOrder ?? { type: 'market' };
  if (entryOrder.type === 'limit') {
    if (!Number.isInteger(entryOrder.timeoutBars) || entryOrder.timeoutBars < 1)
      errors.push(`entryOrder.timeoutBars: must be a positive integer, got ${JSON.stringify(entryOrder.timeoutBars)}`);
  } else if (entryOrder.type !== 'market')
    errors.push(
      `entryOrder.type: must be 'market' or 'limit', got ${JSON.stringify((entryOrder as { type?: unknown }).type)}`,
    );
  const money = (name: string, v: string | undefined, fallback: string) => {
    try {
      const d = new Decimal(v ?? fallback);
      if (!d.isFinite() || d.isNeg()) throw new Error();
      return d;
    } catch {
      errors.push(`${name}: must be a non-negative decimal string, got ${JSON.stringify(v)}`);
      return new Decimal(0);
    }
  };
  const cash = money('initialCashKrw', config.initialCashKrw, '');
  if (cash.isZero()) errors.push('initialCashKrw: must be positive');
  const feeRate = money('feeRate', config.feeRate, DEFAULT_FEE_RATE.toFixed());
  if (feeRate.gte(0.1)) errors.push(`feeRate: ${feeRate} looks like a percentage; give a rate such as 0.0005`);
  const marketMinTotal = config.marketMinTotal ?? '5000';
  const minTotal = minimumOrderTotal(money('marketMinTotal', marketMinTotal, '5000'));
  const tradeFrom = config.tradeFrom ?? candlesFrom;
  const tradeTo = config.tradeTo ?? candlesTo;
  if (!(tradeTo > tradeFrom)) errors.push(`tradeTo (${tradeTo}) must be after tradeFrom (${tradeFrom})`);
  if (errors.length) throw new BacktestInputError(errors);
  // Both valid by now (their errors would have thrown).
  const runParams = (params as { params: Record<string, number | boolean> }).params;
  const runRisk = (risk as { value: RiskConfig }).value;
  return {
    strategy,
    params: runParams,
    risk: runRisk,
    feeRate,
    minTotal,
    marketMinTotal,
    fill,
    entryOrder,
    tradeFrom,
    tradeTo,
    initialCash: cash,
    cash,
    decision: { risk: emptyRiskState(), judgedBars: {}, positionSeq: {} },
    decisionConfig: { risk: runRisk, positionIdOf },
    // The valuation's caches, present from the start (one object shape).
    flatAccount: undefined,
    cashNumber: undefined,
    cashSplit: undefined,
    positions: new Map(),
    pendingBuys: new Map(),
    memory: new Map(),
    evaluation: {
      strategy,
      params: runParams,
      snapshot: undefined as unknown as FeatureSnapshot,
      context: undefined as unknown as MarketContext,
      position: undefined,
      memory: undefined,
      ts: Number.NaN,
      risk: runRisk,
      feeRate,
      benchmark: undefined,
      // The result keeps no decisions, only what they did.
      explain: false,
    },
    fills: [],
    trades: [],
    equityTs: [],
    equityKrw: [],
    rejections: {},
    evaluations: 0,
    skipped: {},
    closed: false,
  };
}

function checkData(data: BacktestInput): string[] {
  const errors: string[] = [];
  const columnar = 'columns' in data;
  const markets = Object.keys(columnar ? data.columns : data.candles);
  if (markets.length === 0) errors.push('candles: no market given');
  for (const m of markets) {
    const cols = columnar ? data.columns[m] : null;
    const cs = columnar ? null : data.candles[m];
    const n = cols ? columnLength(cols) : Array.isArray(cs) ? cs.length : 0;
    if (n < 0) {
      errors.push(`candles.${m}: columns of different lengths`);
      continue;
    }
    if (n === 0) {
      errors.push(`candles.${m}: no candles`);
      continue;
    }
    // One loop per layout, reading the fields in place (no Candle built per bar of the columns). The checks are the
    // feature engine's (isCandleBar, checkCandle), which then takes these bars without checking them again.
    let bad = -1;
    if (cols) {
      for (let i = 0; i < n && bad < 0; i++) {
        const value = cols.value === undefined || Number.isNaN(cols.value[i]) ? undefined : cols.value[i];
        if (
          !isCandleBar(cols.ts[i], cols.open[i], cols.high[i], cols.low[i], cols.close[i], cols.volume[i], value) ||
          (i > 0 && !(cols.ts[i] > cols.ts[i - 1]))
        )
          bad = i;
      }
    } else
      for (let i = 0; i < n && bad < 0; i++) {
        const c = cs![i];
        if (
          typeof c !== 'object' ||
          c === null ||
          !isCandleBar(c.ts, c.open, c.high, c.low, c.close, c.volume, c.value) ||
          (i > 0 && !(c.ts > cs![i - 1].ts))
        )
          bad = i;
      }
    if (bad >= 0) {
      const c = cols ? candleAt(cols, bad) : cs![bad];
      const check = checkCandle(c);
      errors.push(
        check.ok
          ? `candles.${m}[${bad}]: ts ${c.ts} is not after the previous ${cols ? cols.ts[bad - 1] : cs![bad - 1].ts}`
          : `candles.${m}[${bad}] (ts ${(c as Partial<Candle> | null)?.ts}): not a valid OHLCV bar: ${check.problems.join('; ')}`,
      );
    }
  }
  return errors;
}

/** Bars in candle columns, -1 when the columns differ in length. */
function columnLength(c: CandleColumns): number {
  const n = c.ts.length;
  const all = [c.open, c.high, c.low, c.close, c.volume, ...(c.value ? [c.value] : [])];
  return all.every((col) => col.length === n) ? n : -1;
}

const reject = (run: Run, code: string) => {
  run.rejections[code] = (run.rejections[code] ?? 0) + 1;
};

function recordFill(
  run: Run,
  f: Omit<Fill, 'price' | 'volume' | 'fee'> & { price: Decimal; volume: Decimal; fee: Decimal },
): void {
  run.fills.push({ ...f, price: f.price.toFixed(), volume: f.volume.toFixed(), fee: f.fee.toFixed() });
}

/** Executes a sale of `volume` from a position at `price`; closes the trade when nothing is left. */
function sell(
  run: Run,
  pos: Position,
  volume: Decimal,
  price: Decimal,
  ts: number,
  kind: Fill['kind'],
  reason: string,
  slippageBps: number,
): void {
  const vol = Decimal.min(volume, pos.volume);
  if (vol.lte(0)) return;
  const total = price.mul(vol);
  const fee = feeOn(total, run.feeRate);
  run.cash = run.cash.plus(total).minus(fee);
  const share = vol.div(pos.volume);
  const costShare = pos.openCost.mul(share);
  pos.openCost = pos.openCost.minus(costShare);
  pos.volume = pos.volume.minus(vol);
  pos.fees = pos.fees.plus(fee);
  pos.proceeds = pos.proceeds.plus(total);
  pos.soldVolume = pos.soldVolume.plus(vol);
  pos.exits.push({ ts, price: price.toFixed(), volume: vol.toFixed(), reason });
  recordFill(run, { ts, market: pos.market, side: 'ask', kind, price, volume: vol, fee, slippageBps, reason });
  run.decision.risk = onFill(run.decision.risk, {
    positionId: pos.id,
    market: pos.market,
    side: 'ask',
    totalKrw: total,
    ts,
    costShareSold: share.toNumber(),
  });
  if (pos.volume.gt(0)) return;
  const pnl = pos.proceeds.minus(pos.cost).minus(pos.fees);
  const entryFee = feeOn(pos.cost, run.feeRate);
  run.trades.push({
    market: pos.market,
    entryTs: pos.entryTs,
    exitTs: ts,
    volume: pos.soldVolume.toFixed(),
    entryPrice: pos.cost.div(pos.soldVolume).toFixed(),
    exitPrice: pos.proceeds.div(pos.soldVolume).toFixed(),
    fees: pos.fees.toFixed(),
    pnl: pnl.toFixed(),
    returnPct: pnl.div(pos.cost.plus(entryFee)).toNumber(),
    entryReason: pos.entryReason,
    exitReason: reason,
    exits: pos.exits,
  });
  run.decision.risk = onPositionClosed(run.decision.risk, { positionId: pos.id, market: pos.market, pnlKrw: pnl, ts });
  run.observe?.({ kind: 'closed', positionId: pos.id, market: pos.market, pnlKrw: pnl.toFixed(), ts });
  run.positions.delete(pos.market);
}

/** Books one bid execution: cash and fill record (the risk state counted the position when it was decided). */
function bookBid(
  run: Run,
  order: PendingBuy,
  ts: number,
  price: Decimal,
  volume: Decimal,
  kind: Fill['kind'],
  slippageBps: number,
) {
  const total = price.mul(volume);
  const fee = feeOn(total, run.feeRate);
  run.cash = run.cash.minus(total).minus(fee);
  recordFill(run, {
    ts,
    market: order.market,
    side: 'bid',
    kind,
    price,
    volume,
    fee,
    slippageBps,
    reason: order.reason,
  });
  const f = order.filled;
  order.filled = f
    ? { volume: f.volume.plus(volume), cost: f.cost.plus(total), fee: f.fee.plus(fee), firstTs: f.firstTs }
    : { volume, cost: total, fee, firstTs: ts };
}

/** The order is over: whatever it bought becomes a position with its exit plan. */
function openPosition(run: Run, order: PendingBuy): void {
  run.pendingBuys.delete(order.market);
  const f = order.filled;
  if (!f) {
    // Nothing bought: the slot the decision took is free again (live, the Position closes with PnL 0).
    run.decision.risk = onPositionClosed(run.decision.risk, {
      positionId: order.id,
      market: order.market,
      pnlKrw: 0,
      ts: order.placedTs,
    });
    run.observe?.({ kind: 'closed', positionId: order.id, market: order.market, pnlKrw: '0', ts: order.placedTs });
    return;
  }
  const entryPrice = f.cost.div(f.volume);
  const plan = createExitPlan({
    market: order.market,
    entryPrice,
    volume: f.volume,
    atr: order.atr,
    config: run.risk.exit,
    openedTs: f.firstTs,
    minTotal: run.marketMinTotal,
  });
  run.positions.set(order.market, {
    id: order.id,
    market: order.market,
    volume: f.volume,
    cost: f.cost,
    openCost: f.cost,
    fees: f.fee,
    proceeds: new Decimal(0),
    soldVolume: new Decimal(0),
    plan,
    entryTs: f.firstTs,
    entryReason: order.reason,
    exits: [],
    pendingSell: undefined,
    volumeSplit: undefined,
    view: undefined,
  });
}

/** A market bid spends a KRW amount at the bar's open, never more than the cash (fee included) there is. */
function buyAtMarket(run: Run, order: PendingBuy, bar: Candle): void {
  const est = order.totalKrw.toNumber() / bar.open;
  const { price, slippageBps } = marketFill(order.market, 'bid', est, bar, run.fill.slippage);
  const spend = Decimal.min(order.totalKrw, run.cash.div(run.feeRate.plus(1)));
  const volume = floorVolume(spend.div(price));
  if (price.mul(volume).lt(run.minTotal)) reject(run, 'UnderMinTotal');
  else bookBid(run, order, bar.ts, price, volume, 'market', slippageBps);
  openPosition(run, order);
}

/** A resting limit bid meets one bar: fills through the price up to the volume cap; on timeout, the rest goes to market or is dropped. */
function restLimit(run: Run, order: PendingBuy, bar: Candle): void {
  const price = order.limitPrice!;
  const got = limitFillVolume('bid', price, order.remaining!, bar, run.fill.limitVolumeCap);
  if (got.gt(0)) {
    bookBid(run, order, bar.ts, price, got, 'limit', 0);
    order.remaining = order.remaining!.minus(got);
    order.totalKrw = price.mul(order.remaining);
  }
  order.barsLeft = order.barsLeft! - 1;
  if (order.remaining!.isZero()) {
    openPosition(run, order);
    return;
  }
  if (order.barsLeft > 0) return;
  const entry = run.entryOrder;
  if (entry.type === 'limit' && entry.fallbackToMarket && order.totalKrw.gte(run.minTotal)) {
    // The rest goes out as a market order, filled at the next bar's open.
    order.type = 'market';
    return;
  }
  if (!order.filled) reject(run, 'LimitNotFilled');
  openPosition(run, order);
}

function buy(run: Run, order: PendingBuy, bar: Candle): void {
  if (order.type === 'market') buyAtMarket(run, order, bar);
  else restLimit(run, order, bar);
}

/** Acts on an exit-plan trigger inside `bar`: levels fill now (stop slipped, take-profit at its limit); others at the next open. */
function onTrigger(run: Run, pos: Position, trigger: ExitTrigger, bar: Candle): void {
  const volume = new Decimal(trigger.volume);
  if ((trigger.kind === 'stop' || trigger.kind === 'trailing') && trigger.level) {
    const { price, slippageBps } = stopFill(pos.market, trigger.level, volume.toNumber(), bar, run.fill.slippage);
    sell(run, pos, volume, price, bar.ts, 'stop', trigger.reason, slippageBps);
  } else if (trigger.kind === 'take_profit' && trigger.level) {
    sell(run, pos, volume, new Decimal(trigger.level), bar.ts, 'limit', trigger.reason, 0);
  } else {
    pos.pendingSell = {
      volume: Decimal.min(pos.volume, volume.plus(pos.pendingSell?.volume ?? 0)),
      reason: trigger.reason,
    };
  }
}

/** Everything that happens to one run's account in one market during one bar. */
function onBar(run: Run, market: string, bar: Candle, barMs: number): void {
  const pending = run.pendingBuys.get(market);
  if (pending) buy(run, pending, bar);
  const pos = run.positions.get(market);
  if (!pos) return;
  if (pos.pendingSell) {
    const order = pos.pendingSell;
    pos.pendingSell = undefined;
    const { price, slippageBps } = marketFill(market, 'ask', order.volume.toNumber(), bar, run.fill.slippage);
    sell(run, pos, order.volume, price, bar.ts, 'market', order.reason, slippageBps);
    if (!run.positions.has(market)) return;
  }
  const { plan, trigger } = updateExitPlan(pos.plan, {
    price: bar.close,
    high: bar.high,
    low: bar.low,
    ts: bar.ts + barMs,
  });
  pos.plan = plan;
  if (trigger) onTrigger(run, pos, trigger, bar);
}

/** Live sessions show strategies KRW-BTC as the benchmark (relative momentum); so does the backtest. */
const BENCHMARK_MARKET = DEFAULT_FEATURE_ENGINE_OPTIONS.btcMarket;

/**
 * The snapshots of one decision time, in market order: the first `count` of parallel arrays (no entry pair per market
 * and run), reused from one decision to the next (decide reads them within its decision only).
 */
interface MarketSnapshots {
  count: number;
  markets: string[];
  features: FeatureSnapshot[];
}

/** Strategy for every market at a decision time, then the shared entry decision; orders go out for the next bar. */
function decide(
  run: Run,
  ts: number,
  snapshots: MarketSnapshots,
  context: MarketContext,
  lastBar: Map<string, Candle>,
  benchmark: FeatureSnapshot | undefined,
  features: FeatureSource,
): void {
  // Nothing bought or sold until the entries below: one valuation serves the equity point and the account.
  const valuation = new Valuation(run, lastBar);
  const trading = ts >= run.tradeFrom && ts < run.tradeTo;
  const tf = run.strategy.entryTimeframe;
  let candidates: EntryEvaluation[] = [];
  const bars: Record<string, number> = {};
  for (let i = 0; i < snapshots.count; i++) {
    const market = snapshots.markets[i];
    const snapshot = snapshots.features[i];
    const pos = run.positions.get(market);
    const f = snapshot.timeframes[tf];
    if (pos) {
      // Blow-off and ATR refresh from the closed bar, as the live guard does at each close.
      const { plan, trigger } = updateExitPlan(pos.plan, closedBarObservation(f, ts));
      pos.plan = plan;
      if (trigger) pos.pendingSell = { volume: new Decimal(trigger.volume), reason: trigger.reason };
    }
    // Evaluated during warm-up too, so strategies with memory arrive at tradeFrom as they would live.
    run.evaluations++;
    const input = run.evaluation;
    input.snapshot = snapshot;
    input.context = context;
    input.position = pos ? positionView(pos) : undefined;
    input.memory = run.strategy.memory ? run.memory.get(market) : undefined;
    input.ts = ts;
    input.benchmark = benchmark;
    const result = evaluateMarket(input);
    // A strategy without memory has none to keep.
    if (run.strategy.memory) run.memory.set(market, result.memory);
    if (f.lastClosedTs !== null) bars[market] = f.lastClosedTs;
    if (result.skipped) {
      // Counted by kind and timeframe, not by the changing counts, so the table stays short.
      const key = result.skipped.replace(/\d[\d.,%/]*/g, '#').slice(0, 100);
      run.skipped[key] = (run.skipped[key] ?? 0) + 1;
    }
    // Index loops: most lists are the one frozen empty list, whose for-of iterator V8 does not optimize away.
    for (let k = 0; k < result.decisions.length; k++) {
      const d = result.decisions[k];
      if (d.action === 'blocked') reject(run, d.reasons[d.reasons.length - 1].split(':')[0]);
    }
    for (let k = 0; k < result.intents.length; k++) {
      const intent = result.intents[k];
      if (intent.kind === 'exit' && pos && !pos.pendingSell)
        pos.pendingSell = { volume: pos.volume, reason: `strategy exit: ${intent.reasons.join('; ')}` };
      if (intent.kind === 'entry' && trading)
        candidates.push({
          market,
          score: intent.score,
          reasons: intent.reasons,
          entryPrice: String(snapshot.lastPrice ?? f.close),
          barTs: f.lastClosedTs ?? undefined,
          atr: f.atr,
          correlations: {},
          minTotal: run.marketMinTotal,
          feeRate: run.feeRate.toFixed(),
        });
    }
  }
  if (trading) {
    if (candidates.length > 0) {
      const held = [...run.positions.keys(), ...run.pendingBuys.keys()];
      // Lazy unless observed: the observer may keep the candidates past this decision, when the engine has moved on.
      candidates = withCorrelations(candidates, held, (a, b) => features.correlation(a, b, ts), {
        lazy: !run.observe,
      });
    }
    const account = valuation.account({ fixed: run.observe !== undefined });
    const decided = decideEntries(run.decision, { candidates, bars }, account, run.decisionConfig, ts);
    run.decision = decided.state;
    for (const skip of decided.skips) reject(run, skip.code);
    for (const entry of decided.entries) placeEntry(run, entry, ts);
    run.observe?.({ kind: 'decision', ts, candidates, bars, account, entries: decided.entries, skips: decided.skips });
  } else {
    run.decision = { ...run.decision, judgedBars: { ...run.decision.judgedBars, ...bars } };
  }
  run.equityTs.push(ts);
  run.equityKrw.push(valuation.equityNumber());
}

function placeEntry(run: Run, entry: DecidedEntry, ts: number): void {
  const limit = run.entryOrder.type === 'limit' ? run.entryOrder : null;
  run.pendingBuys.set(entry.market, {
    id: entry.positionId,
    market: entry.market,
    type: limit ? 'limit' : 'market',
    totalKrw: new Decimal(entry.totalKrw),
    atr: entry.atr ?? 0,
    reason: `entry score ${entry.score}: ${entry.reasons.join('; ')}`,
    placedTs: ts,
    ...(limit
      ? { limitPrice: new Decimal(entry.price), remaining: new Decimal(entry.volume), barsLeft: limit.timeoutBars }
      : {}),
    filled: null,
  });
}

/** Sells what is left at the last close (slipped) so every trade has an exit. */
function closeAll(run: Run, lastBar: Map<string, Candle>, ts: number): void {
  if (run.closed) return;
  run.closed = true;
  // Bought volume of an order still resting is held like any position.
  for (const order of [...run.pendingBuys.values()]) openPosition(run, order);
  for (const pos of [...run.positions.values()]) {
    const bar = lastBar.get(pos.market)!;
    const ref = { ...bar, open: bar.close };
    const { price, slippageBps } = marketFill(pos.market, 'ask', pos.volume.toNumber(), ref, run.fill.slippage);
    sell(run, pos, pos.volume, price, ts, 'market', 'end of backtest', slippageBps);
  }
}

/** Puts each market's newest bar (by index, as the loop keeps them) into the map valuations read. */
function syncLastBars(lastBar: Map<string, Candle>, markets: string[], newest: (Candle | undefined)[]): void {
  for (let k = 0; k < markets.length; k++) {
    const bar = newest[k];
    if (bar !== undefined) lastBar.set(markets[k], bar);
  }
}

/**
 * Runs several configurations of one strategy over the same candles in a single pass; the feature
 * engine (`features`) is fed once and shared. Results come back in the order of `configs`.
 */
export function runBacktestsWith(
  strategy: AnyStrategy,
  configs: BacktestConfig[],
  data: BacktestInput,
  features: FeatureSource,
  /** Told what run i (configs[i]) decides while it trades and when its positions end (the parity test replays it). */
  observe?: (i: number, event: BacktestEvent) => void,
): BacktestResult[] {
  const dataErrors = checkData(data);
  if (dataErrors.length) throw new BacktestInputError(dataErrors);
  const { markets, series } = seriesOf(data);
  const barMs = timeframeMs(data.timeframe);
  const firstTs = Math.min(...series.map((s) => s.ts[0]));
  const lastTs = Math.max(...series.map((s) => s.ts[s.length - 1])) + barMs;
  const runs = configs.map((c, i) => {
    const run = resolveRun(strategy, c, firstTs, lastTs);
    if (observe) run.observe = (event) => observe(i, event);
    return run;
  });
  const endTs = Math.max(...runs.map((r) => r.tradeTo));
  // Decisions happen when a bar of the entry timeframe closes (or each data bar, if those are longer).
  const decisionTf = timeframeMs(strategy.entryTimeframe) >= barMs ? strategy.entryTimeframe : data.timeframe;
  const lastBar = new Map<string, Candle>();
  // Each market's newest bar by index, written for every bar. `lastBar` (what valuations, snapshots and closeAll
  // read) is brought up to date from it just before it is read: a Map.set for every bar was a tenth of the loop.
  const newest: (Candle | undefined)[] = markets.map(() => undefined);
  const cursor = markets.map(() => 0);
  const snapshots: MarketSnapshots = { count: 0, markets: [], features: [] };
  let lastDecision = -1;
  for (;;) {
    // k-way merge: the earliest next bar over all markets.
    let ts = Number.POSITIVE_INFINITY;
    for (let k = 0; k < series.length; k++)
      if (cursor[k] < series[k].length && series[k].ts[cursor[k]] < ts) ts = series[k].ts[cursor[k]];
    if (ts === Number.POSITIVE_INFINITY || ts >= endTs) break;
    // A run whose window ends here sells at the closes it has seen, never at later ones.
    for (const run of runs)
      if (ts >= run.tradeTo && !run.closed) {
        syncLastBars(lastBar, markets, newest);
        closeAll(run, lastBar, run.tradeTo);
      }
    for (let k = 0; k < series.length; k++) {
      if (cursor[k] >= series[k].length || series[k].ts[cursor[k]] !== ts) continue;
      const bar = series[k].bar(cursor[k]);
      cursor[k]++;
      const market = markets[k];
      for (const run of runs) {
        if (ts >= run.tradeTo) continue;
        onBar(run, market, bar, barMs);
        if (market === 'KRW-BTC') run.decision.risk = onBtcPrice(run.decision.risk, bar.close, ts + barMs, run.risk);
      }
      // checkData checked every bar.
      features.ingest(market, bar, true);
      newest[k] = bar;
    }
    const closeTs = ts + barMs;
    if (closeTs > lastDecision && bucketStart(closeTs - 1, decisionTf) + timeframeMs(decisionTf) === closeTs) {
      lastDecision = closeTs;
      const active = runs.filter((r) => closeTs <= r.tradeTo);
      if (active.length === 0) continue;
      syncLastBars(lastBar, markets, newest);
      snapshots.count = 0;
      let benchmark: FeatureSnapshot | undefined;
      for (const m of markets)
        if (lastBar.has(m)) {
          const snapshot = features.snapshot(m, closeTs);
          const i = snapshots.count++;
          snapshots.markets[i] = m;
          snapshots.features[i] = snapshot;
          // The benchmark live strategies compare with (KRW-BTC), when it is among the backtest's markets.
          if (m === BENCHMARK_MARKET) benchmark = snapshot;
        }
      const context = features.context(closeTs);
      for (const run of active) decide(run, closeTs, snapshots, context, lastBar, benchmark, features);
    }
  }
  syncLastBars(lastBar, markets, newest);
  return runs.map((run) => {
    const end = Math.min(run.tradeTo, lastTs);
    closeAll(run, lastBar, end);
    // A point stamped exactly at tradeFrom is the close of the last warm-up bar: not part of the test.
    const equity: EquityPoint[] = [];
    for (let i = 0; i < run.equityTs.length; i++)
      if (run.equityTs[i] > run.tradeFrom) equity.push({ ts: run.equityTs[i], equity: run.equityKrw[i] });
    equity.push({ ts: end, equity: run.cash.toNumber() });
    const metrics = computeMetrics({
      initialEquity: run.initialCash.toNumber(),
      equity,
      trades: run.trades,
      fills: run.fills,
      startTs: run.tradeFrom,
      endTs: end,
    });
    return {
      strategyId: strategy.id,
      params: run.params,
      risk: run.risk,
      startTs: run.tradeFrom,
      endTs: end,
      initialCashKrw: run.initialCash.toFixed(),
      finalCashKrw: run.cash.toFixed(),
      fills: run.fills,
      trades: run.trades,
      equity,
      metrics,
      rejections: run.rejections,
      evaluations: run.evaluations,
      skipped: run.skipped,
    };
  });
}

/**
 * Several configurations (e.g. the parameter sets of a search) of ONE strategy in one pass over shared
 * features. The strategy comes from the registry by `strategyId` unless given (tests, plugins).
 */
export function runBacktests(
  configs: BacktestConfig[],
  data: BacktestInput,
  strategy: AnyStrategy = getStrategy(configs[0]?.strategyId),
): BacktestResult[] {
  if (configs.length === 0) return [];
  const other = configs.find((c) => c.strategyId !== strategy.id);
  if (other)
    throw new BacktestInputError([`strategyId: one pass runs one strategy (${strategy.id}), got ${other.strategyId}`]);
  // The live session's engine (a 1-minute backtest of a 15-minute strategy skips the 1-minute indicators, most of
  // the work), without the indicators that only explain a decision: the result keeps no explanation.
  const features = featureEngineFor(strategy, { baseTimeframe: data.timeframe, explained: false });
  return runBacktestsWith(strategy, configs, data, features);
}

export function runBacktest(config: BacktestConfig, data: BacktestInput, strategy?: AnyStrategy): BacktestResult {
  return runBacktests([config], data, strategy)[0];
}
