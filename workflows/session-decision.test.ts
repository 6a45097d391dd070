// Live and backtest decide entries alike. Every registered strategy is backtested over seeded synthetic
// candles while the session's decision step (workflows/session-decision.ts, what the TradingSession
// workflow runs after each evaluation) is driven by what the backtest recorded: each decision's strategy
// candidates and account (what the session reads from the exchange), and each position's end (the
// session's positionClosed signal). The correlations are gathered again the way the evaluation activity
// gathers them, from a feature engine of its own over the same candles and the session's own held markets.
// The session carries its own state, as the workflow does, and must arrive at the same entries (market,
// price, volume, the cap that bound the size) and the same skips (code and reason) at every decision; a
// second evaluation within the same bar (the session also evaluates between bar closes) decides nothing.
// The risk config is tight so the correlation cap and the exposure caps bind, and the test checks that they did.
import { describe, expect, it } from 'vitest';
import { type BacktestEvent, runBacktestsWith } from '../core/backtest/engine';
import { syntheticCandles } from '../core/backtest/synthetic';
import { type DecidedEntry, type DecisionState, type SkippedEntry, withCorrelations } from '../core/decision';
import { FeatureEngine } from '../core/indicators';
import { type Timeframe, timeframeMs } from '../core/market';
import { emptyRiskState, onPositionClosed } from '../core/risk';
import { featureTimeframesOf, strategies } from '../core/strategy';
import { decideSessionEntries } from './session-decision';

const FROM = Date.parse('2025-01-01T00:00:00Z');
const MARKETS = ['KRW-BTC', 'KRW-ETH', 'KRW-XRP', 'KRW-SOL', 'KRW-ADA', 'KRW-DOGE', 'KRW-TRX', 'KRW-LINK'];

// Data per strategy: bars of the strategy's shortest timeframe, long enough for its warm-up and some trades.
const DATA: Record<string, { timeframe: Timeframe; days: number }> = {
  probe: { timeframe: 'minute1', days: 2 },
  pullback: { timeframe: 'minute5', days: 12 },
  breakout: { timeframe: 'minute15', days: 20 },
  'rsi-reversion': { timeframe: 'minute15', days: 20 },
  rsi: { timeframe: 'minute60', days: 40 },
  ensemble: { timeframe: 'minute15', days: 20 },
  'dual-momentum': { timeframe: 'minute240', days: 150 },
};

// Tight caps so they bind: correlations of these markets run around 0.5 (a common factor), a risk share
// that asks for more than the coin weight allows, total exposure room for two or three positions. The BTC
// volatility halt is off: the backtest sees every BTC bar, the session one price per evaluation.
const RISK = {
  riskPerTradePct: 5,
  maxCoinWeightPct: 12,
  maxTotalExposurePct: 20,
  maxOpenPositions: 6,
  maxCorrelation: 0.5,
  cooldownAfterLossMinutes: 0,
  maxEntriesPerCoinPerDay: 20,
  volatilityHaltDropPct: 100,
  edge: { feeMultiple: 0, atrMultiple: 0, slippagePct: 0.05 },
};

const entryView = (e: DecidedEntry) => ({
  market: e.market,
  price: e.price,
  volume: e.volume,
  totalKrw: e.totalKrw,
  boundBy: e.boundBy,
});
const skipView = (s: SkippedEntry) => ({ market: s.market, code: s.code, reason: s.reason });

describe('one entry decision: backtest and session agree', () => {
  for (const strategy of Object.values(strategies)) {
    it(`${strategy.id}: the same entries, sizes and skips, with the correlation and exposure caps binding`, () => {
      const { timeframe, days } = DATA[strategy.id];
      const barMs = timeframeMs(timeframe);
      const candles = syntheticCandles({
        seed: 21,
        markets: MARKETS,
        from: FROM,
        bars: Math.round((days * 86_400_000) / barMs),
        barMs,
        volatility: 0.0015 * Math.sqrt(barMs / 60_000),
      });
      const features = new FeatureEngine({
        baseTimeframe: timeframe,
        dayBoundary: 'utc',
        featureTimeframes: featureTimeframesOf(strategy),
      });
      const events: BacktestEvent[] = [];
      const [result] = runBacktestsWith(
        strategy,
        [{ strategyId: strategy.id, initialCashKrw: '10000000', risk: RISK }],
        { candles, timeframe },
        features,
        (_, event) => events.push(event),
      );
      const risk = result.risk;

      // The session: its own carried state, fed the recorded evaluations and position ends, and its own
      // feature engine for the correlations (as the evaluation activity keeps one per session).
      const engine = new FeatureEngine({ baseTimeframe: timeframe, dayBoundary: 'utc' });
      let ingested = 0;
      const bars = candles[MARKETS[0]].length;
      let state: DecisionState = { risk: emptyRiskState(), judgedBars: {}, positionSeq: {} };
      const sessionPositionIn = new Map<string, string>();
      const backtestEntries: object[] = [];
      const sessionEntries: object[] = [];
      const backtestSkips: object[] = [];
      const sessionSkips: object[] = [];
      const bound = new Set<string>();
      for (const event of events) {
        if (event.kind === 'closed') {
          const positionId = sessionPositionIn.get(event.market);
          expect(positionId, `${event.market} closed in the backtest but the session holds none`).toBeDefined();
          sessionPositionIn.delete(event.market);
          state = {
            ...state,
            risk: onPositionClosed(state.risk, {
              positionId: positionId!,
              market: event.market,
              pnlKrw: event.pnlKrw,
              ts: event.ts,
            }),
          };
          continue;
        }
        for (; ingested < bars && candles[MARKETS[0]][ingested].ts < event.ts; ingested++)
          for (const m of MARKETS) engine.ingest(m, candles[m][ingested]);
        const candidates = withCorrelations(
          event.candidates.map((c) => ({ ...c, correlations: {} })),
          sessionPositionIn.keys(),
          (a, b) => engine.correlation(a, b, event.ts),
        );
        const evaluation = { candidates, bars: event.bars, account: event.account, btcPrice: null };
        const decided = decideSessionEntries('parity', state, evaluation, risk, event.ts);
        state = decided.state;
        // Evaluated again before the next bar closes: every bar was judged, nothing is decided.
        const again = decideSessionEntries('parity', state, evaluation, risk, event.ts + 1000);
        expect(again.entries.length + again.skips.length).toBe(0);
        for (const e of decided.entries) sessionPositionIn.set(e.market, e.positionId);
        const at = (xs: object[]) => xs.map((x) => ({ ts: event.ts, ...x }));
        backtestEntries.push(...at(event.entries.map(entryView)));
        sessionEntries.push(...at(decided.entries.map(entryView)));
        backtestSkips.push(...at(event.skips.map(skipView)));
        sessionSkips.push(...at(decided.skips.map(skipView)));
        for (const e of event.entries) bound.add(e.boundBy);
        for (const s of event.skips) bound.add(s.code);
      }
      expect(sessionEntries).toEqual(backtestEntries);
      expect(sessionSkips).toEqual(backtestSkips);
      // The limits this test is about did bind, in both paths alike.
      expect(backtestEntries.length).toBeGreaterThanOrEqual(5);
      expect([...bound]).toContain('Correlated');
      expect([...bound].some((b) => b === 'total_exposure' || b === 'ExposureFull')).toBe(true);
      expect([...bound]).toContain('coin_weight');
    });
  }
});
