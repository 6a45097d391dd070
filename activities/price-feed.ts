// One shared price feed per worker and mode: every guard activity subscribes here instead of opening
// its own stream, so 50 positions cost one WebSocket subscription, not 50. Prices come from the public
// `ticker` stream; while that stream is down (or for a mode without one) a REST ticker poll stands in.
import type { TradingMode } from '../core/session/config';
import type { UpbitClient } from '../exchange/upbit/client';
import { UpbitStream } from '../exchange/upbit/websocket';

export interface PriceTick {
  market: string;
  price: number;
  ts: number;
}

type Listener = (tick: PriceTick) => void;

export interface PriceFeedOptions {
  /** REST poll period while a mode has no live stream (ms). Default 1000. */
  intervalMs?: number;
  /** WebSocket base URL of a mode's exchange; a mode without one is polled over REST only. */
  streamUrl?: (mode: TradingMode) => string | undefined;
}

export class PriceFeed {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly streams = new Map<TradingMode, UpbitStream>();
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  lastError: string | null = null;

  constructor(
    private readonly exchange: (mode: TradingMode) => UpbitClient,
    private readonly opts: PriceFeedOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 1000;
  }

  subscribe(mode: TradingMode, market: string, listener: Listener): () => void {
    const key = `${mode}|${market}`;
    let set = this.listeners.get(key);
    if (!set) {
      set = new Set();
      this.listeners.set(key, set);
      this.resubscribe(mode);
    }
    set.add(listener);
    this.ensureRunning();
    return () => {
      set.delete(listener);
      if (set.size > 0 || this.listeners.get(key) !== set) return;
      this.listeners.delete(key);
      this.resubscribe(mode);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** Whether prices of `mode` arrive over the WebSocket right now. */
  streaming(mode: TradingMode): boolean {
    return this.streams.get(mode)?.connected ?? false;
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const stream of this.streams.values()) stream.close();
    this.streams.clear();
  }

  private marketsOf(mode: TradingMode): string[] {
    return [...this.listeners.keys()].filter((k) => k.startsWith(`${mode}|`)).map((k) => k.slice(mode.length + 1));
  }

  private deliver(mode: TradingMode, tick: PriceTick) {
    for (const l of this.listeners.get(`${mode}|${tick.market}`) ?? []) l(tick);
  }

  /** Points the mode's stream at the markets watched now (Upbit replaces a subscription, never merges). */
  private resubscribe(mode: TradingMode) {
    const url = this.opts.streamUrl?.(mode);
    if (!url) return;
    const codes = this.marketsOf(mode);
    let stream = this.streams.get(mode);
    if (codes.length === 0) {
      stream?.close();
      this.streams.delete(mode);
      return;
    }
    if (!stream) {
      stream = new UpbitStream({ url });
      stream.on('ticker', (t) =>
        this.deliver(mode, { market: t.code, price: t.trade_price, ts: t.trade_timestamp || Date.now() }),
      );
      // The stream reconnects by itself; meanwhile the REST poll covers.
      stream.on('error', (err) => {
        this.lastError = err.message;
      });
      this.streams.set(mode, stream);
    }
    stream.subscribe([{ type: 'ticker', codes }]).catch((err: Error) => {
      this.lastError = err.message;
    });
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
        if (this.streaming(mode)) continue;
        byMode.set(mode, [...(byMode.get(mode) ?? []), market]);
      }
      for (const [mode, markets] of byMode) {
        const tickers = await this.exchange(mode).ticker(markets);
        for (const t of tickers)
          this.deliver(mode, { market: t.market, price: t.trade_price, ts: t.trade_timestamp || Date.now() });
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
