import { addTradeToLayer, type Candle, type CandleLayer } from './candles';
import type { MarketSpec } from './markets';

/** One price level of the displayed book. Sizes in base currency. */
export interface Level {
  price: number;
  size: number;
}

export type AskBid = 'ASK' | 'BID';

/** A trade printed on the market (synthetic flow or a fill of a simulator order). */
export interface MarketTrade {
  market: string;
  price: number;
  volume: number;
  askBid: AskBid;
  timestamp: number;
  sequentialId: number;
}

/** Statistics of the current UTC day, as /v1/ticker reports them. */
export interface DayStats {
  dayStart: number;
  open: number;
  high: number;
  low: number;
  accVolume: number;
  accPrice: number;
  accAskVolume: number;
  accBidVolume: number;
  prevClose: number;
}

const DAY = 86_400_000;
const SECOND_CANDLES_KEPT = 3 * 3600;
const TRADES_KEPT = 5000;

/**
 * Everything the simulator knows about one market: candle history (day, hour and minute layers plus
 * recent one-second candles), recent trades, the current day's statistics and the displayed book.
 */
export class MarketState {
  readonly layers: CandleLayer[];
  readonly minuteLayer: CandleLayer;
  readonly secondLayer: CandleLayer = { seconds: 1, candles: [] };
  readonly trades: MarketTrade[] = [];
  asks: Level[] = [];
  bids: Level[] = [];
  last: number;
  lastTrade: MarketTrade | null = null;
  day: DayStats;
  high52w: { price: number; t: number };
  low52w: { price: number; t: number };

  constructor(
    readonly spec: MarketSpec,
    layers: CandleLayer[],
    now: number,
  ) {
    this.layers = layers;
    this.minuteLayer = layers[layers.length - 1];
    const all = layers.flatMap((l) => l.candles);
    const lastCandle = all[all.length - 1];
    this.last = lastCandle ? lastCandle.c : spec.price;
    const dayStart = now - (now % DAY);
    const today = all.filter((c) => c.t >= dayStart);
    const before = all.filter((c) => c.t < dayStart);
    const prevClose = before.length ? before[before.length - 1].c : this.last;
    this.day = {
      dayStart,
      open: today.length ? today[0].o : prevClose,
      high: today.length ? Math.max(...today.map((c) => c.h)) : prevClose,
      low: today.length ? Math.min(...today.map((c) => c.l)) : prevClose,
      accVolume: today.reduce((s, c) => s + c.v, 0),
      accPrice: today.reduce((s, c) => s + c.q, 0),
      accAskVolume: today.reduce((s, c) => s + c.v / 2, 0),
      accBidVolume: today.reduce((s, c) => s + c.v / 2, 0),
      prevClose,
    };
    const year = all.filter((c) => c.t >= now - 365 * DAY);
    const hi = year.reduce((a, c) => (c.h > a.h ? c : a), year[0] ?? { h: this.last, t: now });
    const lo = year.reduce((a, c) => (c.l < a.l ? c : a), year[0] ?? { l: this.last, t: now });
    this.high52w = { price: hi.h, t: hi.t };
    this.low52w = { price: lo.l, t: lo.t };
  }

  get market(): string {
    return this.spec.market;
  }

  /** Records a trade: candles, day statistics, the trade list. */
  record(trade: MarketTrade): void {
    const { price, volume, timestamp } = trade;
    addTradeToLayer(this.minuteLayer, price, volume, timestamp);
    addTradeToLayer(this.secondLayer, price, volume, timestamp, SECOND_CANDLES_KEPT);
    if (timestamp - (timestamp % DAY) > this.day.dayStart) {
      this.day = {
        dayStart: timestamp - (timestamp % DAY),
        open: price,
        high: price,
        low: price,
        accVolume: 0,
        accPrice: 0,
        accAskVolume: 0,
        accBidVolume: 0,
        prevClose: this.last,
      };
    }
    const d = this.day;
    if (price > d.high) d.high = price;
    if (price < d.low) d.low = price;
    d.accVolume += volume;
    d.accPrice += price * volume;
    if (trade.askBid === 'ASK') d.accAskVolume += volume;
    else d.accBidVolume += volume;
    if (price > this.high52w.price) this.high52w = { price, t: timestamp };
    if (price < this.low52w.price) this.low52w = { price, t: timestamp };
    this.last = price;
    this.lastTrade = trade;
    this.trades.push(trade);
    if (this.trades.length > TRADES_KEPT * 2) this.trades.splice(0, this.trades.length - TRADES_KEPT);
  }

  /** Volume and value traded over the last 24 hours, from minute candles. */
  rolling24h(now: number): { volume: number; price: number } {
    const from = now - DAY;
    let volume = 0;
    let price = 0;
    const candles = this.minuteLayer.candles;
    for (let i = candles.length - 1; i >= 0 && candles[i].t >= from; i--) {
      volume += candles[i].v;
      price += candles[i].q;
    }
    return { volume, price };
  }

  /** The current minute candle, or the previous one when this minute has no trade yet. */
  latestCandle(layer: CandleLayer): Candle | undefined {
    return layer.candles[layer.candles.length - 1];
  }
}
