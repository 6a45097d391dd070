// Window statistics of the last N bars, O(1) or O(small N) per bar. trading-signals v8 recomputes each window
// from an array on every update (SMA-200 adds 200 numbers per bar, Bollinger and Stochastic allocate), which
// made these the bulk of the warm-up time; the results are the same (see window-stats.test.ts, which checks
// them against trading-signals' SMA, BollingerBands and StochasticOscillator).

import { WSMA } from 'trading-signals';

/**
 * trading-signals' WSMA (Wilder's smoothing, behind its RSI and ATR), which keeps feeding its seed SMA (a shift and a
 * window average per update) long after the seed was taken. Once a smoothed value exists, each next one is WSMA's own
 * formula alone, written as WSMA writes it (the same doubles, see window-stats.test.ts); until then, and to revise the
 * seed's own bar, WSMA runs as it is (its SMA is current up to there). Passed to RSI and ATR as their smoothing.
 */
export class SteadyWSMA extends WSMA {
  readonly #factor = 1 / this.interval;

  override update(price: number, replace: boolean): number | null {
    const previous = replace ? this.previousResult : this.result;
    if (previous === undefined) return super.update(price, replace);
    const smoothed = (price - previous) * this.#factor;
    return this.setResult(smoothed + previous, replace);
  }
}

/**
 * trading-signals' RSI on SteadyWSMA, computed as its RSI computes it (the same doubles, see window-stats.test.ts),
 * without what it does per update that nothing here reads: its list of the last `interval` prices (a push and a
 * shift; only the newest two are used), and its overbought/oversold signal state and the result before the newest
 * that only that state reads. `replace` revises the newest price (the smoothing revises its own values).
 */
export class SteadyRSI {
  readonly #avgGain: SteadyWSMA;
  readonly #avgLoss: SteadyWSMA;
  /** Prices seen, counting a revision once (RSI needs two). */
  #prices = 0;
  #newest = Number.NaN;
  #beforeNewest = Number.NaN;
  result: number | undefined = undefined;

  constructor(readonly interval: number) {
    this.#avgGain = new SteadyWSMA(interval);
    this.#avgLoss = new SteadyWSMA(interval);
  }

  get isStable(): boolean {
    return this.result !== undefined;
  }

  getResult(): number | null {
    return this.result ?? null;
  }

