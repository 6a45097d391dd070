import { syntheticBook } from './book';
import type { CandleLayer } from './candles';
import type { MarketFeed, Print } from './feed';
import { MarketState } from './market-state';
import { MARKETS, type MarketSpec } from './markets';
import { ceilToTick, floorToTick } from './price-grid';

/** Small, fast, seedable PRNG (mulberry32) with normal draws; the whole market is a function of the seed. */
export class Rng {
  private state: number;
  private spare: number | null = null;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u = Math.max(this.next(), 1e-12);
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

/** Market regimes of the common (BTC) factor: drift per minute in units of BTC minute volatility. */
const REGIMES = [
  { name: 'calm', drift: 0, vol: 0.5 },
  { name: 'uptrend', drift: 0.01, vol: 0.7 },
  { name: 'downtrend', drift: -0.012, vol: 0.85 },
  { name: 'turbulent', drift: 0, vol: 1.3 },
] as const;
/** Mean regime length in minutes. */
const REGIME_MINUTES = 8 * 60;

export interface SyntheticOptions {
  seed: number;
  tickMs: number;
  /** Minutes of one-minute history before start (default 4 days). */
  historyMinutes?: number;
  /** Hours of hourly history before the minute history (default 1000). */
  historyHours?: number;
  /** Days of daily history before the hourly history (default 400). */
  historyDays?: number;
  markets?: readonly MarketSpec[];
}

interface Walker {
  spec: MarketSpec;
  /** Log price relative to the reference; the series is shifted so history ends at the reference price. */
  minuteVol: number;
  idioVol: number;
  fair: number;
  /** KRW of one typical trade. */
  tradeKrw: number;
  tradesPerMinute: number;
}

/**
 * Seeded synthetic KRW market: a regime-switching BTC factor with jumps, every coin following it with its
 * own beta plus idiosyncratic noise and jumps, volume rising with volatility, books one tick wide.
 */
export class SyntheticFeed implements MarketFeed {
  private readonly rng: Rng;
  private regime = 0;
  private walkers: Walker[] = [];
  private states = new Map<string, MarketState>();
  private btcMinuteVol: number;

  constructor(private readonly opts: SyntheticOptions) {
    this.rng = new Rng(opts.seed);
    const specs = opts.markets ?? MARKETS;
    this.btcMinuteVol = specs[0].dailyVol / Math.sqrt(1440);
    this.walkers = specs.map((spec) => {
      const minuteVol = spec.dailyVol / Math.sqrt(1440);
      const common = spec.beta * this.btcMinuteVol;
      const idioVol = Math.sqrt(Math.max(minuteVol ** 2 - common ** 2, (0.35 * minuteVol) ** 2));
      const tradeKrw = Math.min(400_000, Math.max(30_000, spec.krwPerMinute / 600));
      return { spec, minuteVol, idioVol, fair: 0, tradeKrw, tradesPerMinute: spec.krwPerMinute / tradeKrw };
    });
  }

  /** One step of dt minutes for all markets; returns log returns. */
  private advance(dtMinutes: number): number[] {
    const switchP = 1 - (1 - 1 / REGIME_MINUTES) ** dtMinutes;
    if (this.rng.next() < switchP) this.regime = Math.floor(this.rng.next() * REGIMES.length);
    const r = REGIMES[this.regime];
    const sq = Math.sqrt(dtMinutes);
    // A few shocks are three times the usual size: fat tails as in real returns.
    const shock = this.rng.next() < 0.03 ? 3 : 1;
    let btc = r.drift * this.btcMinuteVol * dtMinutes + shock * r.vol * this.btcMinuteVol * sq * this.rng.normal();
    if (this.rng.next() < Math.min(1, dtMinutes / 6000))
      btc += (this.rng.next() < 0.5 ? -1 : 1) * (0.003 + 0.012 * this.rng.next());
    return this.walkers.map((w, i) => {
      if (i === 0) return btc;
      let ret = w.spec.beta * btc + r.vol * w.idioVol * sq * this.rng.normal();
      if (this.rng.next() < Math.min(1, dtMinutes / 8000))
        ret += (this.rng.next() < 0.45 ? -1 : 1) * (0.01 + 0.04 * this.rng.next());
      return ret;
    });
  }

