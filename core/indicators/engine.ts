// The streaming feature engine: candles of the base timeframe (1 minute live) go in one at a time, are
// resampled into every longer timeframe, and each timeframe's indicators advance one bar at a time. A snapshot
// at a decision time shows only bars closed by then, plus the forming base bar, so live trading and the
// backtester see exactly what could have been known.
import { type Candle, checkCandle } from '../market/candles';
import { type QualityIssue, QualityMonitor, type QualityOptions } from '../market/quality';
import {
  bucketEnd,
  bucketStart,
  type DayBoundary,
  Resampler,
  TIMEFRAMES,
  type Timeframe,
  timeframeMs,
} from '../market/timeframes';
import { BarHistory } from './bar-history';
import {
  BarIndicators,
  defineUndeclaredIndicators,
  INDICATOR_NAMES,
  type IndicatorName,
  logReturnStd,
  REALIZED_VOL_BARS,
} from './bar-indicators';
import { type CloseSeries, type ReturnSeries, returnCorrelation } from './correlation';
import { classifyRegime, DEFAULT_REGIME_THRESHOLDS, HURST_LAGS, hurstExponent, type RegimeThresholds } from './regime';
import type { FeatureSnapshot, IndicatorValues, MarketContext, Regime, TimeframeFeatures } from './snapshot';

export type FeatureEngineOptions = {
  /** Bar length of the candles given to `ingest` (1 minute live; a backtest may feed 60-minute bars). */
  baseTimeframe: Timeframe;
  /** Where daily bars and the session VWAP begin. Default KST (00:00 KST = 15:00 UTC); see DayBoundary. */
  dayBoundary: DayBoundary;
  /** Closed bars per timeframe handed out in a snapshot (`closes`, `highs`, ...). */
  historyLength: number;
  /** Correlation with KRW-BTC / KRW-ETH: over the last `window` returns of this timeframe. */
  correlation: { timeframe: Timeframe; window: number };
  /** Regime from the Hurst exponent of the last `window` returns of this timeframe. */
  regime: { timeframe: Timeframe; window: number } & RegimeThresholds;
  /** volIndex: mean realized volatility (this timeframe) of the `topN` markets by KRW traded over `valueBars`. */
  volIndex: { timeframe: Timeframe; topN: number; valueBars: number };
  /** MarketContext's KRW-BTC return and drop look back this many minutes. */
  btcWindowMinutes: number;
  btcMarket: string;
  ethMarket: string;
  /** Data-quality gate on the base candles; `timeframe` and `dayBoundary` follow the engine's. */
  quality: Partial<Omit<QualityOptions, 'timeframe' | 'dayBoundary' | 'revisions'>>;
  /**
   * Timeframes a snapshot shows in full, indicators and recent bars ('all' by default). The others are still
   * resampled (the engine's own figures use their bars) but get no indicators, and a snapshot shows only their
   * `timeframe`, `barsSeen` and `lastClosedTs`: reading anything else of them throws. A backtest of a strategy that
   * reads 5/15/60-minute bars so skips the 1-minute indicators, most of the work.
   */
  featureTimeframes: 'all' | readonly Timeframe[];
  /**
   * Per timeframe with features, the indicators computed there; a timeframe not listed computes them all (the
   * default). The others are never updated, and reading them from a snapshot throws UndeclaredIndicatorError.
   */
  featureIndicators: Partial<Record<Timeframe, readonly IndicatorName[]>>;
  /**
   * Timeframes the engine keeps bars of at all ('all' by default): besides these, the base timeframe, those with
   * features and those its own figures use (correlation, regime, volIndex). The others are not resampled: a snapshot
   * shows them as untracked, and reading anything of them, bar counts included, throws UndeclaredTimeframeError. A
   * backtest of a 60-minute strategy so skips building 4-hour and daily bars nobody reads. warmUp of one tracks it.
   */
  trackedTimeframes: 'all' | readonly Timeframe[];
};

export const DEFAULT_FEATURE_ENGINE_OPTIONS: FeatureEngineOptions = {
  baseTimeframe: 'minute1',
  dayBoundary: 'kst',
  historyLength: 50,
  correlation: { timeframe: 'minute60', window: 48 },
  regime: { timeframe: 'minute60', window: 120, ...DEFAULT_REGIME_THRESHOLDS },
  volIndex: { timeframe: 'minute60', topN: 20, valueBars: 24 },
  btcWindowMinutes: 60,
  btcMarket: 'KRW-BTC',
  ethMarket: 'KRW-ETH',
  quality: {},
  featureTimeframes: 'all',
  featureIndicators: {},
  trackedTimeframes: 'all',
};

/** A snapshot was asked for a time before data the engine has already folded into its closed bars. */
export class LookAheadError extends Error {
  constructor(
    readonly market: string,
    readonly decisionTs: number,
    readonly detail: string,
  ) {
    super(`look-ahead: ${market} at ${decisionTs}: ${detail}`);
    this.name = 'LookAheadError';
  }
}

export type IngestResult = {
  /** append: a new bar; replace: revised the forming bar; reject: bad or out-of-order, not used; ignored: a
   * revision of a bar already closed. */
  action: 'append' | 'replace' | 'reject' | 'ignored';
  issues: QualityIssue[];
};

/** Most candles: a new bar and no issue (one frozen result: ingest runs for every candle of a backtest). */
const APPENDED: IngestResult = Object.freeze({
  action: 'append',
  issues: Object.freeze([]) as unknown as QualityIssue[],
});

export type WarmUpResult = { accepted: number; rejected: { ts: number; reason: string }[] };

function hasFeatures(o: FeatureEngineOptions, tf: Timeframe): boolean {
  return o.featureTimeframes === 'all' || o.featureTimeframes.includes(tf);
}

/** Whether the engine keeps bars of `tf` (see trackedTimeframes); the caller checks it is not shorter than the base. */
function isTracked(o: FeatureEngineOptions, tf: Timeframe): boolean {
  return (
    o.trackedTimeframes === 'all' ||
    o.trackedTimeframes.includes(tf) ||
    tf === o.baseTimeframe ||
    hasFeatures(o, tf) ||
    tf === o.correlation.timeframe ||
    tf === o.regime.timeframe ||
    tf === o.volIndex.timeframe
  );
}