  update(price: number, replace: boolean): number | null {
    if (replace && this.#prices > 0) this.#newest = price;
    else {
      this.#beforeNewest = this.#newest;
      this.#newest = price;
      this.#prices++;
    }
    if (this.#prices < 2) return null;
    const previousPrice = this.#beforeNewest;
    if (price > previousPrice) {
      this.#avgLoss.update(0, replace);
      this.#avgGain.update(price - previousPrice, replace);
    } else {
      this.#avgLoss.update(previousPrice - price, replace);
      this.#avgGain.update(0, replace);
    }
    if (!this.#avgGain.isStable) return null;
    const avgLoss = this.#avgLoss.getResultOrThrow();
    if (avgLoss === 0) {
      this.result = 100;
      return 100;
    }
    const relativeStrength = this.#avgGain.getResultOrThrow() / avgLoss;
    this.result = 100 - 100 / (relativeStrength + 1);
    return this.result;
  }
}

/** Fixed-capacity ring of numbers; `at(0)` is the newest. */
export class Ring {
  private readonly buf: Float64Array;
  private head = -1; // index of the newest value
  private size = 0;

  constructor(readonly capacity: number) {
    this.buf = new Float64Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  /** Appends x, or overwrites the newest value when replacing. Returns the value that fell out, or NaN. */
  push(x: number, replace: boolean): number {
    if (replace && this.size > 0) {
      this.buf[this.head] = x;
      return Number.NaN;
    }
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    const out = this.size === this.capacity ? this.buf[this.head] : Number.NaN;
    this.buf[this.head] = x;
    if (this.size < this.capacity) this.size++;
    return out;
  }

  /** The value `k` bars back (0 = newest). */
  at(k: number): number {
    const i = this.head - k;
    return this.buf[i < 0 ? i + this.capacity : i];
  }
}

/** Simple moving averages of several lengths over one series, by running sums. */
export class MovingSums {
  private readonly ring: Ring;
  private readonly sums: Float64Array;
  private sinceExact = 0;

  constructor(readonly lengths: readonly number[]) {
    this.ring = new Ring(Math.max(...lengths));
    this.sums = new Float64Array(lengths.length);
  }

  update(x: number, replace: boolean): void {
    const ring = this.ring;
    const revise = replace && ring.length > 0;
    const previous = revise ? ring.at(0) : 0;
    if (!revise) {
      // The value leaving each window is the one `length` bars back, read before the push overwrites it.
      for (let k = 0; k < this.lengths.length; k++) {
        const len = this.lengths[k];
        if (ring.length >= len) this.sums[k] -= ring.at(len - 1);
      }
    }
    ring.push(x, revise);
    for (let k = 0; k < this.sums.length; k++) this.sums[k] += x - previous;
    // Running sums drift by rounding; an exact re-sum now and then keeps them equal to a fresh sum.
    if (++this.sinceExact >= 1000) this.resum();
  }

  /** Mean of the last `lengths[k]` values, or null before that many. */
  mean(k: number): number | null {
    const len = this.lengths[k];
    return this.ring.length >= len ? this.sums[k] / len : null;
  }

  private resum(): void {
    this.sinceExact = 0;
    for (let k = 0; k < this.lengths.length; k++) {
      const n = Math.min(this.lengths[k], this.ring.length);
      let s = 0;
      for (let i = 0; i < n; i++) s += this.ring.at(i);
      this.sums[k] = s;
    }
  }
}

/** Bollinger bands: mean of the last `length` values +/- `k` population standard deviations. */
export class Bollinger {
  private readonly ring: Ring;

  constructor(
    readonly length: number,
    readonly k: number,
  ) {
    this.ring = new Ring(length);
  }

  update(x: number, replace: boolean): void {
    this.ring.push(x, replace);
  }

  value(): { upper: number; middle: number; lower: number } | null {
    const n = this.length;
    if (this.ring.length < n) return null;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += this.ring.at(i);
    const mean = sum / n;
    let sq = 0;
    for (let i = 0; i < n; i++) sq += (this.ring.at(i) - mean) ** 2;
    const sd = Math.sqrt(sq / n);
    return { upper: mean + this.k * sd, middle: mean, lower: mean - this.k * sd };
  }
}

/**
 * Slow stochastic oscillator: %K = mean of the last `slowing` raw %K, where raw %K = 100 x (close - lowest low)
 * / (highest high - lowest low) over `period` bars (a flat range divides by 1, as trading-signals does);
 * %D = mean of the last `dPeriod` %K.
 */
export class Stochastic {
  private readonly highs: Ring;
  private readonly lows: Ring;
  private readonly rawK: MovingSums;
  private readonly k: MovingSums;

  constructor(
    readonly period: number,
    slowing: number,
    dPeriod: number,
  ) {
    this.highs = new Ring(period);
    this.lows = new Ring(period);
    this.rawK = new MovingSums([slowing]);
    this.k = new MovingSums([dPeriod]);
  }

  update(bar: { high: number; low: number; close: number }, replace: boolean): void {
    const revise = replace && this.highs.length > 0;
    this.highs.push(bar.high, revise);
    this.lows.push(bar.low, revise);
    if (this.highs.length < this.period) return;
    let hi = Number.NEGATIVE_INFINITY;
    let lo = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.period; i++) {
      hi = Math.max(hi, this.highs.at(i));
      lo = Math.min(lo, this.lows.at(i));
    }
    const range = hi - lo;
    const raw = ((bar.close - lo) * 100) / (range === 0 ? 1 : range);
    // A revised bar produced a value at each stage before iff it does now (the counts did not change).
    this.rawK.update(raw, revise);
    const k = this.rawK.mean(0);
    if (k !== null) this.k.update(k, revise);
  }

  value(): { k: number; d: number } | null {
    const k = this.rawK.mean(0);
    const d = this.k.mean(0);
    return k === null || d === null ? null : { k, d };
  }
}
