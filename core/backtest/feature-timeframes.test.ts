// A backtest computes features only for the timeframes its strategy declares (featureTimeframesOf), and there only
// the indicators it lists (featureIndicatorsOf). These tests prove that cannot change a result: every built-in
// strategy decides, trades and reports exactly as it does with everything computed, and a strategy that reads an
// undeclared timeframe or indicator fails loudly.
import { describe, expect, it } from 'vitest';
import { FeatureEngine, UndeclaredIndicatorError, UndeclaredTimeframeError } from '../indicators';
import { type Timeframe, timeframeMs } from '../market';
import { type AnyStrategy, evaluateMarket, featureIndicatorsOf, featureTimeframesOf, strategies } from '../strategy';
import { type BacktestData, runBacktest, runBacktestsWith } from './engine';
import { syntheticCandles } from './synthetic';

const FROM = Date.parse('2024-01-01T00:00:00Z');
const MARKETS = ['KRW-BTC', 'KRW-ETH', 'KRW-XRP', 'KRW-SOL'];

function data(timeframe: Timeframe, days: number, seed: number): BacktestData {
  const barMs = timeframeMs(timeframe);
  // Per-bar volatility grows with the bar length, so longer bars still move like real ones.
  const volatility = 0.0015 * Math.sqrt(barMs / 60_000);
  const bars = (days * 86_400_000) / barMs;
  return { candles: syntheticCandles({ seed, markets: MARKETS, from: FROM, bars, barMs, volatility }), timeframe };
}

const config = (s: AnyStrategy) => ({ strategyId: s.id, initialCashKrw: '100000000' });
// Days as runBacktests counts them (UTC, as Upbit's day candles).
const everyTimeframe = (d: BacktestData) => new FeatureEngine({ baseTimeframe: d.timeframe, dayBoundary: 'utc' });

