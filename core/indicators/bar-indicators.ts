// Every per-bar indicator of one market on one timeframe, updated one bar at a time. `update(bar, true)` revises
// the newest bar (the forming one) instead of recomputing history, as trading-signals does.
import { ADX, ATR, EMA, MACD, OBV, ROC, VWAP } from 'trading-signals';
import { type Candle, dayStart, KST_OFFSET_MS } from '../market/candles';
import type { DayBoundary } from '../market/timeframes';
import type { IndicatorValues } from './snapshot';
import { Bollinger, MovingSums, Ring, SteadyRSI, SteadyWSMA, Stochastic } from './window-stats';

/** Bars of log returns behind realizedVol, of volume behind volumeSpike, and behind cumReturn. */
export const REALIZED_VOL_BARS = 20;
export const VOLUME_SPIKE_BARS = 20;
export const CUM_RETURN_BARS = 50;

type Stable = { isStable: boolean; getResult(): unknown };
function resultOf<T>(ind: Stable): T | null {
  // isStable is a plain field check on these classes; getResult() on an unwarmed one throws internally (slow).
  return ind.isStable ? (ind.getResult() as T) : null;
}

/** Sample standard deviation of the log returns of `closes` (oldest first). */
export function logReturnStd(closes: readonly number[]): number {
  const n = closes.length - 1;
  let sum = 0;
  let sumSq = 0;
  for (let i = 1; i <= n; i++) {
    const r = Math.log(closes[i] / closes[i - 1]);
    sum += r;
    sumSq += r * r;
  }
  const mean = sum / n;
  return Math.sqrt(Math.max(0, (sumSq - n * mean * mean) / (n - 1)));
}

/** One indicator of IndicatorValues (all but the close). */
export type IndicatorName = Exclude<keyof IndicatorValues, 'close'>;

/** Every indicator, in IndicatorValues' order; the Record type makes the compiler point here when one is added. */
export const INDICATOR_NAMES = Object.keys({
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
} satisfies Record<IndicatorName, 0>) as IndicatorName[];

/** An indicator was read that its BarIndicators (or FeatureEngine timeframe) was not asked to compute. */
export class UndeclaredIndicatorError extends Error {
  constructor(
    readonly indicator: IndicatorName,
    readonly timeframe: string,
  ) {
    super(
      `${timeframe}.${indicator} read, but it is not computed here: a strategy that lists its indicators ` +
        '(Strategy.indicators) must list every one it reads on that timeframe',
    );
    this.name = 'UndeclaredIndicatorError';
  }
}

/**
 * Gives `target` (a prototype) a throwing getter for every indicator not in `declared`: values and features built on
 * it show the declared ones as own fields, and reading another fails loudly instead of looking like "not warmed up".
 */
export function defineUndeclaredIndicators(
  target: object,
  declared: ReadonlySet<IndicatorName>,
  timeframe: string,
): void {
  for (const name of INDICATOR_NAMES)
    if (!declared.has(name))
      Object.defineProperty(target, name, {
        get() {
          throw new UndeclaredIndicatorError(name, timeframe);
        },
      });
}

/**
 * One values prototype per timeframe and declared set, shared by every market's BarIndicators: values objects of one
 * shape, so the code reading them (strategies, the decision path) sees one object layout, not one per market.
 */
const valuesPrototypes = new Map<string, object>();
function valuesPrototypeOf(declared: ReadonlySet<IndicatorName>, timeframe: string): object {
  const key = `${timeframe}:${[...declared].sort().join(',')}`;
  let proto = valuesPrototypes.get(key);
  if (!proto) {
    proto = {};
    defineUndeclaredIndicators(proto, declared, timeframe);
    valuesPrototypes.set(key, proto);
  }
  return proto;
}

