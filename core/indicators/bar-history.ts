// The newest closed bars of one timeframe in a fixed ring, so a snapshot can hand out "the last N bars" without
// the engine keeping every bar it ever saw.
import type { Candle } from '../market/candles';

export type HistoryField = 'ts' | 'open' | 'high' | 'low' | 'close' | 'volume' | 'value';

/**
 * A ring per field in a plain array that holds boxed numbers on purpose: it starts filled with `undefined`, so V8
 * never turns it into an unboxed double array. Slices of it then share those numbers, and freezing a snapshot's
 * copy (engine.ts) costs nothing; freezing an unboxed double array boxes every element again, which was the
 * largest allocation of a backtest (6 fields x 50 bars for every timeframe bar a snapshot shows).
 */
function ring(capacity: number): number[] {
  return new Array<number | undefined>(capacity).fill(undefined) as number[];
}

export class BarHistory {
  private readonly fields: Record<HistoryField, number[]>;
  private next = 0; // slot the next bar goes into
  private size = 0;
  /**
   * Each bar's log return over the bar before it, NaN where that one did not open exactly `barMs` earlier. Kept from
   * the first read on (lastReturns): the regime and the correlations read a window of them at every decision, and
   * the window moves one bar at a time, so a log per bar replaces a log per bar of the window at every read.
   */
  private returns: Float64Array | null = null;

  constructor(
    readonly capacity: number,
    /** The bars' length: a return spans two bars exactly this far apart. */
    readonly barMs: number,
  ) {
    this.fields = {
      ts: ring(capacity),
      open: ring(capacity),
      high: ring(capacity),
      low: ring(capacity),
      close: ring(capacity),
      volume: ring(capacity),
      value: ring(capacity), // traded KRW; close x volume where the candle lacked it
    };
  }

  get length(): number {
    return this.size;
  }

  push(c: Candle): void {
    const i = this.next;
    const f = this.fields;
    f.ts[i] = c.ts;
    f.open[i] = c.open;
    f.high[i] = c.high;
    f.low[i] = c.low;
    f.close[i] = c.close;
    f.volume[i] = c.volume;
    f.value[i] = c.value ?? c.close * c.volume;
    if (this.returns !== null) this.returns[i] = this.size === 0 ? Number.NaN : this.returnAt(i);
    this.next = (i + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  /** The log return of the bar in slot i over the bar in the slot before it, which holds the bar before. */
  private returnAt(i: number): number {
    const before = i === 0 ? this.capacity - 1 : i - 1;
    const { ts, close } = this.fields;
    return ts[i] - ts[before] === this.barMs ? Math.log(close[i] / close[before]) : Number.NaN;
  }

  /**
   * The log returns (see `returns`) of the newest `n` bars after skipping the newest `skip`, oldest first. The bar
   * before each must still be kept: n + skip < length.
   */
  lastReturns(n: number, skip = 0): number[] {
    if (n <= 0) return [];
    if (!(n + skip < this.size))
      throw new Error(`lastReturns: ${n} returns after skipping ${skip} need more than the ${this.size} bars kept`);
    if (this.returns === null) {
      // From now on at every push; the bars already kept get theirs here, oldest first (slot by slot, as pushed).
      this.returns = new Float64Array(this.capacity);
      const kept = this.size;
      const oldest = (this.next - kept + this.capacity) % this.capacity;
      this.returns[oldest] = Number.NaN;
      for (let k = 1; k < kept; k++) {
        const i = (oldest + k) % this.capacity;
        this.returns[i] = this.returnAt(i);
      }
    }
    const out = new Array<number>(n);
    for (let k = 0; k < n; k++) {
      let i = this.next - skip - n + k;
      if (i < 0) i += this.capacity;
      out[k] = this.returns[i];
    }
    return out;
  }

  /** The value `back` bars before the newest (0 = the newest); `back` < length. */
  at(field: HistoryField, back: number): number {
    const i = this.next - 1 - back;
    return this.fields[field][i < 0 ? i + this.capacity : i];
  }

  /** The newest `n` values of a field (fewer if fewer were pushed) after skipping the newest `skip`, oldest first. */
  last(field: HistoryField, n: number, skip = 0): number[] {
    const k = Math.max(0, Math.min(n, this.size - skip));
    const src = this.fields[field];
    let end = this.next - skip;
    let start = end - k;
    if (end <= 0) {
      start += this.capacity;
      end += this.capacity;
    }
    // Slices copy the references only (see `ring`).
    return start >= 0 ? src.slice(start, end) : src.slice(start + this.capacity).concat(src.slice(0, end));
  }
}