describe('features only for the declared timeframes', () => {
  // 1-minute bars reach every timeframe; 15-minute bars over weeks reach the daily strategies' later gates.
  const minute = data('minute1', 4, 11);
  const quarter = data('minute15', 28, 12);

  for (const s of Object.values(strategies)) {
    it(`${s.id}: the same backtest as with every timeframe computed`, () => {
      for (const d of [minute, quarter]) {
        const declared = runBacktest(config(s), d);
        const [all] = runBacktestsWith(s, [config(s)], d, everyTimeframe(d));
        expect(declared).toEqual(all);
        expect(declared.evaluations).toBeGreaterThan(0);
      }
    });

    it(`${s.id}: the same decisions, with and without a position and a benchmark`, () => {
      // evaluateMarket directly, so branches a backtest does not reach (exits, the benchmark) are read too.
      const d = quarter;
      const declared = new FeatureEngine({
        baseTimeframe: d.timeframe,
        dayBoundary: 'utc',
        featureTimeframes: featureTimeframesOf(s),
        featureIndicators: featureIndicatorsOf(s),
      });
      // What the backtester builds: no indicator that only explains a decision (it evaluates with explain: false).
      const unexplained = new FeatureEngine({
        baseTimeframe: d.timeframe,
        dayBoundary: 'utc',
        featureTimeframes: featureTimeframesOf(s),
        featureIndicators: featureIndicatorsOf(s, { explained: false }),
      });
      const all = everyTimeframe(d);
      const n = d.candles[MARKETS[0]].length;
      const barMs = timeframeMs(d.timeframe);
      let compared = 0;
      for (let i = 0; i < n; i++) {
        for (const m of MARKETS) {
          declared.ingest(m, d.candles[m][i]);
          unexplained.ingest(m, d.candles[m][i]);
          all.ingest(m, d.candles[m][i]);
        }
        if (i % 16 !== 15) continue; // every 4 hours
        const ts = d.candles[MARKETS[0]][i].ts + barMs;
        const run = (engine: FeatureEngine, m: string, held: boolean, explain = true) =>
          evaluateMarket({
            strategy: s,
            params: s.defaults,
            snapshot: engine.snapshot(m, ts),
            context: engine.context(ts),
            benchmark: engine.snapshot('KRW-BTC', ts),
            position: held
              ? { market: m, entryPrice: d.candles[m][i - 100]?.close ?? 1, openedTs: ts - 86_400_000 }
              : undefined,
            ts,
            explain,
          });
        for (const m of MARKETS)
          for (const held of [false, true]) {
            const full = run(all, m, held);
            expect(run(declared, m, held)).toEqual(full);
            // Unexplained: the same outcome, decisions without their inputs.
            expect(run(unexplained, m, held, false)).toEqual({
              ...full,
              decisions: full.decisions.map((decision) => ({ ...decision, inputs: {} })),
            });
            compared++;
          }
      }
      expect(compared).toBeGreaterThan(0);
    });
  }

  it('pullback with its slow RSI (RSI 14, not the default): the same backtest as with every timeframe computed', () => {
    const s = strategies.pullback;
    const slow = { ...config(s), params: { fastRsi: false } };
    for (const d of [minute, quarter]) {
      const declared = runBacktest(slow, d);
      const [all] = runBacktestsWith(s, [slow], d, everyTimeframe(d));
      expect(declared).toEqual(all);
      expect(declared.evaluations).toBeGreaterThan(0);
    }
  });

  it('a strategy that reads an undeclared timeframe fails, naming it', () => {
    const probe = strategies.probe;
    const sneaky: AnyStrategy = {
      ...probe,
      id: 'sneaky',
      evaluate: (input) => (input.snapshot.timeframes.minute5.rsi14 === null ? [] : probe.evaluate(input)),
    };
    const day = data('minute1', 1, 13);
    let error: unknown;
    try {
      runBacktest(config(sneaky), day, sneaky);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UndeclaredTimeframeError);
    expect((error as Error).message).toMatch(/minute5\.rsi14 .*`timeframes`/);
    // Declared, it runs.
    const declared = { ...sneaky, timeframes: ['minute1', 'minute5'] as const };
    expect(runBacktest(config(declared), day, declared).evaluations).toBeGreaterThan(0);
  });

  it('a strategy that reads an indicator it does not list fails, naming it; the decision path gets its own', () => {
    const rsi = strategies.rsi;
    expect(featureIndicatorsOf(rsi).minute60).toEqual(expect.arrayContaining(['rsi14', 'atr', 'adx', 'volumeSpike']));
    expect(featureIndicatorsOf(rsi).minute60).not.toContain('rsi7');
    // The backtester's: what the decision reads, not what only explains it.
    expect(featureIndicatorsOf(rsi, { explained: false }).minute60?.toSorted()).toEqual([
      'atr',
      'rsi14',
      'volumeSpike',
    ]);
    const sneaky: AnyStrategy = {
      ...rsi,
      id: 'sneaky-rsi',
      evaluate: (input) => (input.snapshot.timeframes.minute60.rsi7 === null ? [] : rsi.evaluate(input)),
    };
    const hours = data('minute60', 20, 14);
    let error: unknown;
    try {
      runBacktest(config(sneaky), hours, sneaky);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UndeclaredIndicatorError);
    expect((error as Error).message).toMatch(/minute60\.rsi7 .*Strategy\.indicators/);
    // Listed, it runs; and a strategy that lists nothing gets every indicator.
    const listed = { ...sneaky, indicators: { minute60: ['rsi14', 'rsi7'] as const } };
    expect(runBacktest(config(listed), hours, listed).evaluations).toBeGreaterThan(0);
    const unlisted = { ...sneaky, indicators: undefined };
    expect(featureIndicatorsOf(unlisted)).toEqual({});
    expect(runBacktest(config(unlisted), hours, unlisted).evaluations).toBeGreaterThan(0);
  });
});
