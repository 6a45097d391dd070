import type { PrismaClient } from '../../prisma/db';
import { syntheticBook } from './book';
import type { Candle, CandleLayer } from './candles';
import type { MarketFeed, Print } from './feed';
import { MarketState } from './market-state';
import { MARKETS, type MarketSpec } from './markets';
import { Rng } from './synthetic-feed';

export interface ReplayOptions {
  /** Database holding the `candles` table (model Candle). */
  prisma: PrismaClient;
  /** Markets to replay (default: every market with candles of the timeframe). */
  markets?: string[];
  /** Stored timeframe to replay, '1m' by default ('3m', '5m', '15m', '30m', '1h', '4h', '1d' ...). */
  timeframe?: string;
  /** Candles before the replay start served as history (default 1000). */
  historyCount?: number;
  /** Replay start (default: right after the history). */
  from?: Date;
  /** 1 = real time; 60 = a minute of market per second. */
  speed?: number;
  seed?: number;
}

const UNIT_SECONDS: Record<string, number> = { m: 60, h: 3600, d: 86_400 };

export function timeframeSeconds(tf: string): number {
  const m = /^(\d+)([mhd])$/.exec(tf);
  if (!m) throw new Error(`unsupported replay timeframe "${tf}" (use e.g. 1m, 15m, 1h, 4h, 1d)`);
  return Number(m[1]) * UNIT_SECONDS[m[2]];
}

interface Pending {
  t: number;
  price: number;
  volume: number;
}

/**
 * Replays stored candles as a market: history before the start is served as candles, then every candle
 * becomes four trades (open, the two extremes in path order, close) at real or accelerated speed. The
 * simulator's clock runs with the replay, shifted so that the replay starts now.
 */
export class ReplayFeed implements MarketFeed {
  private readonly wallStart = Date.now();
  private readonly speed: number;
  private readonly rng: Rng;
  private offset = 0;
  private queues = new Map<string, Pending[]>();
  private states = new Map<string, MarketState>();
  private levelKrw = new Map<string, number>();

  constructor(private readonly opts: ReplayOptions) {
    this.speed = opts.speed ?? 1;
    if (!(this.speed > 0)) throw new Error('replay speed must be > 0');
    this.rng = new Rng(opts.seed ?? 1);
  }

  /** Replay time: starts at the wall clock and runs `speed` times faster. */
  clock(): number {
    return this.wallStart + (Date.now() - this.wallStart) * this.speed;
  }

  /** True once every market has replayed its last candle. */
  get finished(): boolean {
    return [...this.queues.values()].every((q) => q.length === 0);
  }

  async init(): Promise<MarketState[]> {
    const timeframe = this.opts.timeframe ?? '1m';
    const seconds = timeframeSeconds(timeframe);
    const historyCount = this.opts.historyCount ?? 1000;
    const where = { timeframe, ...(this.opts.markets ? { market: { in: this.opts.markets } } : {}) };
    const rows = await this.opts.prisma.candle.findMany({ where, orderBy: [{ market: 'asc' }, { ts: 'asc' }] });
    if (rows.length === 0) throw new Error(`no stored ${timeframe} candles to replay`);
    const byMarket = new Map<string, Candle[]>();
    for (const r of rows) {
      const list = byMarket.get(r.market) ?? [];
      const v = r.volume.toNumber();
      const c = r.close.toNumber();
      list.push({
        t: r.ts.getTime(),
        o: r.open.toNumber(),
        h: r.high.toNumber(),
        l: r.low.toNumber(),
        c,
        v,
        q: r.value ? r.value.toNumber() : v * c,
        last: r.ts.getTime() + seconds * 1000 - 1,
      });
      byMarket.set(r.market, list);
    }
    // One shared start so markets stay aligned: the first candle after every market's history.
    const from =
      this.opts.from?.getTime() ??
      Math.max(...[...byMarket.values()].map((list) => list[Math.min(historyCount, list.length - 1)].t));
    this.offset = this.wallStart - from;
    const states: MarketState[] = [];
    for (const [market, list] of byMarket) {
      const shifted = list.map((c) => ({ ...c, t: c.t + this.offset, last: c.last + this.offset }));
      const history = shifted.filter((c) => c.t < this.wallStart);
      const future = shifted.filter((c) => c.t >= this.wallStart);
      const layers: CandleLayer[] = [{ seconds, candles: history }];
      if (seconds !== 60) layers.push({ seconds: 60, candles: [] });
      const known = MARKETS.find((m) => m.market === market);
      const last = history[history.length - 1] ?? future[0];
      const minutes = seconds / 60;
      const krwPerMinute = history.length
        ? history.reduce((s, c) => s + c.q, 0) / history.length / minutes
        : (known?.krwPerMinute ?? 1_000_000);
      const spec: MarketSpec = {
        market,
        koreanName: known?.koreanName ?? market.split('-')[1],
        englishName: known?.englishName ?? market.split('-')[1],
        price: last.c,
        dailyVol: known?.dailyVol ?? 0.05,
        beta: known?.beta ?? 1,
        krwPerMinute,
        warning: known?.warning,
      };
      const state = new MarketState(spec, layers, this.wallStart);
      this.levelKrw.set(market, Math.max(krwPerMinute * 0.03, 300_000));
      this.rebuild(state, last.c);
      this.states.set(market, state);
      this.queues.set(
        market,
        future.flatMap((c) => this.path(c, seconds * 1000)),
      );
      states.push(state);
    }
    return states;
  }

  /** A candle as four trades in the order its price most likely took. */
  private path(c: Candle, durationMs: number): Pending[] {
    const up = c.c >= c.o;
    const prices = up ? [c.o, c.l, c.h, c.c] : [c.o, c.h, c.l, c.c];
    const volume = Number((c.v / 4).toFixed(8));
    return prices.map((price, i) => ({ t: c.t + Math.floor((durationMs * i) / 4), price, volume }));
  }

  private rebuild(state: MarketState, price: number, fairIsBid = false): void {
    const book = syntheticBook(
      state,
      price,
      this.levelKrw.get(state.market) ?? 300_000,
      () => this.rng.next(),
      fairIsBid,
    );
    state.asks = book.asks;
    state.bids = book.bids;
  }

  step(now: number): Print[] {
    const prints: Print[] = [];
    for (const [market, queue] of this.queues) {
      const state = this.states.get(market)!;
      let last = state.last;
      let n = 0;
      while (n < queue.length && queue[n].t <= now) {
        const p = queue[n++];
        if (p.volume > 0)
          prints.push({ market, price: p.price, volume: p.volume, askBid: p.price >= last ? 'BID' : 'ASK' });
        last = p.price;
      }
      if (n > 0) {
        queue.splice(0, n);
        this.rebuild(state, last);
      }
    }
    return prints;
  }

  setPrice(market: string, price: number): void {
    const state = this.states.get(market);
    if (state) this.rebuild(state, price, true);
  }

  async close(): Promise<void> {}
}
