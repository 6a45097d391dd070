// The reference backtests (bench/reference.ts, test/backtest/reference.test.ts): results recorded before the backtester was
// made faster, which every later version must reproduce byte for byte.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type BacktestConfig,
  type BacktestData,
  type BacktestEvent,
  type BacktestInput,
  runBacktests,
  runBacktestsWith,
} from '../core/backtest/engine';
import { syntheticCandles, syntheticColumns } from '../core/backtest/synthetic';
import { FeatureEngine } from '../core/indicators';
import { featureTimeframesOf, getStrategy, strategies } from '../core/strategy';
import { loadCandles } from '../scripts/backtest';

export const REFERENCE_FILE = join(import.meta.dirname, '../test/backtest/reference-hashes.json');

const MARKETS = ['KRW-BTC', 'KRW-ETH', 'KRW-XRP', 'KRW-SOL'];
const REAL_MARKETS = ['KRW-BTC', 'KRW-ETH', 'KRW-XRP', 'KRW-SOL', 'KRW-DOGE', 'KRW-LINK'];
const CASH = '100000000';

/** The shared real candles (shared/data/upbit beside the checkout), when there. */
function realDir(): string | null {
  let d = dirname(import.meta.dirname);
  for (;;) {
    const candidate = join(dirname(d), 'shared/data/upbit');
    if (existsSync(join(candidate, 'KRW-BTC_60m.csv'))) return candidate;
    if (dirname(d) === d) return null;
    d = dirname(d);
  }
}

let synthetic: BacktestData | null = null;
/** 70 days of seeded 1-minute candles of four markets: past every strategy's warm-up (dual-momentum: 46 days). */
function minuteData(): BacktestData {
  synthetic ??= {
    candles: syntheticCandles({
      seed: 42,
      markets: MARKETS,
      from: Date.parse('2024-03-01T00:00:00Z'),
      bars: 70 * 1440,
      barMs: 60_000,
    }),
    timeframe: 'minute1',
  };
  return synthetic;
}

function firstDays(days: number): BacktestData {
  const all = minuteData();
  return {
    candles: Object.fromEntries(Object.entries(all.candles).map(([m, cs]) => [m, cs.slice(0, days * 1440)])),
    timeframe: all.timeframe,
  };
}

/** The bench's bare-rule risk (bench/rsi.ts): no stop, no spike gate, gates opened. */
const BARE_RISK = {
  riskPerTradePct: 10,
  maxOpenPositions: 6,
  maxCoinWeightPct: 16,
  maxTotalExposurePct: 100,
  maxEntriesPerCoinPerDay: 100,
  dailyLossLimitPct: 100,
  maxDrawdownPct: 100,
  maxCorrelation: 1,
  volatilityHaltDropPct: 100,
  cooldownAfterLossMinutes: 0,
  edge: { feeMultiple: 0, atrMultiple: 0, slippagePct: 0 },
  dataQuality: { spikeGate: false },
  exit: {
    stopMode: 'none',
    takeProfit: [{ atPct: 1000, fraction: 1 }],
    trailingAtrMultiple: 0,
    blowOffRsi: 100,
    timeExitBars: 0,
  },
};

/** Results of several configs and, when asked, every event they saw, as one JSON string. */
function runAll(configs: BacktestConfig[], data: BacktestInput, withEvents: boolean): string {
  if (!withEvents) return JSON.stringify(runBacktests(configs, data));
  const strategy = getStrategy(configs[0].strategyId);
  const events: [number, BacktestEvent][] = [];
  const features = new FeatureEngine({
    baseTimeframe: data.timeframe,
    dayBoundary: 'utc',
    featureTimeframes: featureTimeframesOf(strategy),
  });
  const results = runBacktestsWith(strategy, configs, data, features, (i, e) => events.push([i, e]));
  return JSON.stringify({ results, events });
}

export interface ReferenceCase {
  name: string;
  /** The JSON to hash, or null when its data is not there. */
  run: () => string | null;
}

export function referenceCases(): ReferenceCase[] {
  const cases: ReferenceCase[] = [
    {
      name: 'rsi real 60m',
      run: () => {
        const dir = realDir();
        if (!dir) return null;
        const markets = REAL_MARKETS.filter((m) => existsSync(join(dir, `${m}_60m.csv`)));
        const data: BacktestData = {
          candles: loadCandles(dir, markets, 'minute60', 0, Number.MAX_SAFE_INTEGER),
          timeframe: 'minute60',
        };
        return runAll(
          [
            { strategyId: 'rsi', initialCashKrw: CASH },
            { strategyId: 'rsi', initialCashKrw: CASH, risk: BARE_RISK },
          ],
          data,
          false,
        );
      },
    },
    {
      name: 'pullback real 15m KRW-ETH',
      run: () => {
        const dir = realDir();
        if (!dir || !existsSync(join(dir, 'KRW-ETH_15m.csv'))) return null;
        const data: BacktestData = {
          candles: loadCandles(dir, ['KRW-ETH'], 'minute15', 0, Number.MAX_SAFE_INTEGER),
          timeframe: 'minute15',
        };
        return runAll([{ strategyId: 'pullback', initialCashKrw: CASH }], data, false);
      },
    },
  ];
  for (const id of Object.keys(strategies))
    cases.push({
      name: `${id} synthetic 1m`,
      // probe decides every minute: 10 days are enough.
      run: () =>
        runAll(
          [{ strategyId: id, initialCashKrw: CASH }],
          id === 'probe' ? firstDays(10) : minuteData(),
          id === 'pullback',
        ),
    });
  // The same candles as columns: the same result as 'pullback synthetic 1m'.
  cases.push({
    name: 'pullback synthetic 1m (columns)',
    run: () =>
      runAll(
        [{ strategyId: 'pullback', initialCashKrw: CASH }],
        {
          columns: syntheticColumns({
            seed: 42,
            markets: MARKETS,
            from: Date.parse('2024-03-01T00:00:00Z'),
            bars: 70 * 1440,
            barMs: 60_000,
          }),
          timeframe: 'minute1',
        },
        true,
      ),
  });
  // Parameter sets in one pass, limit entries and a trading window, loosened gates.
  cases.push({
    name: 'pullback synthetic 1m: limit entries, window, several sets',
    run: () => {
      const from = Date.parse('2024-03-20T00:00:00Z');
      return runAll(
        [
          {
            strategyId: 'pullback',
            initialCashKrw: CASH,
            entryOrder: { type: 'limit', timeoutBars: 3, fallbackToMarket: true },
            tradeFrom: from,
            tradeTo: from + 30 * 86_400_000,
          },
          { strategyId: 'pullback', initialCashKrw: '5000000', params: { trendMin: 0.1, oversoldRsi: 35 } },
          { strategyId: 'pullback', initialCashKrw: CASH, risk: BARE_RISK },
        ],
        minuteData(),
        true,
      );
    },
  });
  cases.push({
    name: 'rsi synthetic 1m bare rule',
    run: () => runAll([{ strategyId: 'rsi', initialCashKrw: CASH, risk: BARE_RISK }], minuteData(), true),
  });
  return cases;
}