/** A snapshot was read on a timeframe the engine was not asked to compute features for. */
export class UndeclaredTimeframeError extends Error {
  constructor(
    readonly timeframe: Timeframe,
    readonly field: string,
  ) {
    super(
      `${timeframe}.${field} read, but this FeatureEngine computes no ${timeframe} features: ` +
        `a strategy must list every timeframe it reads in its \`timeframes\` (FeatureEngineOptions.featureTimeframes)`,
    );
    this.name = 'UndeclaredTimeframeError';
  }
}

// Every field of TimeframeFeatures but the bar counts; the Record type makes the compiler point here when
// TimeframeFeatures gains a field.
const FEATURE_FIELDS = Object.keys({
  close: 0,
  ema9: 0,
  ema21: 0,
  ema50: 0,
  ema200: 0,
  sma9: 0,
  sma21: 0,
  sma50: 0,
  sma200: 0,
  macd: 0,
  adx: 0,
  plusDi: 0,
  minusDi: 0,
  rsi14: 0,
  rsi7: 0,
  stochK: 0,
  stochD: 0,
  roc: 0,
  cumReturn: 0,
  atr: 0,
  bb: 0,
  realizedVol: 0,
  vwap: 0,
  obv: 0,
  volumeSpike: 0,
  vpt: 0,
  ts: 0,
  opens: 0,
  highs: 0,
  lows: 0,
  closes: 0,
  volumes: 0,
} satisfies Record<Exclude<keyof TimeframeFeatures, 'timeframe' | 'barsSeen' | 'lastClosedTs'>, 0>);

/**
 * Per timeframe, a prototype whose feature fields throw: reading a timeframe nobody declared must fail loudly,
 * never look like "not warmed up".
 */
const undeclaredPrototypes = new Map<Timeframe, object>();
function undeclaredPrototype(timeframe: Timeframe): object {
  let proto = undeclaredPrototypes.get(timeframe);
  if (!proto) {
    proto = {};
    for (const field of FEATURE_FIELDS)
      Object.defineProperty(proto, field, {
        get() {
          throw new UndeclaredTimeframeError(timeframe, field);
        },
      });
    undeclaredPrototypes.set(timeframe, proto);
  }
  return proto;
}

/** Features of a timeframe the engine does not track: every field but its name throws (one object per timeframe). */
const untracked = new Map<Timeframe, TimeframeFeatures>();
function untrackedFeatures(timeframe: Timeframe): TimeframeFeatures {
  let f = untracked.get(timeframe);
  if (!f) {
    const proto = Object.create(undeclaredPrototype(timeframe));
    for (const field of ['barsSeen', 'lastClosedTs'])
      Object.defineProperty(proto, field, {
        get() {
          throw new UndeclaredTimeframeError(timeframe, field);
        },
      });
    f = Object.freeze(Object.assign(Object.create(proto), { timeframe })) as TimeframeFeatures;
    untracked.set(timeframe, f);
  }
  return f;
}

/** Features of a timeframe without features: its bar counts; every other field throws. */
function undeclaredFeatures(timeframe: Timeframe, barsSeen: number, lastClosedTs: number | null): TimeframeFeatures {
  const f = Object.create(undeclaredPrototype(timeframe)) as TimeframeFeatures;
  f.timeframe = timeframe;
  f.barsSeen = barsSeen;
  f.lastClosedTs = lastClosedTs;
  return f;
}

/**
 * The ClosedFeatures subclass of a timeframe and declared indicators, shared by every market (and engine): features
 * of one layout, so a strategy reading them sees one object shape, not one per market.
 */
const featuresClasses = new Map<string, typeof ClosedFeatures>();
function featuresClassOf(timeframe: Timeframe, indicators: readonly IndicatorName[]): typeof ClosedFeatures {
  const key = `${timeframe}:${[...new Set(indicators)].sort().join(',')}`;
  let cls = featuresClasses.get(key);
  if (!cls) {
    cls = class extends ClosedFeatures {};
    defineUndeclaredIndicators(cls.prototype, new Set(indicators), timeframe);
    featuresClasses.set(key, cls);
  }
  return cls;
}

/** One timeframe of one market. */
class TimeframeState {
  /** Null when the engine computes no features for this timeframe (see `featureTimeframes`). */
  readonly indicators: BarIndicators | null;
  /** ClosedFeatures, or a subclass whose undeclared indicators throw (see `featureIndicators`). */
  readonly featuresClass: typeof ClosedFeatures;
  readonly history: BarHistory;
  /** Resamples base candles into this timeframe; null for the base timeframe itself. */
  readonly resampler: Resampler | null;
  barsSeen = 0;
  lastClosedTs: number | null = null;
  /** Features change only when a bar closes: built once per closed bar (key = barsSeen). */
  cached: TimeframeFeatures | null = null;
  /** End of the newest closed bar. */
  closedUntil = Number.NEGATIVE_INFINITY;
  /** Base candles before this are already in a closed bar or in a forming bar loaded by warm-up: skipped here. */
  coveredUntil = Number.NEGATIVE_INFINITY;

  constructor(
    readonly timeframe: Timeframe,
    isBase: boolean,
    dayBoundary: DayBoundary,
    capacity: number,
    withFeatures: boolean,
    indicators?: readonly IndicatorName[],
  ) {
    this.indicators = withFeatures
      ? new BarIndicators({
          vwapDay: timeframe === 'day' ? null : dayBoundary,
          only: indicators ? { indicators, timeframe } : undefined,
        })
      : null;
    this.featuresClass = indicators ? featuresClassOf(timeframe, indicators) : ClosedFeatures;
    this.history = new BarHistory(capacity, timeframeMs(timeframe));
    this.resampler = isBase ? null : new Resampler(timeframe, dayBoundary);
  }

  /** Records a closed bar; for resampled timeframes also feeds it to the indicators. */
  close(bar: Candle, feedIndicators: boolean): void {
    if (feedIndicators) this.indicators?.update(bar, false);
    this.history.push(bar);
    this.barsSeen++;
    this.lastClosedTs = bar.ts;
    this.closedUntil = bucketEnd(bar.ts, this.timeframe);
    this.coveredUntil = Math.max(this.coveredUntil, this.closedUntil);
  }
}

