// One shared price poller per worker and mode: every guard activity subscribes here instead of
// opening its own stream, so 50 positions cost one ticker request per interval, not 50.
import type { TradingMode } from '../core/session/config';
import type { UpbitClient } from '../exchange/upbit/client';

export interface PriceTick {
  market: string;
  price: number;
  ts: number;
}

type Listener = (tick: PriceTick) => void;

export class PriceFeed {
  private readonly listeners = new Map<string, Set<Listener>>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  lastError: string | null = null;

  constructor(
    private readonly exchange: (mode: TradingMode) => UpbitClient,
    private readonly intervalMs = 1000,
  ) {}

  subscribe(mode: TradingMode, market: string, listener: Listener): () => void {
    const key = `${mode}|${market}`;
    let set = this.listeners.get(key);
    if (!set) {
      set = new Set();
      this.listeners.set(key, set);
    }
    set.add(listener);
    this.ensureRunning();
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(key);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private ensureRunning() {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    void this.poll();
  }

  private async poll() {
    if (this.polling) return;
    this.polling = true;
    try {
      const byMode = new Map<TradingMode, string[]>();
      for (const key of this.listeners.keys()) {
        const [mode, market] = key.split('|') as [TradingMode, string];
        byMode.set(mode, [...(byMode.get(mode) ?? []), market]);
      }
      for (const [mode, markets] of byMode) {
        const tickers = await this.exchange(mode).ticker(markets);
        for (const t of tickers) {
          const tick = { market: t.market, price: t.trade_price, ts: t.trade_timestamp || Date.now() };
          for (const l of this.listeners.get(`${mode}|${t.market}`) ?? []) l(tick);
        }
      }
      this.lastError = null;
    } catch (err) {
      // A missed poll is retried on the next tick; guards keep their plan meanwhile.
      this.lastError = (err as Error).message;
    } finally {
      this.polling = false;
    }
  }
}
