// The newest closed bars of one timeframe in a fixed ring, so a snapshot can hand out "the last N bars" without
// the engine keeping every bar it ever saw.
import type { Candle } from '../market/candles';

export type HistoryField = 'ts' | 'open' | 'high' | 'low' | 'close' | 'volume' | 'value';

export class BarHistory {
  private readonly fields: Record<HistoryField, Float64Array> = {
    ts: new Float64Array(0),
    open: new Float64Array(0),
    high: new Float64Array(0),
    low: new Float64Array(0),
    close: new Float64Array(0),
    volume: new Float64Array(0),
    value: new Float64Array(0), // traded KRW; close x volume where the candle lacked it
  };
  private next = 0; // slot the next bar goes into
  private size = 0;

  constructor(readonly capacity: number) {
    for (const key of Object.keys(this.fields) as HistoryField[]) {
      this.fields[key] = new Float64Array(capacity);
    }
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

  /** The newest `n` values of a field (fewer if fewer were pushed), oldest first. */
  last(field: HistoryField, n: number): number[] {
    const k = Math.min(n, this.size);
    const out = new Array<number>(k);
    const src = this.fields[field];
    let i = (this.next - k + this.capacity) % this.capacity;
    for (let j = 0; j < k; j++) {
      out[j] = src[i];
      i = i + 1 === this.capacity ? 0 : i + 1;
    }
    return out;
  }
}
