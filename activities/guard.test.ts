// The guard shows the exit plan each closed bar of the entry timeframe, built as the backtester builds it:
// a blow-off top (RSI over the threshold on a volume spike) sells everything; the bar's ATR becomes the plan's.
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureEngine, UndeclaredIndicatorError } from '../core/indicators';
import type { Candle } from '../core/market';
import { closedBarObservation, createExitPlan, DEFAULT_EXIT_CONFIG, updateExitPlan } from '../core/risk';
import type { ExitPlan, ExitUpdate } from '../core/risk/types';
import { fetchRecentCandles } from '../exchange/marketdata/download';
import { exchangeProvider } from '../exchange/provider';
import { type Simulator, startSimulator } from '../exchange/sim/server';
import type { ActivityDeps } from './deps';
import { closedBarFeatures, createGuardActivities } from './guard';
import { PriceFeed } from './price-feed';

const MINUTE = 60_000;
const T0 = Date.parse('2026-11-20T00:00:00Z');

/** 40 one-minute bars rising 0.5 % each on steady volume, the last one on five times the volume. */
function blowOffCandles(): Candle[] {
  return Array.from({ length: 40 }, (_, i) => {
    const open = 1000 * 1.005 ** i;
    const close = open * 1.005;
    const volume = i === 39 ? 500 : 100;
    return { ts: T0 + i * MINUTE, open, high: close, low: open, close, volume, value: volume * close };
  });
}

const plan = (overrides: Partial<typeof DEFAULT_EXIT_CONFIG>, entryPrice: number, atr = 1): ExitPlan =>
  createExitPlan({
    market: 'KRW-XRP',
    entryPrice,
    volume: '100',
    atr,
    config: {
      ...DEFAULT_EXIT_CONFIG,
      stopMode: 'pct',
      stopPct: 20,
      takeProfit: [{ atPct: 100, fraction: 1 }],
      timeExitBars: 0,
      barMs: MINUTE,
      ...overrides,
    },
    openedTs: T0,
  });

describe('closed-bar observations', () => {
  it('sell everything on a blow-off top, and only from closed bars', () => {
    const candles = blowOffCandles();
    const closedAt = T0 + 40 * MINUTE;
    const bar = closedBarFeatures('KRW-XRP', 'minute1', candles, closedAt);
    expect(bar.lastClosedTs).toBe(T0 + 39 * MINUTE);
    expect(bar.rsi14).toBeGreaterThan(80);
    expect(bar.volumeSpike).toBeGreaterThanOrEqual(2);
    const update = updateExitPlan(plan({ blowOffRsi: 80 }, 1000), closedBarObservation(bar, closedAt));
    expect(update.trigger?.kind).toBe('blow_off');
    expect(Number(update.trigger?.volume)).toBe(100);
    // Half a minute earlier the spike bar is still forming: it is not judged, and nothing is sold.
    const before = closedBarFeatures('KRW-XRP', 'minute1', candles, closedAt - 30_000);
    expect(before.lastClosedTs).toBe(T0 + 38 * MINUTE);
    expect(updateExitPlan(plan({ blowOffRsi: 80 }, 1000), closedBarObservation(before, closedAt)).trigger).toBe(
      undefined,
    );
    // With the blow-off exit off, the same bar only refreshes the ATR the trailing stop is measured in.
    const off = updateExitPlan(plan({ blowOffRsi: 0 }, 1000), closedBarObservation(bar, closedAt));
    expect(off.trigger).toBe(undefined);
    expect(Number(off.plan.atr)).toBeCloseTo(bar.atr ?? Number.NaN, 8);
  });

  it('computes only what the exit plan reads, with the values an engine computing everything gives', () => {
    const candles = blowOffCandles();
    const closedAt = T0 + 40 * MINUTE;
    const bar = closedBarFeatures('KRW-XRP', 'minute1', candles, closedAt);
    const full = new FeatureEngine({ baseTimeframe: 'minute1', dayBoundary: 'utc' });
    full.warmUp('KRW-XRP', 'minute1', candles, closedAt);
    const everything = full.snapshot('KRW-XRP', closedAt).timeframes.minute1;
    expect(closedBarObservation(bar, closedAt)).toEqual(closedBarObservation(everything, closedAt));
    expect(bar.lastClosedTs).toBe(everything.lastClosedTs);
    // Anything else is not computed, and reading it says so instead of passing for "not warmed up".
    expect(() => bar.ema21).toThrow(UndeclaredIndicatorError);
  });
});