class MarketState {
  readonly tfs = new Map<Timeframe, TimeframeState>();
  /** The same states by TIMEFRAMES' index (undefined: not tracked here), for the snapshot's literal. */
  readonly slots: (TimeframeState | undefined)[] = TIMEFRAMES.map(() => undefined);
  /** The states built by resampling (all but the base), in the order of `tfs`: walked for every base candle. */
  resampled: TimeframeState[] = [];
  readonly base: TimeframeState;
  readonly quality: QualityMonitor;
  /** Newest base candle; while `latestOpen` it is the forming bar, not yet closed. */
  latest: Candle | null = null;
  latestOpen = false;
  /**
   * The forming bar reaches the base indicators only when a snapshot asks for it (then revised with
   * update(bar, true) as it changes) or when it closes; a backtest that looks only at closed bars never pays
   * for it. `formingApplied`: it is in the indicators; `formingStale`: a newer revision is not.
   */
  formingApplied = false;
  formingStale = false;
  /** Base indicator values of the closed bars, kept while the forming bar sits on top of them. */
  closedValues: IndicatorValues | null = null;
  regimeCache: { key: number; regime: Regime } | null = null;
  readonly corrCache = new Map<string, { key: string; value: number | null }>();

  constructor(
    readonly market: string,
    o: FeatureEngineOptions,
    capacity: number,
  ) {
    const baseMs = timeframeMs(o.baseTimeframe);
    for (const tf of TIMEFRAMES) {
      if (timeframeMs(tf) >= baseMs && isTracked(o, tf)) {
        this.track(
          tf,
          new TimeframeState(
            tf,
            tf === o.baseTimeframe,
            o.dayBoundary,
            capacity,
            hasFeatures(o, tf),
            o.featureIndicators[tf],
          ),
        );
      }
    }
    this.base = this.tfs.get(o.baseTimeframe)!;
    this.quality = new QualityMonitor({
      ...o.quality,
      timeframe: o.baseTimeframe,
      dayBoundary: o.dayBoundary,
      revisions: true,
    });
  }

  track(tf: Timeframe, state: TimeframeState): void {
    this.tfs.set(tf, state);
    this.slots[TIMEFRAMES.indexOf(tf)] = state;
    this.resampled = [...this.tfs.values()].filter((s) => s.resampler !== null);
  }
}

type BarField = 'ts' | 'open' | 'high' | 'low' | 'close' | 'volume';

/**
 * Writes one declared indicator into closed features under its own name: a store by a constant key, which V8 keeps
 * fast (one shape per set of declared indicators), where `features[name] = value` was a keyed store by a variable
 * name, a tenth of a snapshot.
 */
function writeIndicator(features: object, name: IndicatorName, value: unknown): void {
  const f = features as Record<IndicatorName, unknown>;
  switch (name) {
    case 'ema9':
      f.ema9 = value;
      return;
    case 'ema21':
      f.ema21 = value;
      return;
    case 'ema50':
      f.ema50 = value;
      return;
    case 'ema200':
      f.ema200 = value;
      return;
    case 'sma9':
      f.sma9 = value;
      return;
    case 'sma21':
      f.sma21 = value;
      return;
    case 'sma50':
      f.sma50 = value;
      return;
    case 'sma200':
      f.sma200 = value;
      return;
    case 'macd':
      f.macd = value;
      return;
    case 'adx':
      f.adx = value;
      return;
    case 'plusDi':
      f.plusDi = value;
      return;
    case 'minusDi':
      f.minusDi = value;
      return;
    case 'rsi14':
      f.rsi14 = value;
      return;
    case 'rsi7':
      f.rsi7 = value;
      return;
    case 'stochK':
      f.stochK = value;
      return;
    case 'stochD':
      f.stochD = value;
      return;
    case 'roc':
      f.roc = value;
      return;
    case 'cumReturn':
      f.cumReturn = value;
      return;
    case 'atr':
      f.atr = value;
      return;
    case 'bb':
      f.bb = value;
      return;
    case 'realizedVol':
      f.realizedVol = value;
      return;
    case 'vwap':
      f.vwap = value;
      return;
    case 'obv':
      f.obv = value;
      return;
    case 'volumeSpike':
      f.volumeSpike = value;
      return;
    case 'vpt':
      f.vpt = value;
      return;
  }
}

/**
 * Closed-bar features of one timeframe: indicator values as fields, every key written out (object spread of this
 * many keys is slow). The recent bars (`ts`, `opens`, ... `volumes`) are copied off the timeframe's ring only when
 * first read: most strategies read one of them or none, and six copies per closed bar of every timeframe were a
 * large part of a backtest. Read after the timeframe's next bar closed, the ring would show that bar as well: that
 * throws (LookAheadError). Frozen (the copies too) and shared by every snapshot until the next bar closes.
 */
class ClosedFeatures implements TimeframeFeatures {
  readonly close: number;
  declare readonly ema9: number | null;
  declare readonly ema21: number | null;
  declare readonly ema50: number | null;
  declare readonly ema200: number | null;
  declare readonly sma9: number | null;
  declare readonly sma21: number | null;
  declare readonly sma50: number | null;
  declare readonly sma200: number | null;
  declare readonly macd: IndicatorValues['macd'];
  declare readonly adx: number | null;
  declare readonly plusDi: number | null;
  declare readonly minusDi: number | null;
  declare readonly rsi14: number | null;
  declare readonly rsi7: number | null;
  declare readonly stochK: number | null;
  declare readonly stochD: number | null;
  declare readonly roc: number | null;
  declare readonly cumReturn: number | null;
  declare readonly atr: number | null;
  declare readonly bb: IndicatorValues['bb'];
  declare readonly realizedVol: number | null;
  declare readonly vwap: number | null;
  declare readonly obv: number | null;
  declare readonly volumeSpike: number | null;
  declare readonly vpt: number | null;
  readonly timeframe: Timeframe;
  readonly barsSeen: number;
  readonly lastClosedTs: number | null;
  /** The timeframe whose ring holds the bars (null: no closed bar, empty lists). */
  readonly #state: TimeframeState | null;
  readonly #market: string;
  readonly #length: number;
  /** The indicators shown, or null for all of them. */
  readonly #declared: readonly IndicatorName[] | null;
  /** The bars copied off the ring so far (made at the first read: most features are never asked for bars). */
  #copies: Partial<Record<BarField, number[]>> | undefined;