export type BarIndicatorOptions = {
  /** Session VWAP resets at the start of each day of this boundary; null disables VWAP (daily bars). */
  vwapDay: DayBoundary | null;
  /**
   * The indicators to compute (all when absent): the others are never updated, and reading them from `values()`
   * throws UndeclaredIndicatorError. `timeframe` names the bars in that error.
   */
  only?: { indicators: readonly IndicatorName[]; timeframe: string };
};

export class BarIndicators {
  private bars = 0;
  private readonly emas = [new EMA(9), new EMA(21), new EMA(50), new EMA(200)] as const;
  private readonly smas = new MovingSums([9, 21, 50, 200]);
  private readonly macd = new MACD(new EMA(12), new EMA(26), new EMA(9));
  private readonly adx = new ADX(14);
  private readonly rsi14 = new SteadyRSI(14);
  private readonly rsi7 = new SteadyRSI(7);
  private readonly stoch = new Stochastic(14, 3, 3);
  private readonly roc = new ROC(10);
  private readonly atr = new ATR(14, SteadyWSMA);
  private readonly bb = new Bollinger(20, 2);
  private readonly obv = new OBV(2);
  private vwap: VWAP | null = null;
  private vwapDayStart = Number.NaN;
  private vwapHasLatest = false; // trading-signals' VWAP skips zero-volume bars; remember whether it took the newest
  private vpt: number | null = null; // volume-price trend including the newest bar
  private vptBefore: number | null = null; // ... excluding it
  private readonly closes = new Ring(CUM_RETURN_BARS + 1);
  private readonly volumes = new Ring(VOLUME_SPIKE_BARS + 1);
  private latest: Candle | null = null;
  private cached: IndicatorValues | null = null;
  /** Scratch for realizedVol's closes, reused: values() runs for every bar a snapshot shows. */
  private readonly volWindow = new Array<number>(REALIZED_VOL_BARS + 1).fill(0);
  /**
   * The declared indicators (each once), or null for all; then which of the underlying calculators run. A list: it is
   * walked for every closed features object, where a Set's iterator allocated at each step.
   */
  readonly declared: readonly IndicatorName[] | null;
  private readonly valuesPrototype: object | null;
  private readonly on: {
    ema: boolean[];
    sma: boolean;
    macd: boolean;
    adx: boolean;
    rsi14: boolean;
    rsi7: boolean;
    stoch: boolean;
    roc: boolean;
    atr: boolean;
    bb: boolean;
    obv: boolean;
    vwap: boolean;
    realizedVol: boolean;
    /** The recent closes (cumReturn, realizedVol, vpt) and volumes (volumeSpike). */
    closes: boolean;
    volumes: boolean;
  };

  constructor(private readonly options: BarIndicatorOptions) {
    const declared = options.only ? new Set(options.only.indicators) : null;
    for (const name of declared ?? [])
      if (!INDICATOR_NAMES.includes(name)) throw new Error(`BarIndicators: unknown indicator ${name}`);
    const has = (...names: IndicatorName[]) => declared === null || names.some((n) => declared.has(n));
    this.declared = declared ? [...declared] : null;
    this.valuesPrototype = declared && options.only ? valuesPrototypeOf(declared, options.only.timeframe) : null;
    this.on = {
      ema: [has('ema9'), has('ema21'), has('ema50'), has('ema200')],
      sma: has('sma9', 'sma21', 'sma50', 'sma200'),
      macd: has('macd'),
      adx: has('adx', 'plusDi', 'minusDi'),
      rsi14: has('rsi14'),
      rsi7: has('rsi7'),
      stoch: has('stochK', 'stochD'),
      roc: has('roc'),
      atr: has('atr'),
      bb: has('bb'),
      obv: has('obv'),
      vwap: has('vwap'),
      realizedVol: has('realizedVol'),
      closes: has('cumReturn', 'realizedVol', 'vpt'),
      volumes: has('volumeSpike'),
    };
  }

  /** Bars fed so far (a revision does not count). */
  get count(): number {
    return this.bars;
  }

