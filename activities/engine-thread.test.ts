// Backtest passes on the engine thread: the same results as in process, a caller's thread that stays free while
// a pass runs (a backtest activity used to stall its whole worker process for the pass), and a cancel that ends
// the pass.
import { CancelledFailure } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { BacktestInputError, runBacktests } from '../core/backtest/engine';
import { syntheticColumns } from '../core/backtest/synthetic';
import { parseBacktestRequest } from '../core/contract';
import { type Candle, candleAt, candleColumns, DAY_MS } from '../core/market';
import { scoreChunk } from './backtest-runs';
import { runBacktestsOnThread } from './engine-thread';

const START = Date.parse('2025-01-01T00:00:00Z');
const MARKETS = ['KRW-BTC', 'KRW-ETH'];

/** `days` of 1-minute bars per market, some with the traded value and some without (as stored rows are). */
function candlesOf(days: number): Record<string, Candle[]> {
  const columns = syntheticColumns({ seed: 9, markets: MARKETS, from: START, bars: days * 1440, barMs: 60_000 });
  return Object.fromEntries(
    MARKETS.map((m) => [
      m,
      Array.from({ length: days * 1440 }, (_, i) => {
        const c = candleAt(columns[m], i);
        return i % 3 === 0 ? { ...c, value: c.close * c.volume * 1.01 } : c;
      }),
    ]),
  );
}

/** The longest gap between 10 ms ticks of this thread's event loop while `work` runs. */
async function longestStall<T>(work: () => Promise<T>): Promise<{ result: T; stallMs: number; tookMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 10);
  const started = performance.now();
  try {
    const result = await work();
    return { result, stallMs: Math.max(stallMs, performance.now() - last), tookMs: performance.now() - started };
  } finally {
    clearInterval(ticker);
  }
}

const config = (params: Record<string, number> = {}) => ({
  strategyId: 'pullback',
  params,
  initialCashKrw: '10000000',
  tradeFrom: START + 3 * DAY_MS,
});

/** An optimisation request over 1-minute bars from day 3 to day 90, and its window. */
function chunkOf(budget: number) {
  const request = parseBacktestRequest({
    kind: 'optimize',
    strategy: 'pullback',
    markets: MARKETS,
    timeframe: 'minute1',
    from: new Date(START + 3 * DAY_MS).toISOString(),
    to: new Date(START + 90 * DAY_MS).toISOString(),
    capitalKrw: '10000000',
    optimize: { method: 'random', budget, objective: 'totalReturn' },
  });
  return {
    request,
    window: { from: request.from, to: request.to },
    data: { candles: candlesOf(90), timeframe: 'minute1' as const },
  };
}

describe('backtest passes on the engine thread', () => {
  it('give the same results as the pass in process, from Candle objects and from columns', async () => {
    const candles = candlesOf(12);
    const data = { candles, timeframe: 'minute1' as const };
    const configs = [config(), config({ oversoldRsi: 36 })];
    const inProcess = JSON.stringify(runBacktests(configs, data));
    expect(JSON.parse(inProcess)[0].trades.length).toBeGreaterThan(0);
    expect(JSON.stringify(await runBacktestsOnThread(configs, data))).toBe(inProcess);
    const columns = Object.fromEntries(MARKETS.map((m) => [m, candleColumns(candles[m], { shared: true })]));
    expect(JSON.stringify(await runBacktestsOnThread(configs, { columns, timeframe: 'minute1' }))).toBe(inProcess);
  }, 60_000);

  it('keep the value a bar has and leave it off a bar that has none', () => {
    const candles = candlesOf(1)['KRW-BTC'];
    const columns = candleColumns(candles);
    const back = Array.from({ length: candles.length }, (_, i) => candleAt(columns, i));
    expect(back).toEqual(candles);
    expect(Object.hasOwn(back[1], 'value')).toBe(false);
    expect(back[0].value).toBeGreaterThan(0);
  });

  it('leave the calling thread free: a chunk activity keeps its event loop turning and heartbeats', async () => {
    // Eight sets: with four, the faster engine finished under the 800 ms below (2.6 s with eight under CI load).
    const { request, window, data } = chunkOf(8);
    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    const sets = Array.from({ length: 8 }, (_, i) => ({ oversoldRsi: 22 + 2 * i }));
    const { result, stallMs, tookMs } = await longestStall(() =>
      env.run(scoreChunk, data, request, sets, window, 'c0'),
    );
    expect((result as { params: unknown }[]).map((t) => t.params)).toEqual(sets);
    // A pass long enough that running it on this thread would show as a stall of its whole length.
    expect(tookMs).toBeGreaterThan(800);
    expect(stallMs).toBeLessThan(Math.min(400, tookMs / 2));
    expect(beats).toContain('c0');
  }, 120_000);

  it('end at once when the activity is cancelled, and the next pass still runs', async () => {
    const { request, window, data } = chunkOf(16);
    const env = new MockActivityEnvironment();
    const sets = Array.from({ length: 16 }, (_, i) => ({ oversoldRsi: 20 + i }));
    const started = performance.now();
    const running = env.run(scoreChunk, data, request, sets, window, 'c1');
    setTimeout(() => env.cancel(), 300);
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
    expect(performance.now() - started).toBeLessThan(1_500);

    const [after] = await runBacktestsOnThread([config()], { candles: candlesOf(4), timeframe: 'minute1' });
    expect(after.evaluations).toBeGreaterThan(0);
  }, 120_000);

  it('bring a bad input back as the BacktestInputError the workflow does not retry', async () => {
    const candles = candlesOf(2);
    candles['KRW-ETH'][5] = { ...candles['KRW-ETH'][5], high: 1 };
    const err = await runBacktestsOnThread([config()], { candles, timeframe: 'minute1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BacktestInputError);
    expect((err as BacktestInputError).name).toBe('BacktestInputError');
    expect((err as BacktestInputError).errors.join('\n')).toMatch(/KRW-ETH\[5\].*not a valid OHLCV bar/);
  });
});
