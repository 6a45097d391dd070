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

  constructor(readonly capacity: number) {
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
    this.next = (i + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
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
