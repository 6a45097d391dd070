import { describe, expect, it } from 'vitest';
import { type DroppedReason, type Trade, type TradeCandle, TradeCandleBuilder } from './trade-candles';

const T0 = Date.UTC(2025, 0, 2, 3, 4, 0); // 2025-01-02T03:04:00Z, a minute start

function collect(options: { graceMs?: number; keepClosedMs?: number } = {}) {
  const candles: TradeCandle[] = [];
  const dropped: [number, DroppedReason][] = [];
  const builder = new TradeCandleBuilder({
    ...options,
    onCandle: (c) => candles.push(c),
    onDropped: (t, reason) => dropped.push([t.sequentialId, reason]),
  });
  return { builder, candles, dropped };
}

const trade = (sequentialId: number, offsetMs: number, price: number, volume: number, market = 'KRW-BTC'): Trade => ({
  market,
  price,
  volume,
  timestamp: T0 + offsetMs,
  sequentialId,
});

describe('TradeCandleBuilder', () => {
  it('builds OHLCV per UTC minute and emits a minute only after it has closed', () => {
    const { builder, candles } = collect({ graceMs: 1000 });
    builder.add(trade(1, 5_000, 100, 0.5));
    builder.add(trade(2, 20_000, 103, 0.1));
    builder.add(trade(3, 40_000, 99, 0.2));
    builder.add(trade(4, 59_999, 101, 0.3));
    builder.add(trade(5, 60_000, 102, 1)); // first trade of the next minute, within the grace: nothing closes yet
    expect(candles).toEqual([]);
    builder.advance(T0 + 61_000);
    // hand-worked: value = 100*0.5 + 103*0.1 + 99*0.2 + 101*0.3 = 50 + 10.3 + 19.8 + 30.3 = 110.4
    expect(candles).toEqual([
      {
        market: 'KRW-BTC',
        ts: T0,
        open: 100,
        high: 103,
        low: 99,
        close: 101,
        volume: 1.1,
        value: 110.4,
        trades: 4,
        revised: false,
      },
    ]);
  });

  it('produces no candle for a minute without trades', () => {
    const { builder, candles } = collect({ graceMs: 0 });
    builder.add(trade(1, 1_000, 100, 1));
    builder.add(trade(2, 3 * 60_000 + 1_000, 110, 1)); // minutes +1 and +2 have no trades
    builder.advance(T0 + 4 * 60_000);
    expect(candles.map((c) => c.ts)).toEqual([T0, T0 + 3 * 60_000]);
  });

  it('ignores a repeated sequential_id and reports it', () => {
    const { builder, candles, dropped } = collect({ graceMs: 0 });
    builder.add(trade(7, 1_000, 100, 1));
    builder.add(trade(7, 1_000, 100, 1));
    builder.add(trade(8, 2_000, 101, 2));
    builder.flush();
    expect(candles).toHaveLength(1);
    expect(candles[0].volume).toBe(3);
    expect(candles[0].trades).toBe(2);
    expect(dropped).toEqual([[7, 'duplicate']]);
    expect(builder.stats.duplicates).toBe(1);
  });

  it('puts a trade that arrives late into its own minute, and open/close follow trade time', () => {
    const { builder, candles } = collect({ graceMs: 2_000 });
    builder.add(trade(10, 30_000, 200, 1));
    builder.add(trade(12, 60_500, 210, 1)); // next minute
    builder.add(trade(9, 10_000, 190, 1)); // arrives after #12 but happened first in minute 0: becomes its open
    builder.advance(T0 + 62_000);
    expect(candles).toHaveLength(1);
    expect(candles[0]).toMatchObject({ ts: T0, open: 190, close: 200, low: 190, high: 200, volume: 2, revised: false });
  });

  it('revises an emitted minute when a trade for it arrives after the grace, and drops what is older than kept', () => {
    const { builder, candles, dropped } = collect({ graceMs: 1_000, keepClosedMs: 60_000 });
    builder.add(trade(1, 10_000, 100, 1));
    builder.advance(T0 + 61_000); // minute 0 emitted
    builder.add(trade(2, 50_000, 120, 1)); // late, minute 0 still kept: re-emitted with the trade
    expect(candles).toHaveLength(2);
    expect(candles[1]).toMatchObject({ ts: T0, open: 100, close: 120, high: 120, volume: 2, revised: true });
    builder.advance(T0 + 3 * 60_000); // minute 0 ended 2 min ago: forgotten
    builder.add(trade(3, 20_000, 130, 1));
    expect(dropped).toEqual([[3, 'too-late']]);
    expect(candles).toHaveLength(2);
  });

  it('emits a fresh minute at once when its first trade arrives after that minute closed', () => {
    const { builder, candles } = collect({ graceMs: 0, keepClosedMs: 5 * 60_000 });
    builder.add(trade(1, 2 * 60_000 + 5_000, 100, 1)); // minute +2
    builder.add(trade(2, 65_000, 90, 1)); // minute +1 had nothing yet; it already closed (watermark is in +2)
    expect(candles).toEqual([expect.objectContaining({ ts: T0 + 60_000, open: 90, close: 90, revised: false })]);
  });

  it('keeps markets apart', () => {
    const { builder, candles } = collect({ graceMs: 0 });
    builder.add(trade(1, 1_000, 100, 1, 'KRW-BTC'));
    builder.add(trade(1, 2_000, 5, 10, 'KRW-XRP')); // same sequential_id in another market is not a duplicate
    builder.advance(T0 + 60_000);
    expect(candles.map((c) => [c.market, c.close, c.volume])).toEqual([
      ['KRW-BTC', 100, 1],
      ['KRW-XRP', 5, 10],
    ]);
  });
});
