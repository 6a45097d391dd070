// Reads stored candles for the backtester and the simulator's replay feed: numbers, oldest first, per market.
import type { Candle } from '../../core/market';
import { candlesIn } from '../../prisma/repositories/candles';
import { type CandleStore, type Instant, toMs } from './store';
import type { CandleTimeframe } from './timeframes';

export interface LoadRequest {
  markets: string[];
  timeframe: CandleTimeframe;
  /** Inclusive bucket start, UTC. */
  from: Instant;
  /** Exclusive bucket start, UTC. */
  to: Instant;
}

/** Stored candles per market, oldest first, as numbers. Every requested market has an entry (empty if none stored). */
export async function loadCandles(store: CandleStore, req: LoadRequest): Promise<Record<string, Candle[]>> {
  const out: Record<string, Candle[]> = {};
  for (const market of req.markets) out[market] = [];
  const rows = await candlesIn(store.prisma, {
    markets: req.markets,
    timeframe: req.timeframe,
    from: toMs(req.from),
    to: toMs(req.to),
  });
  for (const r of rows) {
    const candle: Candle = {
      ts: r.ts.getTime(),
      open: r.open.toNumber(),
      high: r.high.toNumber(),
      low: r.low.toNumber(),
      close: r.close.toNumber(),
      volume: r.volume.toNumber(),
    };
    if (r.value !== null) candle.value = r.value.toNumber();
    out[r.market].push(candle);
  }
  return out;
}