  async init(now: number): Promise<MarketState[]> {
    const minutes = this.opts.historyMinutes ?? 4 * 1440;
    const hours = this.opts.historyHours ?? 1000;
    const days = this.opts.historyDays ?? 400;
    const nowMinute = now - (now % 60_000);
    const minuteStart = nowMinute - minutes * 60_000;
    const hourStart = minuteStart - (minuteStart % 3_600_000) - hours * 3_600_000;
    const dayStart = hourStart - (hourStart % 86_400_000) - days * 86_400_000;
    const plan: Array<{ seconds: number; from: number; to: number }> = [
      { seconds: 86_400, from: dayStart, to: hourStart - (hourStart % 86_400_000) },
      { seconds: 3600, from: hourStart - (hourStart % 86_400_000), to: minuteStart - (minuteStart % 3_600_000) },
      { seconds: 60, from: minuteStart - (minuteStart % 3_600_000), to: nowMinute },
    ];
    // Log-price paths: [layer][market] -> list of (t, open, close, vol, dtMinutes)
    type Raw = { t: number; o: number; c: number; dt: number; ret: number };
    const raws: Raw[][][] = plan.map(() => this.walkers.map(() => []));
    const logP = this.walkers.map(() => 0);
    plan.forEach((layer, li) => {
      const dt = layer.seconds / 60;
      for (let t = layer.from; t < layer.to; t += layer.seconds * 1000) {
        const rets = this.advance(dt);
        rets.forEach((ret, mi) => {
          const o = logP[mi];
          logP[mi] += ret;
          raws[li][mi].push({ t, o, c: logP[mi], dt, ret });
        });
      }
    });
    const states = this.walkers.map((w, mi) => {
      const shift = Math.log(w.spec.price) - logP[mi];
      const layers: CandleLayer[] = plan.map((layer, li) => ({
        seconds: layer.seconds,
        candles: raws[li][mi].map((r) => {
          const o = floorToTick(Math.exp(r.o + shift));
          const c = floorToTick(Math.exp(r.c + shift));
          const stepVol = w.minuteVol * Math.sqrt(r.dt);
          const h = ceilToTick(Math.max(o, c) * Math.exp(Math.abs(this.rng.normal()) * stepVol * 0.5));
          const l = floorToTick(Math.min(o, c) * Math.exp(-Math.abs(this.rng.normal()) * stepVol * 0.5));
          const activity = 1 + Math.abs(r.ret) / stepVol;
          const krw = w.spec.krwPerMinute * r.dt * activity * 0.6 * Math.exp(0.5 * this.rng.normal());
          const mid = (o + c) / 2;
          const v = Number((krw / mid).toFixed(8));
          return { t: r.t, o, h, l: Math.min(l, o, c), c, v, q: v * mid, last: r.t + layer.seconds * 1000 - 1 };
        }),
      }));
      w.fair = Math.exp(logP[mi] + shift);
      const state = new MarketState(w.spec, layers, now);
      this.states.set(w.spec.market, state);
      this.rebuildBook(state, w.fair);
      return state;
    });
    return states;
  }

  step(now: number): Print[] {
    const dt = this.opts.tickMs / 60_000;
    const rets = this.advance(dt);
    const prints: Print[] = [];
    this.walkers.forEach((w, i) => {
      const state = this.states.get(w.spec.market);
      if (!state) return;
      const before = w.fair;
      w.fair *= Math.exp(rets[i]);
      this.rebuildBook(state, w.fair);
      const expected = w.tradesPerMinute * dt * (1 + Math.abs(rets[i]) / (w.minuteVol * Math.sqrt(dt)));
      let n = Math.min(8, Math.floor(expected) + (this.rng.next() < expected % 1 ? 1 : 0));
      while (n-- > 0) {
        const up = this.rng.next() < (w.fair >= before ? 0.65 : 0.35);
        const level = up ? state.asks[0] : state.bids[0];
        const krw = w.tradeKrw * Math.exp(0.9 * this.rng.normal() - 0.4);
        const volume = Number(Math.max(krw / level.price, 1e-8).toFixed(8));
        prints.push({ market: w.spec.market, price: level.price, volume, askBid: up ? 'BID' : 'ASK' });
      }
    });
    void now;
    return prints;
  }

  setPrice(market: string, price: number): void {
    const w = this.walkers.find((x) => x.spec.market === market);
    const state = this.states.get(market);
    if (!w || !state) return;
    w.fair = price;
    this.rebuildBook(state, price, true);
  }

  /** Rebuilds the displayed synthetic book around the fair price. */
  private rebuildBook(state: MarketState, fair: number, fairIsBid = false): void {
    const w = this.walkers.find((x) => x.spec.market === state.market)!;
    const levelKrw = Math.max(w.spec.krwPerMinute * 0.03, 300_000);
    const book = syntheticBook(state, fair, levelKrw, () => this.rng.next(), fairIsBid);
    state.asks = book.asks;
    state.bids = book.bids;
  }

  async close(): Promise<void> {}
}