  update(bar: Candle, replace: boolean): void {
    const revise = replace && this.bars > 0;
    if (!revise) this.bars++;
    this.cached = null;
    const close = bar.close;
    const on = this.on;
    for (let i = 0; i < this.emas.length; i++) if (on.ema[i]) this.emas[i].update(close, revise);
    if (on.sma) this.smas.update(close, revise);
    if (on.macd) this.macd.update(close, revise);
    if (on.adx) this.adx.update(bar, revise);
    if (on.rsi14) this.rsi14.update(close, revise);
    if (on.rsi7) this.rsi7.update(close, revise);
    if (on.stoch) this.stoch.update(bar, revise);
    if (on.roc) this.roc.update(close, revise);
    if (on.atr) this.atr.update(bar, revise);
    if (on.bb) this.bb.update(close, revise);
    if (on.obv) this.obv.update(bar, revise);
    if (on.vwap) this.updateVwap(bar, revise);
    if (on.closes) {
      // Volume-price trend: trading-signals' PVT deep-copies its state on every update, which costs more than all
      // other indicators together; the formula is one line.
      if (!revise) this.vptBefore = this.vpt;
      const back = revise ? 1 : 0; // bars back to the previous close, before this bar's close is stored
      const previousClose = this.closes.length > back ? this.closes.at(back) : null;
      this.vpt =
        previousClose === null ? null : (this.vptBefore ?? 0) + (bar.volume * (close - previousClose)) / previousClose;
      this.closes.push(close, revise);
    }
    if (on.volumes) this.volumes.push(bar.volume, revise);
    this.latest = bar;
  }

  private updateVwap(bar: Candle, revise: boolean): void {
    const boundary = this.options.vwapDay;
    if (boundary === null) return;
    if (!revise) {
      const day = dayStart(bar.ts, boundary === 'kst' ? KST_OFFSET_MS : 0);
      if (day !== this.vwapDayStart) {
        this.vwap = new VWAP();
        this.vwapDayStart = day;
      }
      this.vwapHasLatest = false;
    }
    if (bar.volume <= 0 || this.vwap === null) return;
    this.vwap.update(bar, revise && this.vwapHasLatest);
    this.vwapHasLatest = true;
  }

  // A method, not a closure in values(): under tsx every named closure costs a defineProperty per call.
  private emaOf(i: number): number | null {
    return this.on.ema[i] && this.bars >= this.emas[i].interval ? this.emas[i].getResult() : null;
  }

  private volumeSpikeValue(): number | null {
    const volumes = this.volumes;
    if (volumes.length <= VOLUME_SPIKE_BARS) return null;
    let sum = 0;
    for (let i = 1; i <= VOLUME_SPIKE_BARS; i++) sum += volumes.at(i);
    return sum > 0 ? volumes.at(0) / (sum / VOLUME_SPIKE_BARS) : null;
  }

  private realizedVolValue(): number | null {
    const closes = this.closes;
    if (!this.on.realizedVol || closes.length <= REALIZED_VOL_BARS) return null;
    const window = this.volWindow;
    for (let i = 0; i <= REALIZED_VOL_BARS; i++) window[i] = closes.at(REALIZED_VOL_BARS - i);
    return logReturnStd(window);
  }

  private cumReturnValue(): number | null {
    const closes = this.closes;
    return closes.length > CUM_RETURN_BARS ? closes.at(0) / closes.at(CUM_RETURN_BARS) - 1 : null;
  }

  private macdValue(): IndicatorValues['macd'] {
    const macd = resultOf<{ macd: number; signal: number; histogram: number }>(this.macd);
    return macd && { macd: macd.macd, signal: macd.signal, histogram: macd.histogram };
  }

  private bbValue(): IndicatorValues['bb'] {
    const bands = this.bb.value();
    return (
      bands && {
        upper: bands.upper,
        middle: bands.middle,
        lower: bands.lower,
        width: (bands.upper - bands.lower) / bands.middle,
      }
    );
  }