  constructor(
    timeframe: Timeframe,
    /** The values, or (declared indicators only) the indicators to read them from: no values object between. */
    v: IndicatorValues | BarIndicators | null,
    barsSeen: number,
    lastClosedTs: number | null,
    state: TimeframeState | null,
    market: string,
    length: number,
    declared: readonly IndicatorName[] | null,
  ) {
    this.close = v ? v.close : Number.NaN;
    this.timeframe = timeframe;
    this.barsSeen = barsSeen;
    this.lastClosedTs = lastClosedTs;
    this.#state = state;
    this.#market = market;
    this.#length = length;
    this.#declared = declared;
    if (declared !== null) {
      // Own fields for the declared indicators only: the others are the prototype's throwing getters.
      if (v instanceof BarIndicators)
        for (let i = 0; i < declared.length; i++) writeIndicator(this, declared[i], v.indicator(declared[i]));
      else for (let i = 0; i < declared.length; i++) writeIndicator(this, declared[i], v ? v[declared[i]] : null);
      return;
    }
    if (v instanceof BarIndicators) throw new Error('ClosedFeatures: every indicator comes from a values object');
    this.ema9 = v ? v.ema9 : null;
    this.ema21 = v ? v.ema21 : null;
    this.ema50 = v ? v.ema50 : null;
    this.ema200 = v ? v.ema200 : null;
    this.sma9 = v ? v.sma9 : null;
    this.sma21 = v ? v.sma21 : null;
    this.sma50 = v ? v.sma50 : null;
    this.sma200 = v ? v.sma200 : null;
    this.macd = v ? v.macd : null;
    this.adx = v ? v.adx : null;
    this.plusDi = v ? v.plusDi : null;
    this.minusDi = v ? v.minusDi : null;
    this.rsi14 = v ? v.rsi14 : null;
    this.rsi7 = v ? v.rsi7 : null;
    this.stochK = v ? v.stochK : null;
    this.stochD = v ? v.stochD : null;
    this.roc = v ? v.roc : null;
    this.cumReturn = v ? v.cumReturn : null;
    this.atr = v ? v.atr : null;
    this.bb = v ? v.bb : null;
    this.realizedVol = v ? v.realizedVol : null;
    this.vwap = v ? v.vwap : null;
    this.obv = v ? v.obv : null;
    this.volumeSpike = v ? v.volumeSpike : null;
    this.vpt = v ? v.vpt : null;
  }

  get ts(): number[] {
    return this.#bars('ts');
  }

  get opens(): number[] {
    return this.#bars('open');
  }

  get highs(): number[] {
    return this.#bars('high');
  }

  get lows(): number[] {
    return this.#bars('low');
  }

  get closes(): number[] {
    return this.#bars('close');
  }

  get volumes(): number[] {
    return this.#bars('volume');
  }

  /** Every field as a plain object, in TimeframeFeatures' order (JSON, logs, deep equality in tests). */
  toJSON(): TimeframeFeatures {
    const out: Record<string, unknown> = { close: this.close };
    for (const name of INDICATOR_NAMES)
      if (this.#declared === null || this.#declared.includes(name)) out[name] = this[name];
    out.timeframe = this.timeframe;
    out.barsSeen = this.barsSeen;
    out.lastClosedTs = this.lastClosedTs;
    out.ts = this.ts;
    out.opens = this.opens;
    out.highs = this.highs;
    out.lows = this.lows;
    out.closes = this.closes;
    out.volumes = this.volumes;
    return out as TimeframeFeatures;
  }

  #bars(field: BarField): number[] {
    this.#copies ??= {};
    this.#copies[field] ??= this.#copyBars(field);
    return this.#copies[field];
  }

  #copyBars(field: BarField): number[] {
    const state = this.#state;
    if (state === null) return Object.freeze([]) as unknown as number[];
    if (state.barsSeen !== this.barsSeen)
      throw new LookAheadError(
        this.#market,
        state.closedUntil,
        `${this.timeframe} bars read from features of the bar at ${this.lastClosedTs} after a later bar closed (read a snapshot's bars before feeding the engine more candles)`,
      );
    return Object.freeze(state.history.last(field, this.#length)) as number[];
  }
}

export class FeatureEngine {
  readonly options: FeatureEngineOptions;
  private readonly markets = new Map<string, MarketState>();
  private readonly baseMs: number;
  /** By TIMEFRAMES' index, the features of a timeframe a market does not track: shorter than the base, or untracked. */
  private readonly untrackedByIndex: TimeframeFeatures[];
  private readonly capacity: number;

