// Every per-bar indicator of one market on one timeframe, updated one bar at a time. `update(bar, true)` revises
// the newest bar (the forming one) instead of recomputing history, as trading-signals does.
import { ADX, ATR, EMA, MACD, OBV, ROC, RSI, VWAP } from 'trading-signals';
import { type Candle, dayStart, KST_OFFSET_MS } from '../market/candles';
import type { DayBoundary } from '../market/timeframes';
import type { IndicatorValues } from './snapshot';
import { Bollinger, MovingSums, Ring, Stochastic } from './window-stats';

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

export type BarIndicatorOptions = {
  /** Session VWAP resets at the start of each day of this boundary; null disables VWAP (daily bars). */
  vwapDay: DayBoundary | null;
};

export class BarIndicators {
  private bars = 0;
  private readonly emas = [new EMA(9), new EMA(21), new EMA(50), new EMA(200)] as const;
  private readonly smas = new MovingSums([9, 21, 50, 200]);
  private readonly macd = new MACD(new EMA(12), new EMA(26), new EMA(9));
  private readonly adx = new ADX(14);
  private readonly rsi14 = new RSI(14);
  private readonly rsi7 = new RSI(7);
  private readonly stoch = new Stochastic(14, 3, 3);
  private readonly roc = new ROC(10);
  private readonly atr = new ATR(14);
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

  constructor(private readonly options: BarIndicatorOptions) {}

  /** Bars fed so far (a revision does not count). */
  get count(): number {
    return this.bars;
  }

  update(bar: Candle, replace: boolean): void {
    const revise = replace && this.bars > 0;
    if (!revise) this.bars++;
    this.cached = null;
    const close = bar.close;
    for (const ema of this.emas) ema.update(close, revise);
    this.smas.update(close, revise);
    this.macd.update(close, revise);
    this.adx.update(bar, revise);
    this.rsi14.update(close, revise);
    this.rsi7.update(close, revise);
    this.stoch.update(bar, revise);
    this.roc.update(close, revise);
    this.atr.update(bar, revise);
    this.bb.update(close, revise);
    this.obv.update(bar, revise);
    this.updateVwap(bar, revise);
    // Volume-price trend: trading-signals' PVT deep-copies its state on every update, which costs more than all
    // other indicators together; the formula is one line.
    if (!revise) this.vptBefore = this.vpt;
    const back = revise ? 1 : 0; // bars back to the previous close, before this bar's close is stored
    const previousClose = this.closes.length > back ? this.closes.at(back) : null;
    this.vpt =
      previousClose === null ? null : (this.vptBefore ?? 0) + (bar.volume * (close - previousClose)) / previousClose;
    this.closes.push(close, revise);
    this.volumes.push(bar.volume, revise);
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
    return this.bars >= this.emas[i].interval ? this.emas[i].getResult() : null;
  }

  /** Values after the newest bar (computed once per update). */
  values(): IndicatorValues {
    if (this.cached) return this.cached;
    const latest = this.latest;
    if (latest === null) throw new Error('BarIndicators.values() before any bar');
    const macd = resultOf<{ macd: number; signal: number; histogram: number }>(this.macd);
    const stoch = this.stoch.value();
    const bands = this.bb.value();
    const adx = resultOf<number>(this.adx);
    const closes = this.closes;
    const volumes = this.volumes;
    let volumeSpike: number | null = null;
    if (volumes.length > VOLUME_SPIKE_BARS) {
      let sum = 0;
      for (let i = 1; i <= VOLUME_SPIKE_BARS; i++) sum += volumes.at(i);
      volumeSpike = sum > 0 ? volumes.at(0) / (sum / VOLUME_SPIKE_BARS) : null;
    }
    let realizedVol: number | null = null;
    if (closes.length > REALIZED_VOL_BARS) {
      const window = this.volWindow;
      for (let i = 0; i <= REALIZED_VOL_BARS; i++) window[i] = closes.at(REALIZED_VOL_BARS - i);
      realizedVol = logReturnStd(window);
    }
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
      macd: macd && { macd: macd.macd, signal: macd.signal, histogram: macd.histogram },
      adx,
      plusDi: adx === null ? null : ((this.adx.pdi as number | undefined) ?? null),
      minusDi: adx === null ? null : ((this.adx.mdi as number | undefined) ?? null),
      rsi14: resultOf(this.rsi14),
      rsi7: resultOf(this.rsi7),
      stochK: stoch ? stoch.k : null,
      stochD: stoch ? stoch.d : null,
      roc: resultOf(this.roc),
      cumReturn: closes.length > CUM_RETURN_BARS ? closes.at(0) / closes.at(CUM_RETURN_BARS) - 1 : null,
      atr: resultOf(this.atr),
      bb: bands && {
        upper: bands.upper,
        middle: bands.middle,
        lower: bands.lower,
        width: (bands.upper - bands.lower) / bands.middle,
      },
      realizedVol,
      vwap: this.vwap && this.vwapHasLatest ? resultOf(this.vwap) : null,
      obv: resultOf(this.obv),
      volumeSpike,
      vpt: this.vpt,
    };
    return this.cached;
  }
}
