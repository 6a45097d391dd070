// 1-minute candles built from Upbit's public trade stream. Pure state machine: trades and clock ticks go in,
// closed candles come out; the socket wiring lives in watch-trade-candles.ts.
import Decimal from 'decimal.js';

const MINUTE = 60_000;

/** One trade as the builder needs it (Upbit trade frame: trade_price, trade_volume, trade_timestamp, sequential_id). */
export interface Trade {
  market: string;
  price: number;
  volume: number;
  /** Trade time, UTC ms. */
  timestamp: number;
  sequentialId: number;
}

export interface TradeCandle {
  market: string;
  /** Bucket start, UTC ms (minute-aligned). */
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** Traded KRW: sum of price x volume. */
  value: number;
  trades: number;
  /** True when a late trade changed a candle that had already been emitted; the later emission wins. */
  revised: boolean;
}

export type DroppedReason = 'duplicate' | 'too-late';

export interface TradeCandleOptions {
  onCandle: (candle: TradeCandle) => void;
  /** Called for every trade not counted into a candle, so none disappears unseen. */
  onDropped?: (trade: Trade, reason: DroppedReason) => void;
  /** How long after a minute ends it stays open for late trades before it is emitted. Default 2 s. */
  graceMs?: number;
  /** How long an emitted minute is kept so a later trade revises it instead of being dropped. Default 5 min. */
  keepClosedMs?: number;
}

interface Bucket {
  ts: number;
  seen: Set<number>;
  open: number;
  openAt: number;
  close: number;
  closeAt: number;
  high: number;
  low: number;
  volume: Decimal;
  value: Decimal;
  emitted: boolean;
}

export interface TradeCandleStats {
  trades: number;
  duplicates: number;
  tooLate: number;
  candles: number;
  revisions: number;
}

/**
 * Buckets trades into UTC minutes. A minute is emitted once the watermark (the latest trade time or clock time seen,
 * minus the grace) passes its end; a minute with no trades yields no candle, as on Upbit. Duplicates (same
 * sequential_id in the same minute) are ignored. Open/close follow trade time, not arrival order, so a late trade
 * lands where it belongs; ties on time keep arrival order.
 */
export class TradeCandleBuilder {
  readonly stats: TradeCandleStats = { trades: 0, duplicates: 0, tooLate: 0, candles: 0, revisions: 0 };
  private readonly markets = new Map<string, Map<number, Bucket>>();
  private readonly graceMs: number;
  private readonly keepClosedMs: number;
  private watermark = Number.NEGATIVE_INFINITY;
  /** Earliest watermark at which some bucket is due to be emitted or forgotten; spares a scan per trade. */
  private nextDue = Number.POSITIVE_INFINITY;

  constructor(private readonly options: TradeCandleOptions) {
    this.graceMs = options.graceMs ?? 2_000;
    this.keepClosedMs = options.keepClosedMs ?? 5 * MINUTE;
  }

  add(trade: Trade): void {
    const ts = Math.floor(trade.timestamp / MINUTE) * MINUTE;
    let buckets = this.markets.get(trade.market);
    if (!buckets) {
      buckets = new Map();
      this.markets.set(trade.market, buckets);
    }
    let bucket = buckets.get(ts);
    if (!bucket) {
      if (ts + MINUTE + this.keepClosedMs <= this.watermark) {
        this.stats.tooLate++;
        this.options.onDropped?.(trade, 'too-late');
        return;
      }
      bucket = {
        ts,
        seen: new Set(),
        open: trade.price,
        openAt: trade.timestamp,
        close: trade.price,
        closeAt: trade.timestamp,
        high: trade.price,
        low: trade.price,
        volume: new Decimal(0),
        value: new Decimal(0),
        emitted: false,
      };
      buckets.set(ts, bucket);
    }
    if (bucket.seen.has(trade.sequentialId)) {
      this.stats.duplicates++;
      this.options.onDropped?.(trade, 'duplicate');
      return;
    }
    bucket.seen.add(trade.sequentialId);
    this.stats.trades++;
    if (trade.timestamp < bucket.openAt) {
      bucket.open = trade.price;
      bucket.openAt = trade.timestamp;
    }
    if (trade.timestamp >= bucket.closeAt) {
      bucket.close = trade.price;
      bucket.closeAt = trade.timestamp;
    }
    bucket.high = Math.max(bucket.high, trade.price);
    bucket.low = Math.min(bucket.low, trade.price);
    bucket.volume = bucket.volume.plus(trade.volume);
    bucket.value = bucket.value.plus(new Decimal(trade.price).mul(trade.volume));
    if (bucket.emitted) this.emit(trade.market, bucket, true);
    else if (ts + MINUTE <= this.watermark) this.emit(trade.market, bucket, false);
    else this.nextDue = Math.min(this.nextDue, ts + MINUTE);
    this.advance(trade.timestamp);
  }

  /** Moves the clock (UTC ms) forward: emits every minute that ended more than the grace ago. */
  advance(now: number): void {
    if (now - this.graceMs <= this.watermark) return;
    this.watermark = now - this.graceMs;
    if (this.watermark < this.nextDue) return;
    this.nextDue = Number.POSITIVE_INFINITY;
    for (const [market, buckets] of this.markets) {
      for (const bucket of [...buckets.values()].sort((a, b) => a.ts - b.ts)) {
        const end = bucket.ts + MINUTE;
        if (!bucket.emitted && end <= this.watermark) this.emit(market, bucket, false);
        if (end + this.keepClosedMs <= this.watermark) buckets.delete(bucket.ts);
        else this.nextDue = Math.min(this.nextDue, bucket.emitted ? end + this.keepClosedMs : end);
      }
    }
  }

  /** Emits every minute still open (e.g. on shutdown, when no later trade or clock tick will close them). */
  flush(): void {
    for (const [market, buckets] of this.markets) {
      for (const bucket of [...buckets.values()].sort((a, b) => a.ts - b.ts)) {
        if (!bucket.emitted) this.emit(market, bucket, false);
      }
    }
  }

  private emit(market: string, bucket: Bucket, revised: boolean): void {
    bucket.emitted = true;
    if (revised) this.stats.revisions++;
    else this.stats.candles++;
    this.options.onCandle({
      market,
      ts: bucket.ts,
      open: bucket.open,
      high: bucket.high,
      low: bucket.low,
      close: bucket.close,
      volume: bucket.volume.toNumber(),
      value: bucket.value.toNumber(),
      trades: bucket.seen.size,
      revised,
    });
  }
}