  constructor(options: Partial<FeatureEngineOptions> = {}) {
    const o: FeatureEngineOptions = { ...DEFAULT_FEATURE_ENGINE_OPTIONS, ...options };
    this.baseMs = timeframeMs(o.baseTimeframe);
    // A statistic on a timeframe shorter than the base one runs on the base timeframe instead.
    const atLeastBase = (tf: Timeframe): Timeframe => (timeframeMs(tf) >= this.baseMs ? tf : o.baseTimeframe);
    o.correlation = { ...o.correlation, timeframe: atLeastBase(o.correlation.timeframe) };
    o.regime = { ...o.regime, timeframe: atLeastBase(o.regime.timeframe) };
    o.volIndex = { ...o.volIndex, timeframe: atLeastBase(o.volIndex.timeframe) };
    for (const [name, n] of [
      ['historyLength', o.historyLength],
      ['correlation.window', o.correlation.window],
      ['regime.window', o.regime.window],
      ['volIndex.topN', o.volIndex.topN],
      ['volIndex.valueBars', o.volIndex.valueBars],
      ['btcWindowMinutes', o.btcWindowMinutes],
    ] as const) {
      if (!Number.isInteger(n) || n < 1) throw new Error(`FeatureEngine: ${name} must be a positive integer, got ${n}`);
    }
    if (o.featureTimeframes !== 'all')
      for (const tf of o.featureTimeframes)
        if (!TIMEFRAMES.includes(tf)) throw new Error(`FeatureEngine: featureTimeframes: unknown timeframe ${tf}`);
    for (const tf of Object.keys(o.featureIndicators))
      if (!TIMEFRAMES.includes(tf as Timeframe))
        throw new Error(`FeatureEngine: featureIndicators: unknown timeframe ${tf}`);
    if (o.trackedTimeframes !== 'all')
      for (const tf of o.trackedTimeframes)
        if (!TIMEFRAMES.includes(tf)) throw new Error(`FeatureEngine: trackedTimeframes: unknown timeframe ${tf}`);
    this.options = o;
    const btcWindowBars = Math.ceil((o.btcWindowMinutes * 60_000) / this.baseMs) + 1;
    this.capacity = Math.max(
      o.historyLength,
      o.correlation.window + 1,
      o.regime.window + 1,
      o.volIndex.valueBars,
      REALIZED_VOL_BARS + 1,
      btcWindowBars,
    );
    this.untrackedByIndex = TIMEFRAMES.map((tf) =>
      timeframeMs(tf) < this.baseMs ? this.emptyFeatures(tf) : untrackedFeatures(tf),
    );
  }

  /** Markets the engine has data for. */
  marketsSeen(): string[] {
    return [...this.markets.keys()];
  }

  /**
   * Feeds one base-timeframe candle, closed or forming. A candle with the same `ts` as the previous one revises
   * it (the forming bar); older candles and broken ones are rejected and recorded as quality issues. `checked`: the
   * caller checked the candle (checkCandle, isCandleBar) and will not change it: it is kept as it is, not copied.
   */
  ingest(market: string, candle: Candle, checked = false): IngestResult {
    this.changes++;
    const st = this.state(market);
    const seen = st.quality.observe(candle, checked);
    if (seen.action === 'reject') return { action: 'reject', issues: seen.issues };
    const c = seen.candle;
    if (seen.action === 'replace') {
      if (!st.latestOpen) return { action: 'ignored', issues: seen.issues };
      st.formingStale = st.formingApplied;
    } else {
      if (st.latestOpen) this.closeBase(st);
      if (c.ts < st.base.closedUntil) return { action: 'ignored', issues: seen.issues };
      st.formingApplied = false;
      st.formingStale = false;
    }
    st.latest = c;
    st.latestOpen = true;
    for (const tf of st.resampled) {
      if (c.ts < tf.coveredUntil) continue;
      const closed = tf.resampler!.push(c);
      if (closed) tf.close(closed, true);
    }
    return seen.action === 'append' && seen.issues.length === 0
      ? APPENDED
      : { action: seen.action, issues: seen.issues };
  }

  /**
   * Loads closed history of one timeframe for a market, oldest first. With `asOfTs` (when the history was
   * fetched), a bar ending after it is the exchange's forming bar: it starts this timeframe's forming bar, and
   * base candles from the minute holding `asOfTs` on are merged into it (that one minute may count twice in the
   * volume, a small overstatement preferred to missing the minute).
   * Base-timeframe history goes through `ingest` (quality checks included) and is resampled into the longer
   * timeframes; a longer timeframe's own history replaces what resampling built there, and the base candles
   * after it are replayed on top, so the order of warm-up calls does not matter.
   * Broken, misaligned, duplicate or out-of-order candles are skipped and listed.
   */
  warmUp(market: string, timeframe: Timeframe, candles: readonly Candle[], asOfTs?: number): WarmUpResult {
    this.changes++;
    const st = this.state(market);
    const existing = st.tfs.get(timeframe);
    if (!existing && timeframeMs(timeframe) < this.baseMs) {
      throw new Error(`warmUp: ${timeframe} is shorter than the engine's base timeframe ${this.options.baseTimeframe}`);
    }
    const result: WarmUpResult = { accepted: 0, rejected: [] };
    const reject = (ts: number, reason: string) => result.rejected.push({ ts, reason });
    const len = timeframeMs(timeframe);
    if (existing === st.base) {
      for (const c of candles) {
        if (asOfTs !== undefined && c?.ts + len > asOfTs) break;
        const r = this.ingest(market, c);
        if (r.action === 'reject' || r.action === 'ignored')
          reject(c?.ts, r.issues.map((i) => i.detail).join('; ') || r.action);
        else result.accepted++;
      }
      if (st.latestOpen) this.closeBase(st);
      return result;
    }
    const tf = new TimeframeState(
      timeframe,
      false,
      this.options.dayBoundary,
      this.capacity,
      hasFeatures(this.options, timeframe),
      this.options.featureIndicators[timeframe],
    );
    st.track(timeframe, tf);
    for (const raw of candles) {
      const check = checkCandle(raw);
      if (!check.ok) {
        reject(raw?.ts, check.problems.join('; '));
        continue;
      }
      const c = check.candle;
      if (bucketStart(c.ts, timeframe, this.options.dayBoundary) !== c.ts) {
        const hint =
          timeframe === 'day' ? ` (this engine's days start at 00:00 ${this.options.dayBoundary.toUpperCase()})` : '';
        reject(c.ts, `not the open time of a ${timeframe} bar${hint}`);
        continue;
      }
      if (c.ts < tf.closedUntil) {
        reject(c.ts, 'not after the previous bar');
        continue;
      }
      if (asOfTs !== undefined && c.ts + len > asOfTs) {
        if (c.ts <= asOfTs) {
          tf.resampler!.seed(c);
          tf.coveredUntil = Math.floor(asOfTs / this.baseMs) * this.baseMs;
          result.accepted++;
        }
        break;
      }
      tf.close(c, true);
      result.accepted++;
    }
    // Replay the base candles this engine already holds that fall after the loaded history.
    const h = st.base.history;
    const cols = (['ts', 'open', 'high', 'low', 'close', 'volume', 'value'] as const).map((f) => h.last(f, h.length));
    const replay: Candle[] = cols[0].map((ts, k) => ({
      ts,
      open: cols[1][k],
      high: cols[2][k],
      low: cols[3][k],
      close: cols[4][k],
      volume: cols[5][k],
      value: cols[6][k],
    }));
    if (st.latestOpen && st.latest) replay.push(st.latest);
    for (const c of replay) {
      if (c.ts < tf.coveredUntil) continue;
      const closed = tf.resampler!.push(c);
      if (closed) tf.close(closed, true);
    }
    return result;
  }

