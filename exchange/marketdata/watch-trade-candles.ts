// Wires the public trade stream into TradeCandleBuilder: subscribes to the watched markets' trades, ticks the
// builder's clock every second so quiet minutes still close, and optionally stores each candle.
import type { UpbitStream } from '../upbit/websocket';
import { type CandleStore, insertCandles, TRADE_STREAM_SOURCE } from './store';
import { type DroppedReason, type Trade, type TradeCandle, TradeCandleBuilder } from './trade-candles';

export interface WatchTradeCandlesOptions {
  /** A stream dedicated to this watcher: its whole subscription is replaced by the trade subscription. */
  stream: UpbitStream;
  markets: string[];
  onCandle: (candle: TradeCandle) => void;
  onDropped?: (trade: Trade, reason: DroppedReason) => void;
  /**
   * When given, every candle (and every revision) is written to the candle store as minute1 with source
   * TRADE_STREAM_SOURCE: provisional, replaced by a later REST download or import of the same minute.
   */
  store?: CandleStore;
  /** A failed write to the store; the watcher keeps running. */
  onError?: (err: Error) => void;
  graceMs?: number;
  /** Clock for closing quiet minutes, UTC ms. Default Date.now. */
  now?: () => number;
}

export interface TradeCandleWatcher {
  builder: TradeCandleBuilder;
  /**
   * Stops listening, emits the minutes that have ended, and waits for pending writes. The minute still forming is
   * not emitted (it is incomplete). The stream itself stays the caller's to close.
   */
  stop(): Promise<void>;
}

export async function watchTradeCandles(opts: WatchTradeCandlesOptions): Promise<TradeCandleWatcher> {
  const now = opts.now ?? Date.now;
  // Writes run one after another so a revision never lands before the candle it revises.
  let writes = Promise.resolve();
  const builder = new TradeCandleBuilder({
    graceMs: opts.graceMs,
    onDropped: opts.onDropped,
    onCandle: (candle) => {
      opts.onCandle(candle);
      const store = opts.store;
      if (store) {
        const row = {
          market: candle.market,
          timeframe: 'minute1' as const,
          ts: candle.ts,
          open: candle.open,
          high: candle.high,
          low: candle.low,
          close: candle.close,
          volume: candle.volume,
          value: candle.value,
          source: TRADE_STREAM_SOURCE,
        };
        writes = writes
          .then(async () => {
            await insertCandles(store, [row]);
          })
          .catch((err: Error) => opts.onError?.(err));
      }
    },
  });
  const onTrade = (f: {
    code: string;
    trade_price: number;
    trade_volume: number;
    trade_timestamp: number;
    sequential_id: number;
  }) =>
    builder.add({
      market: f.code,
      price: f.trade_price,
      volume: f.trade_volume,
      timestamp: f.trade_timestamp,
      sequentialId: f.sequential_id,
    });
  opts.stream.on('trade', onTrade);
  const clock = setInterval(() => builder.advance(now()), 1000);
  try {
    // Realtime only: the snapshot (the last trade, possibly hours old) would add nothing but a dropped trade.
    await opts.stream.subscribe([{ type: 'trade', codes: opts.markets, is_only_realtime: true }]);
  } catch (err) {
    clearInterval(clock);
    opts.stream.off('trade', onTrade);
    throw err;
  }
  return {
    builder,
    async stop() {
      clearInterval(clock);
      opts.stream.off('trade', onTrade);
      builder.advance(now());
      await writes;
    },
  };
}
