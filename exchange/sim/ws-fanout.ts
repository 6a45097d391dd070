// The public streams' fan-out: each trade goes to the market's trade and ticker subscribers at once;
// order books after every tick (and when an admin moves a price); candles at most once a second per
// market and unit, only when a trade changed them. Each frame is encoded once per format.
import type { MarketState, MarketTrade } from './market-state';
import type { QuotationContext } from './quotation';
import { broadcast, type Conn } from './ws-connection';
import {
  CANDLE_TYPES,
  candleFrame,
  latestCandle,
  orderbookFrame,
  type StreamType,
  tickerFrame,
  tradeFrame,
} from './ws-frames';
import type { SubscriptionIndex } from './ws-subscriptions';

export class MarketFanout {
  /** candle type|market -> when a trade last changed its bucket, not yet pushed. */
  private readonly dirtyCandles = new Map<string, number>();
  private readonly lastCandlePush = new Map<string, number>();

  constructor(
    private readonly qctx: QuotationContext,
    private readonly index: SubscriptionIndex,
  ) {}

  trade(m: MarketState, t: MarketTrade) {
    const now = this.qctx.now();
    const trades = this.index.subscribers('trade', m.market);
    if (trades?.size) broadcast(trades, tradeFrame(m, t, 'REALTIME', now), 'trade');
    const tickers = this.index.subscribers('ticker', m.market);
    if (tickers?.size) broadcast(tickers, tickerFrame(this.qctx, m, 'REALTIME'), 'ticker');
    for (const type of Object.keys(CANDLE_TYPES)) {
      const key = `${type}|${m.market}`;
      if (this.index.get(key)?.size) this.dirtyCandles.set(key, now);
    }
  }

  /** Order books to their subscribers, one frame per depth asked for. */
  orderbook(m: MarketState, st: StreamType) {
    const subs = this.index.subscribers('orderbook', m.market);
    if (!subs || subs.size === 0) return;
    const byDepth = new Map<number, Conn[]>();
    for (const c of subs) {
      const d = c.wanted.get(`orderbook|${m.market}`) ?? 30;
      const list = byDepth.get(d) ?? [];
      list.push(c);
      byDepth.set(d, list);
    }
    for (const [depth, list] of byDepth) broadcast(list, orderbookFrame(this.qctx, m, depth, st), 'orderbook');
  }

  afterTick(now: number) {
    for (const m of this.qctx.markets.values()) this.orderbook(m, 'REALTIME');
    for (const key of this.dirtyCandles.keys()) {
      if (now - (this.lastCandlePush.get(key) ?? 0) < 1000) continue;
      const [type, market] = key.split('|');
      const m = this.qctx.markets.get(market);
      const subs = this.index.get(key);
      this.dirtyCandles.delete(key);
      if (!m || !subs?.size) continue;
      const c = latestCandle(m, CANDLE_TYPES[type], now);
      if (!c) continue;
      this.lastCandlePush.set(key, now);
      broadcast(subs, candleFrame(type, m, c, 'REALTIME'), 'candle');
    }
  }
}