  /** What a decision at `decisionTs` may know about `market`. */
  snapshot(market: string, decisionTs: number): FeatureSnapshot {
    if (!Number.isFinite(decisionTs)) throw new Error(`snapshot: decision time ${decisionTs} is not a number`);
    const st = this.markets.get(market) ?? new MarketState(market, this.options, this.capacity);
    this.advance(st, decisionTs);
    const formingVisible = st.latestOpen && st.latest !== null && st.latest.ts < decisionTs;
    // Written at once, keys in TIMEFRAMES' order: every snapshot's timeframes have one shape (the keyed stores of a
    // loop were a tenth of a snapshot).
    // By TIMEFRAMES' index: no lookup by name.
    const timeframes: Record<Timeframe, TimeframeFeatures> = {
      minute1: this.timeframeFeatures(st, 0, decisionTs),
      minute5: this.timeframeFeatures(st, 1, decisionTs),
      minute15: this.timeframeFeatures(st, 2, decisionTs),
      minute60: this.timeframeFeatures(st, 3, decisionTs),
      minute240: this.timeframeFeatures(st, 4, decisionTs),
      day: this.timeframeFeatures(st, 5, decisionTs),
    };
    return new EngineSnapshot(
      this,
      st,
      decisionTs,
      timeframes,
      formingVisible ? { candle: st.latest!, values: this.formingValues(st) } : null,
      this.lastPrice(st, decisionTs),
      st.quality.status(decisionTs),
    );
  }

  /** Counts what changes the engine's state (ingested and warmed-up candles): a lazy snapshot figure checks it. */
  changes = 0;

  /**
   * Correlation of two markets' bar returns at `decisionTs`: the statistic `corrBtc` is (options.correlation:
   * 60-minute returns over 48 bars by default, matched by open time), for any pair. The session and the
   * backtester both feed the risk engine's correlation cap from here. Null while too few returns pair up.
   */
  correlation(market: string, other: string, decisionTs: number): number | null {
    const st = this.markets.get(market);
    if (!st) return null;
    this.advance(st, decisionTs);
    return this.correlationWith(st, other, decisionTs);
  }

  // A method, not a closure in snapshot(): under tsx every named closure costs a defineProperty per call.
  /** @internal (EngineSnapshot) */
  correlationWith(st: MarketState, other: string, decisionTs: number): number | null {
    const corr = this.options.correlation;
    const o = this.markets.get(other);
    if (!o) return null;
    this.advance(o, decisionTs);
    // Both series only change when a bar of the correlation timeframe closes in either market.
    const otherTf = o.tfs.get(corr.timeframe);
    const key = `${st.tfs.get(corr.timeframe)?.barsSeen}:${otherTf?.barsSeen}:${decisionTs >= (otherTf?.closedUntil ?? 0)}`;
    const hit = st.corrCache.get(other);
    if (hit?.key === key) return hit.value;
    const value = returnCorrelation(
      this.returnSeries(st, corr.timeframe, corr.window + 1, decisionTs),
      this.returnSeries(o, corr.timeframe, corr.window + 1, decisionTs),
      timeframeMs(corr.timeframe),
      corr.window,
    );
    st.corrCache.set(other, { key, value });
    return value;
  }

  /**
   * Market-wide figures at `decisionTs`, from closed bars only. Each pair (the volatility index, KRW-BTC's return and
   * drop) is computed when first read, then kept; read after the engine took more candles it throws (LookAheadError).
   */
  context(decisionTs: number): MarketContext {
    for (const st of this.markets.values()) this.advance(st, decisionTs);
    return new EngineContext(this, decisionTs);
  }

  /** @internal (EngineContext) volIndex over every market, with the markets behind it. */
  volIndexAt(decisionTs: number): { volIndex: number | null; volIndexMarkets: number } {
    const { volIndex } = this.options;
    const ranked: { value: number; vol: number }[] = [];
    for (const st of this.markets.values()) {
      const s = this.closeSeries(
        st,
        volIndex.timeframe,
        Math.max(REALIZED_VOL_BARS + 1, volIndex.valueBars),
        decisionTs,
      );
      if (s.closes.length < REALIZED_VOL_BARS + 1) continue;
      const values = this.visible(st, volIndex.timeframe, 'value', volIndex.valueBars, decisionTs);
      let value = 0;
      for (const v of values) value += v;
      ranked.push({ value, vol: logReturnStd(s.closes.slice(s.closes.length - REALIZED_VOL_BARS - 1)) });
    }
    ranked.sort((a, b) => b.value - a.value);
    const top = ranked.slice(0, volIndex.topN);
    return {
      volIndex: top.length ? top.reduce((s, m) => s + m.vol, 0) / top.length : null,
      volIndexMarkets: top.length,
    };
  }

  /** @internal (EngineContext) KRW-BTC's return and drop over btcWindowMinutes. */
  btcMoveAt(decisionTs: number): { btcReturn: number | null; btcDrop: number | null } {
    const { btcWindowMinutes, btcMarket } = this.options;
    const btc = this.markets.get(btcMarket);
    let btcReturn: number | null = null;
    let btcDrop: number | null = null;
    if (btc) {
      const base = this.options.baseTimeframe;
      const from = decisionTs - btcWindowMinutes * 60_000;
      const s = this.closeSeries(btc, base, this.capacity, decisionTs);
      const last = this.lastPrice(btc, decisionTs);
      // The reference is the newest close at or before the window start; the peak is over closes inside it.
      let ref: number | null = null;
      let peak = last ?? Number.NEGATIVE_INFINITY;
      for (let i = 0; i < s.ts.length; i++) {
        const closedAt = s.ts[i] + this.baseMs;
        if (closedAt <= from) ref = s.closes[i];
        else peak = Math.max(peak, s.closes[i]);
      }
      if (last !== null && ref !== null) {
        btcReturn = last / ref - 1;
        btcDrop = (Math.max(peak, ref) - last) / Math.max(peak, ref);
      }
    }
    return { btcReturn, btcDrop };
  }

