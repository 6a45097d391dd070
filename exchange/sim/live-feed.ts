import axios, { type AxiosInstance } from 'axios';
import { syntheticBook } from './book';
import type { Candle, CandleLayer } from './candles';
import type { MarketFeed, Print } from './feed';
import { type Level, MarketState } from './market-state';
import { MARKETS, type MarketSpec } from './markets';
import { Rng } from './synthetic-feed';

export interface LiveOptions {
  /** Base URL of an Upbit-compatible quotation API (the real exchange in paper mode, or another simulator). */
  upstream: string;
  /** Markets to follow (default: the first `maxMarkets` KRW markets the upstream lists). */
  markets?: string[];
  maxMarkets?: number;
  /** How often ticker and orderbook are polled (default 1000 ms: two requests a poll, well inside 10/s). */
  pollMs?: number;
  /** One-minute candles fetched per market at start (max 200). */
  historyCount?: number;
}

interface UpCandle {
  candle_date_time_utc: string;
  opening_price: number;
  high_price: number;
  low_price: number;
  trade_price: number;
  timestamp: number;
  candle_acc_trade_price: number;
  candle_acc_trade_volume: number;
}
interface UpTicker {
  market: string;
  trade_price: number;
  acc_trade_volume: number;
}
interface UpBook {
  market: string;
  orderbook_units: Array<{ ask_price: number; bid_price: number; ask_size: number; bid_size: number }>;
}

/** Spacing between start-up requests so the candle group (10/s) is never exceeded. */
const START_SPACING_MS = 120;

/**
 * Paper-trading feed: follows an Upbit-compatible quotation API. History comes from its candles, the
 * displayed book is its orderbook, and each poll turns the growth of its traded volume into a trade at
 * its last price, against which resting simulator orders fill.
 */
export class LiveFeed implements MarketFeed {
  private readonly http: AxiosInstance;
  private readonly pollMs: number;
  private states = new Map<string, MarketState>();
  private accVolume = new Map<string, number>();
  private lastPoll = 0;
  private failures = 0;
  private readonly rng = new Rng(1);

  constructor(private readonly opts: LiveOptions) {
    this.http = axios.create({ baseURL: opts.upstream.replace(/\/+$/, ''), timeout: 5000 });
    this.pollMs = opts.pollMs ?? 1000;
  }

  async init(now: number): Promise<MarketState[]> {
    let markets = this.opts.markets;
    if (!markets) {
      const all = (await this.http.get<Array<{ market: string }>>('/v1/market/all')).data;
      markets = all
        .map((m) => m.market)
        .filter((m) => m.startsWith('KRW-'))
        .slice(0, this.opts.maxMarkets ?? 20);
    }
    const count = Math.min(this.opts.historyCount ?? 200, 200);
    for (const market of markets) {
      const candles = (await this.http.get<UpCandle[]>('/v1/candles/minutes/1', { params: { market, count } })).data;
      await new Promise((r) => setTimeout(r, START_SPACING_MS));
      const history: Candle[] = candles.reverse().map((c) => ({
        t: Date.parse(`${c.candle_date_time_utc}Z`),
        o: c.opening_price,
        h: c.high_price,
        l: c.low_price,
        c: c.trade_price,
        v: c.candle_acc_trade_volume,
        q: c.candle_acc_trade_price,
        last: c.timestamp,
      }));
      const layers: CandleLayer[] = [{ seconds: 60, candles: history }];
      const known = MARKETS.find((m) => m.market === market);
      const last = history[history.length - 1];
      const spec: MarketSpec = {
        market,
        koreanName: known?.koreanName ?? market.split('-')[1],
        englishName: known?.englishName ?? market.split('-')[1],
        price: last?.c ?? 1,
        dailyVol: known?.dailyVol ?? 0.05,
        beta: known?.beta ?? 1,
        krwPerMinute: history.length ? history.reduce((s, c) => s + c.q, 0) / history.length : 1_000_000,
      };
      this.states.set(market, new MarketState(spec, layers, now));
    }
    await this.poll(true);
    return [...this.states.values()];
  }

  /** Reads ticker and orderbook; returns the trades implied by volume growth since the last poll. */
  private async poll(first = false): Promise<Print[]> {
    const markets = [...this.states.keys()].join(',');
    const [tickers, books] = await Promise.all([
      this.http.get<UpTicker[]>('/v1/ticker', { params: { markets } }),
      this.http.get<UpBook[]>('/v1/orderbook', { params: { markets } }),
    ]);
    const prints: Print[] = [];
    for (const b of books.data) {
      const state = this.states.get(b.market);
      if (!state) continue;
      const asks: Level[] = b.orderbook_units
        .filter((u) => u.ask_size > 0)
        .map((u) => ({ price: u.ask_price, size: u.ask_size }));
      const bids: Level[] = b.orderbook_units
        .filter((u) => u.bid_size > 0)
        .map((u) => ({ price: u.bid_price, size: u.bid_size }));
      state.asks = asks;
      state.bids = bids;
    }
    for (const t of tickers.data) {
      const state = this.states.get(t.market);
      if (!state) continue;
      const before = this.accVolume.get(t.market);
      this.accVolume.set(t.market, t.acc_trade_volume);
      if (first || before === undefined) continue;
      // The daily total restarts at 00:00 UTC: then everything since is new.
      const delta = t.acc_trade_volume >= before ? t.acc_trade_volume - before : t.acc_trade_volume;
      const volume = Number(delta.toFixed(8));
      if (volume <= 0) continue;
      prints.push({
        market: t.market,
        price: t.trade_price,
        volume,
        askBid: t.trade_price >= state.last ? 'BID' : 'ASK',
      });
    }
    return prints;
  }

  async step(now: number): Promise<Print[]> {
    if (now - this.lastPoll < this.pollMs) return [];
    this.lastPoll = now;
    try {
      const prints = await this.poll();
      this.failures = 0;
      return prints;
    } catch (e) {
      // Keep the last known market on an upstream hiccup; say so once per outage.
      if (this.failures++ === 0) console.error('live feed: upstream poll failed', (e as Error).message);
      return [];
    }
  }

  /** Overrides the upstream until its next poll (admin price moves in paper mode). */
  setPrice(market: string, price: number): void {
    const state = this.states.get(market);
    if (!state) return;
    const book = syntheticBook({ asks: [], bids: [] }, price, 1_000_000, () => this.rng.next(), true);
    state.asks = book.asks;
    state.bids = book.bids;
  }

  async close(): Promise<void> {}
}