describe('guardPosition on the simulator', () => {
  let sim: Simulator;
  let prices: PriceFeed;
  let deps: ActivityDeps;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 11, tickMs: 100, historyMinutes: 300 });
    const exchange = exchangeProvider({ simUrl: sim.baseUrl, upbitUrl: 'http://127.0.0.1:9' });
    prices = new PriceFeed(exchange, { intervalMs: 250, streamUrl: () => sim.wsUrl });
    deps = { exchange, prices } as unknown as ActivityDeps;
  });

  afterAll(async () => {
    prices?.stop();
    await sim?.close();
  });

  it("guards a plan with stopMode 'none' without a stop: a price far under the entry sells nothing", async () => {
    const exchange = deps.exchange('sim');
    const price = Number((await exchange.ticker(['KRW-XRP']))[0].trade_price);
    const guard = createGuardActivities(deps).guardPosition;
    // Entered at twice today's price: the first price is 50 % under the entry.
    const stopped: ExitUpdate = await new MockActivityEnvironment().run(guard, {
      positionId: 'pos-stop',
      mode: 'sim' as const,
      plan: plan({ blowOffRsi: 0, trailingAtrMultiple: 0 }, price * 2),
    });
    expect(stopped.trigger?.kind).toBe('stop');
    const env = new MockActivityEnvironment();
    const ticks: number[] = [];
    const unsubscribe = prices.subscribe('sim', 'KRW-XRP', (t) => ticks.push(t.price));
    const held = env.run(guard, {
      positionId: 'pos-no-stop',
      mode: 'sim' as const,
      plan: plan({ stopMode: 'none', blowOffRsi: 0, trailingAtrMultiple: 0 }, price * 2),
      progressOnCancel: true,
    });
    const deadline = Date.now() + 15_000;
    while (ticks.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    unsubscribe();
    env.cancel();
    const update = (await held) as ExitUpdate;
    expect(ticks.length, 'prices reached the guard').toBeGreaterThanOrEqual(5);
    expect(update.trigger).toBeUndefined();
    expect(update.plan.stop).toBeUndefined();
    expect(update.plan.remaining).toBe('100');
  }, 30_000);

  it('takes the ATR of each closed entry-timeframe bar into the plan it heartbeats', async () => {
    const exchange = deps.exchange('sim');
    const price = Number((await exchange.ticker(['KRW-XRP']))[0].trade_price);
    // ATR 0.001 KRW cannot be the market's: the first closed bar replaces it.
    const start = plan({ blowOffRsi: 0 }, price, 0.001);
    const env = new MockActivityEnvironment();
    const beats: ExitPlan[] = [];
    env.on('heartbeat', (d: { plan: ExitPlan }) => beats.push(d.plan));
    const running = env
      .run(createGuardActivities(deps).guardPosition, {
        positionId: 'pos-test',
        mode: 'sim' as const,
        plan: start,
        barTimeframe: 'minute1' as const,
      })
      .catch((err: Error) => err);
    const deadline = Date.now() + 75_000;
    while (!beats.some((p) => p.atr !== start.atr) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 250));
    const refreshed = beats.find((p) => p.atr !== start.atr);
    // The guard read the bar at most a heartbeat ago; the candles read now have the same closed bars.
    const candles = await fetchRecentCandles(exchange, 'KRW-XRP', 'minute1', 200);
    env.cancel();
    expect((await running) as Error).toBeInstanceOf(Error);
    expect(refreshed, 'a heartbeat with the closed bar ATR').toBeDefined();
    const bar = closedBarFeatures('KRW-XRP', 'minute1', candles, Date.now());
    expect(Number(refreshed?.atr)).toBeCloseTo(bar.atr ?? Number.NaN, 6);
  }, 90_000);
});