  /** Quality issues recorded for a market within its recent window, blocking or not (gaps with sizes). */
  qualityIssues(market: string): readonly QualityIssue[] {
    return this.markets.get(market)?.quality.recentIssues() ?? [];
  }

  private state(market: string): MarketState {
    let st = this.markets.get(market);
    if (!st) {
      st = new MarketState(market, this.options, this.capacity);
      this.markets.set(market, st);
    }
    return st;
  }

  private closeBase(st: MarketState): void {
    const bar = st.latest!;
    const ind = st.base.indicators;
    if (ind && !st.formingApplied) ind.update(bar, false);
    else if (ind && st.formingStale) ind.update(bar, true);
    st.base.close(bar, false);
    st.latestOpen = false;
    st.formingApplied = false;
    st.formingStale = false;
    st.closedValues = null;
  }

  /** Puts the forming bar into the base indicators (keeping the closed values first) and reads them. */
  private formingValues(st: MarketState): IndicatorValues {
    const ind = st.base.indicators;
    if (!ind) return Object.create(undeclaredPrototype(st.base.timeframe)) as IndicatorValues;
    if (!st.formingApplied) {
      st.closedValues = st.base.barsSeen > 0 ? ind.values() : null;
      ind.update(st.latest!, false);
      st.formingApplied = true;
    } else if (st.formingStale) ind.update(st.latest!, true);
    st.formingStale = false;
    return ind.values();
  }

  /** Closes every bar whose end has passed by `ts` (time closes bars: Upbit sends no candle for quiet minutes). */
  private advance(st: MarketState, ts: number): void {
    if (st.latestOpen && st.latest !== null && st.latest.ts + this.baseMs <= ts) this.closeBase(st);
    for (const tf of st.resampled) {
      const closed = tf.resampler!.closeUntil(ts);
      if (closed) tf.close(closed, true);
    }
  }

  /** The features of TIMEFRAMES[i]: computed where the market tracks it, otherwise the engine's fixed ones. */
  private timeframeFeatures(st: MarketState, i: number, decisionTs: number): TimeframeFeatures {
    const state = st.slots[i];
    return state ? this.features(st, state, decisionTs) : this.untrackedByIndex[i];
  }

  private features(st: MarketState, tf: TimeframeState, decisionTs: number): TimeframeFeatures {
    if (tf.barsSeen === 0)
      return tf.indicators
        ? new tf.featuresClass(tf.timeframe, null, 0, null, null, st.market, 0, tf.indicators.declared)
        : this.emptyFeatures(tf.timeframe);
    if (tf.closedUntil > decisionTs) {
      throw new LookAheadError(
        st.market,
        decisionTs,
        `its ${tf.timeframe} bar at ${tf.lastClosedTs} closes only at ${tf.closedUntil} (take snapshots as candles arrive; give warmUp the fetch time as asOfTs so the exchange's forming bar is not taken as closed)`,
      );
    }
    if (tf.cached?.barsSeen === tf.barsSeen) return tf.cached;
    if (!tf.indicators) {
      tf.cached = Object.freeze(undeclaredFeatures(tf.timeframe, tf.barsSeen, tf.lastClosedTs));
      return tf.cached;
    }
    // Once the forming bar is in the base indicators, the closed values are the ones kept from before it. Otherwise
    // declared indicators are read straight from the indicators.
    const ind = tf.indicators;
    const v =
      tf === st.base && st.formingApplied && st.closedValues
        ? st.closedValues
        : ind.declared !== null
          ? ind
          : ind.values();
    // Shared by every snapshot until the next bar closes, so no caller may change it.
    tf.cached = Object.freeze(
      new tf.featuresClass(
        tf.timeframe,
        v,
        tf.barsSeen,
        tf.lastClosedTs,
        tf,
        st.market,
        this.options.historyLength,
        tf.indicators.declared,
      ),
    );
    return tf.cached;
  }

  /** Features of a timeframe with no bar (or shorter than the base one): the same for every market, built once. */
  private readonly empty = new Map<Timeframe, TimeframeFeatures>();

  private emptyFeatures(tf: Timeframe): TimeframeFeatures {
    let f = this.empty.get(tf);
    if (!f) {
      f = Object.freeze(
        hasFeatures(this.options, tf)
          ? new ClosedFeatures(tf, null, 0, null, null, '', 0, null)
          : undeclaredFeatures(tf, 0, null),
      );
      this.empty.set(tf, f);
    }
    return f;
  }

  /** Newest `n` values of a field over bars closed by `decisionTs`. */
  private visible(st: MarketState, tf: Timeframe, field: 'close' | 'value', n: number, decisionTs: number): number[] {
    const s = st.tfs.get(tf);
    if (!s) return [];
    const { closed, later } = this.closedBy(s, n + 1, decisionTs);
    return s.history.last(field, Math.min(closed, n), later);
  }

  private closeSeries(st: MarketState, tf: Timeframe, n: number, decisionTs: number): CloseSeries {
    const s = st.tfs.get(tf);
    if (!s) return { ts: [], closes: [] };
    const { closed, later } = this.closedBy(s, n, decisionTs);
    return { ts: s.history.last('ts', closed, later), closes: s.history.last('close', closed, later) };
  }

  /** The newest `n` bars closed by `decisionTs` as open times and the log returns of all but the first. */
  private returnSeries(st: MarketState, tf: Timeframe, n: number, decisionTs: number): ReturnSeries {
    const s = st.tfs.get(tf);
    if (!s) return { ts: [], returns: [] };
    const { closed, later } = this.closedBy(s, n, decisionTs);
    return { ts: s.history.last('ts', closed, later), returns: s.history.lastReturns(closed - 1, later) };
  }