  private diValue(side: 'pdi' | 'mdi'): number | null {
    return resultOf<number>(this.adx) === null ? null : ((this.adx[side] as number | undefined) ?? null);
  }

  private vwapValue(): number | null {
    return this.vwap && this.vwapHasLatest ? resultOf(this.vwap) : null;
  }

  /** The newest bar's close (as `values().close`). */
  get close(): number {
    if (this.latest === null) throw new Error('BarIndicators.close before any bar');
    return this.latest.close;
  }

  /** One indicator's value after the newest bar (as `values()` gives them all). */
  indicator(name: IndicatorName): IndicatorValues[IndicatorName] {
    switch (name) {
      case 'ema9':
        return this.emaOf(0);
      case 'ema21':
        return this.emaOf(1);
      case 'ema50':
        return this.emaOf(2);
      case 'ema200':
        return this.emaOf(3);
      case 'sma9':
        return this.smas.mean(0);
      case 'sma21':
        return this.smas.mean(1);
      case 'sma50':
        return this.smas.mean(2);
      case 'sma200':
        return this.smas.mean(3);
      case 'macd':
        return this.macdValue();
      case 'adx':
        return resultOf<number>(this.adx);
      case 'plusDi':
        return this.diValue('pdi');
      case 'minusDi':
        return this.diValue('mdi');
      case 'rsi14':
        return resultOf(this.rsi14);
      case 'rsi7':
        return resultOf(this.rsi7);
      case 'stochK':
        return this.stoch.value()?.k ?? null;
      case 'stochD':
        return this.stoch.value()?.d ?? null;
      case 'roc':
        return resultOf(this.roc);
      case 'cumReturn':
        return this.cumReturnValue();
      case 'atr':
        return resultOf(this.atr);
      case 'bb':
        return this.bbValue();
      case 'realizedVol':
        return this.realizedVolValue();
      case 'vwap':
        return this.vwapValue();
      case 'obv':
        return resultOf(this.obv);
      case 'volumeSpike':
        return this.volumeSpikeValue();
      case 'vpt':
        return this.vpt;
    }
  }

  /** Values after the newest bar (computed once per update). */
  values(): IndicatorValues {
    if (this.cached) return this.cached;
    const latest = this.latest;
    if (latest === null) throw new Error('BarIndicators.values() before any bar');
    if (this.valuesPrototype !== null && this.declared !== null) {
      // Only the declared indicators, as own fields; the others throw when read (see defineUndeclaredIndicators).
      const some = Object.create(this.valuesPrototype) as Record<string, unknown>;
      some.close = latest.close;
      for (const name of this.declared) some[name] = this.indicator(name);
      this.cached = some as IndicatorValues;
      return this.cached;
    }
    const stoch = this.stoch.value();
    const adx = resultOf<number>(this.adx);
    this.cached = {
      close: latest.close,
      ema9: this.emaOf(0),
      ema21: this.emaOf(1),
      ema50: this.emaOf(2),
      ema200: this.emaOf(3),
      sma9: this.smas.mean(0),
      sma21: this.smas.mean(1),
      sma50: this.smas.mean(2),
      sma200: this.smas.mean(3),
      macd: this.macdValue(),
      adx,
      plusDi: adx === null ? null : ((this.adx.pdi as number | undefined) ?? null),
      minusDi: adx === null ? null : ((this.adx.mdi as number | undefined) ?? null),
      rsi14: resultOf(this.rsi14),
      rsi7: resultOf(this.rsi7),
      stochK: stoch ? stoch.k : null,
      stochD: stoch ? stoch.d : null,
      roc: resultOf(this.roc),
      cumReturn: this.cumReturnValue(),
      atr: resultOf(this.atr),
      bb: this.bbValue(),
      realizedVol: this.realizedVolValue(),
      vwap: this.vwapValue(),
      obv: resultOf(this.obv),
      volumeSpike: this.volumeSpikeValue(),
      vpt: this.vpt,
    };
    return this.cached;
  }
}
