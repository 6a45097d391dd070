// The simulator's market clock: a warm-up before start, then every `tickMs` the feed's prints meet the
// resting orders, held fills are released, and the WebSocket streams get the tick's changes.
import type { Engine } from './engine';
import type { FaultState } from './fault-state';
import type { MarketFeed } from './feed';
import type { AskBid, MarketState } from './market-state';
import type { WebSocketHub } from './websocket';

/** Records an outside trade on its market (and streams it). */
export type RecordTrade = (market: string, price: number, volume: number, askBid: AskBid, timestamp: number) => void;

/** A few seconds of trading before start, so trades and one-second candles exist at once. */
export async function warmUp(
  feed: MarketFeed,
  markets: Map<string, MarketState>,
  now: () => number,
  tickMs: number,
  nextSequentialId: () => number,
) {
  const warmStep = Math.min(tickMs, 500);
  for (let t = now() - 20 * warmStep; t < now(); t += warmStep) {
    for (const p of await feed.step(t)) {
      const m = markets.get(p.market);
      m?.record({
        market: p.market,
        price: p.price,
        volume: p.volume,
        askBid: p.askBid,
        timestamp: t,
        sequentialId: nextSequentialId(),
      });
    }
  }
}

export interface TickContext {
  feed: MarketFeed;
  engine: Engine;
  faults: FaultState;
  now(): number;
  recordTrade: RecordTrade;
  /** The WebSocket hub, once attached. */
  hub(): WebSocketHub | null;
}

export interface TickLoop {
  /** Runs one market tick now (a tick still running makes this one a no-op). */
  tick(): Promise<void>;
  stop(): void;
}

export function startTickLoop(ctx: TickContext, tickMs: number): TickLoop {
  const { feed, engine, faults, now } = ctx;
  let ticking = false;
  const tick = async () => {
    if (ticking) return;
    ticking = true;
    try {
      const prints = await feed.step(now());
      for (const p of prints) {
        const left = engine.matchPrint(p);
        if (left > 1e-8) ctx.recordTrade(p.market, p.price, Number(left.toFixed(8)), p.askBid, now());
      }
      engine.releasePending();
      faults.outage();
      const ws = ctx.hub();
      ws?.afterTick(now());
      if (faults.current.wsDropRate) ws?.dropShare(faults.current.wsDropRate);
    } finally {
      ticking = false;
    }
  };
  const timer = setInterval(() => void tick().catch((e) => console.error('simulator tick failed', e)), tickMs);
  return { tick, stop: () => clearInterval(timer) };
}