  /** Of the newest `n` bars kept, how many had closed by `decisionTs`, and how many newer ones had not. */
  private closedBy(s: TimeframeState, n: number, decisionTs: number): { closed: number; later: number } {
    const len = timeframeMs(s.timeframe);
    const kept = Math.min(n, s.history.length);
    let later = 0;
    while (later < kept && s.history.at('ts', later) + len > decisionTs) later++;
    return { closed: kept - later, later };
  }

  /** @internal (EngineContext) */
  lastPrice(st: MarketState, decisionTs: number): number | null {
    if (st.latest !== null && st.latest.ts < decisionTs) return st.latest.close;
    const closes = this.visible(st, this.options.baseTimeframe, 'close', 1, decisionTs);
    return closes.length ? closes[0] : null;
  }

  /** @internal (EngineSnapshot) */
  regime(st: MarketState, decisionTs: number): Regime {
    const r = this.options.regime;
    // The key (newest visible bar and count) is read off the ring: the series is built only when it changed.
    const tf = st.tfs.get(r.timeframe);
    const { closed, later } = tf ? this.closedBy(tf, r.window + 1, decisionTs) : { closed: 0, later: 0 };
    const key = tf && closed ? tf.history.at('ts', later) * 1000 + closed : -1;
    if (st.regimeCache?.key === key) return st.regimeCache.regime;
    // The returns of the window's bars but its first (whose bar before is outside it), gaps left out.
    const all = tf && closed > 1 ? tf.history.lastReturns(closed - 1, later) : [];
    const returns = all.includes(Number.NaN) ? all.filter((x) => !Number.isNaN(x)) : all;
    const regime = classifyRegime(hurstExponent(returns, HURST_LAGS), r);
    st.regimeCache = { key, regime };
    return regime;
  }
}

/**
 * A FeatureEngine snapshot. The market-relation figures (correlation with KRW-BTC and KRW-ETH, the Hurst regime) are
 * computed when first read, then kept: most strategies never read them, and on 60-minute bars they were about a
 * quarter of a backtest's time. Read after the engine took more candles they would no longer be the decision
 * time's figures, so that throws.
 */
class EngineSnapshot implements FeatureSnapshot {
  #corrBtc: number | null | undefined;
  #corrEth: number | null | undefined;
  #regime: Regime | undefined;
  readonly #changes: number;
  readonly #engine: FeatureEngine;
  readonly #st: MarketState;
  readonly market: string;

  constructor(
    engine: FeatureEngine,
    st: MarketState,
    readonly decisionTs: number,
    readonly timeframes: Record<Timeframe, TimeframeFeatures>,
    readonly forming: FeatureSnapshot['forming'],
    readonly lastPrice: number | null,
    readonly quality: FeatureSnapshot['quality'],
  ) {
    this.#engine = engine;
    this.#st = st;
    this.market = st.market;
    this.#changes = engine.changes;
  }

  get corrBtc(): number | null {
    if (this.#corrBtc === undefined)
      this.#corrBtc = this.#engine.correlationWith(this.#st, this.#engine.options.btcMarket, this.#current());
    return this.#corrBtc;
  }

  get corrEth(): number | null {
    if (this.#corrEth === undefined)
      this.#corrEth = this.#engine.correlationWith(this.#st, this.#engine.options.ethMarket, this.#current());
    return this.#corrEth;
  }

  get regime(): Regime {
    this.#regime ??= this.#engine.regime(this.#st, this.#current());
    return this.#regime;
  }

  /** Every field as a plain object (JSON, logs, deep equality in tests). */
  toJSON(): FeatureSnapshot {
    return {
      market: this.market,
      decisionTs: this.decisionTs,
      timeframes: this.timeframes,
      forming: this.forming,
      lastPrice: this.lastPrice,
      corrBtc: this.corrBtc,
      corrEth: this.corrEth,
      regime: this.regime,
      quality: this.quality,
    };
  }

  #current(): number {
    if (this.#engine.changes !== this.#changes)
      throw new LookAheadError(
        this.#st.market,
        this.decisionTs,
        'a correlation or regime read from a snapshot after the engine took more candles',
      );
    return this.decisionTs;
  }
}

/**
 * A FeatureEngine market context. Most strategies read none of it, and the volatility index ranks every market: the
 * figures are computed when first read (both of a pair at once), then kept; after the engine took more candles a
 * first read throws, as it would no longer give the decision time's figures. `toJSON` gives every field.
 */
class EngineContext implements MarketContext {
  readonly decisionTs: number;
  readonly btcWindowMinutes: number;
  readonly #engine: FeatureEngine;
  readonly #changes: number;
  #vol: { volIndex: number | null; volIndexMarkets: number } | undefined;
  #btc: { btcReturn: number | null; btcDrop: number | null } | undefined;

  constructor(engine: FeatureEngine, decisionTs: number) {
    this.decisionTs = decisionTs;
    this.btcWindowMinutes = engine.options.btcWindowMinutes;
    this.#engine = engine;
    this.#changes = engine.changes;
  }

  get volIndex(): number | null {
    this.#vol ??= this.#engine.volIndexAt(this.#current());
    return this.#vol.volIndex;
  }

  get volIndexMarkets(): number {
    this.#vol ??= this.#engine.volIndexAt(this.#current());
    return this.#vol.volIndexMarkets;
  }

  get btcReturn(): number | null {
    this.#btc ??= this.#engine.btcMoveAt(this.#current());
    return this.#btc.btcReturn;
  }

  get btcDrop(): number | null {
    this.#btc ??= this.#engine.btcMoveAt(this.#current());
    return this.#btc.btcDrop;
  }

  /** Every field as a plain object, in MarketContext's order (JSON, logs, deep equality in tests). */
  toJSON(): MarketContext {
    return {
      decisionTs: this.decisionTs,
      volIndex: this.volIndex,
      volIndexMarkets: this.volIndexMarkets,
      btcReturn: this.btcReturn,
      btcDrop: this.btcDrop,
      btcWindowMinutes: this.btcWindowMinutes,
    };
  }

  #current(): number {
    if (this.#engine.changes !== this.#changes)
      throw new LookAheadError(
        '(context)',
        this.decisionTs,
        'a market context read after the engine took more candles',
      );
    return this.decisionTs;
  }
}
