import { describe, expect, it } from 'vitest';
import { syntheticCandles } from '../backtest/synthetic';
import { FeatureEngine } from '../indicators';
import { DEFAULT_RISK_CONFIG, emptyRiskState, onFill } from '../risk';
import type { RiskConfig } from '../risk/types';
import {
  type AccountView,
  type DecisionState,
  decideEntries,
  type EntryEvaluation,
  withCorrelations,
} from './decide-entries';

const T0 = Date.parse('2025-03-03T01:00:00Z');
const RISK: RiskConfig = {
  ...DEFAULT_RISK_CONFIG,
  riskPerTradePct: 2,
  maxCoinWeightPct: 20,
  maxTotalExposurePct: 50,
  exit: { ...DEFAULT_RISK_CONFIG.exit, stopMode: 'pct', stopPct: 2 },
};
const config = { risk: RISK, positionIdOf: (market: string, n: number) => `${market}/${n}` };
const fresh = (): DecisionState => ({ risk: emptyRiskState(), judgedBars: {}, positionSeq: {} });
const account = (over: Partial<AccountView> = {}): AccountView => ({
  equityKrw: '10000000',
  freeKrw: '10000000',
  exposureKrw: '0',
  coinExposureKrw: {},
  ...over,
});
const candidate = (market: string, score: number, over: Partial<EntryEvaluation> = {}): EntryEvaluation => ({
  market,
  score,
  reasons: [`${market} looks good`],
  entryPrice: '1000',
  barTs: T0 - 15 * 60_000,
  atr: 10,
  correlations: {},
  minTotal: '30000',
  feeRate: '0.0005',
  ...over,
});
const decide = (state: DecisionState, candidates: EntryEvaluation[], acc = account(), risk = RISK) =>
  decideEntries(state, { candidates, bars: {} }, acc, { ...config, risk }, T0);

describe('decideEntries', () => {
  it('orders by score, ties by market name, whatever order the candidates came in', () => {
    const cs = [candidate('KRW-C', 0.5), candidate('KRW-B', 0.9), candidate('KRW-A', 0.5)];
    const oneSlot = { ...RISK, maxOpenPositions: 2 };
    for (const order of [cs, [...cs].reverse()]) {
      const d = decide(fresh(), order, account(), oneSlot);
      expect(d.entries.map((e) => e.market)).toEqual(['KRW-B', 'KRW-A']);
      expect(d.skips.map((s) => [s.market, s.code])).toEqual([['KRW-C', 'MaxOpenPositions']]);
    }
  });

  it('an entry counts at once: the next candidate of the batch sees it in open positions and correlations', () => {
    const d = decide(fresh(), [
      candidate('KRW-A', 0.9, { correlations: { 'KRW-B': 0.95 } }),
      candidate('KRW-B', 0.8, { correlations: { 'KRW-A': 0.95 } }),
    ]);
    expect(d.entries.map((e) => e.positionId)).toEqual(['KRW-A/1']);
    expect(d.skips[0]).toMatchObject({ market: 'KRW-B', code: 'Correlated' });
    expect(Object.keys(d.state.risk.open)).toEqual(['KRW-A/1']);
    expect(d.state.risk.entries.perCoin).toEqual({ 'KRW-A': 1 });
    expect(d.state.positionSeq).toEqual({ 'KRW-A': 1 });
  });

  it('exposure grows by what each entry locks, so the total cap binds inside one batch', () => {
    // 2 % risk at a 2 % stop asks for the whole equity; the coin weight (20 %) bounds each entry, and the
    // third finds only what is left of 50 % total exposure.
    const d = decide(fresh(), [candidate('KRW-A', 0.9), candidate('KRW-B', 0.8), candidate('KRW-C', 0.7)]);
    expect(d.entries.map((e) => e.boundBy)).toEqual(['coin_weight', 'coin_weight', 'total_exposure']);
    const locked = d.entries.slice(0, 2).reduce((s, e) => s + Number(e.lockedKrw), 0);
    expect(Number(d.entries[2].totalKrw)).toBeLessThanOrEqual(5_000_000 - locked);
    expect(Number(d.entries[2].totalKrw)).toBeGreaterThan(5_000_000 - locked - 1000);
  });

  it('per-coin exposure: coins of the market already in the account count against its weight', () => {
    const d = decide(fresh(), [candidate('KRW-A', 0.9)], account({ coinExposureKrw: { 'KRW-A': '2000000' } }));
    expect(d.skips[0]).toMatchObject({ market: 'KRW-A', code: 'CoinWeightFull' });
    const half = decide(fresh(), [candidate('KRW-A', 0.9)], account({ coinExposureKrw: { 'KRW-A': '1000000' } }));
    expect(Number(half.entries[0].totalKrw)).toBeLessThanOrEqual(1_000_000);
    expect(half.entries[0].boundBy).toBe('coin_weight');
  });

  it('each market decides once per bar: a bar judged before gives no entry or skip later', () => {
    const first = decideEntries(
      fresh(),
      { candidates: [], bars: { 'KRW-A': T0 - 15 * 60_000 } },
      account(),
      config,
      T0,
    );
    const again = decideEntries(
      first.state,
      { candidates: [candidate('KRW-A', 0.9)], bars: {} },
      account(),
      config,
      T0 + 60_000,
    );
    expect(again.entries).toEqual([]);
    expect(again.skips).toEqual([]);
    const next = decideEntries(
      first.state,
      { candidates: [candidate('KRW-A', 0.9, { barTs: T0 })], bars: {} },
      account(),
      config,
      T0 + 15 * 60_000,
    );
    expect(next.entries.map((e) => e.market)).toEqual(['KRW-A']);
  });

  it('a held market is no candidate while one position per coin holds; otherwise its coins count', () => {
    const held: DecisionState = {
      ...fresh(),
      risk: onFill(emptyRiskState(), { positionId: 'KRW-A/1', market: 'KRW-A', side: 'bid', totalKrw: 1e6, ts: T0 }),
    };
    const one = decide(held, [candidate('KRW-A', 0.9)]);
    expect(one.entries).toEqual([]);
    expect(one.skips).toEqual([]);
    const more = decide(held, [candidate('KRW-A', 0.9)], account({ coinExposureKrw: { 'KRW-A': '1500000' } }), {
      ...RISK,
      onePositionPerCoin: false,
    });
    expect(more.entries[0]).toMatchObject({ positionId: 'KRW-A/1', boundBy: 'coin_weight' });
    expect(Number(more.entries[0].totalKrw)).toBeLessThanOrEqual(500_000);
  });

  it('books the account valuation: a drawdown halt stops every entry', () => {
    const peak = decide(fresh(), []);
    const down = decide(peak.state, [candidate('KRW-A', 0.9)], account({ equityKrw: '8000000' }));
    expect(down.skips[0]).toMatchObject({ market: 'KRW-A', code: 'MaxDrawdown' });
  });
});

describe('withCorrelations', () => {
  it('pairs each candidate with held markets and the other candidates, leaving unknown pairs out', () => {
    const seen: string[] = [];
    const out = withCorrelations([candidate('KRW-A', 1), candidate('KRW-B', 1)], ['KRW-H'], (a, b) => {
      seen.push(`${a}~${b}`);
      return b === 'KRW-H' ? null : 0.5;
    });
    expect(seen.sort()).toEqual(['KRW-A~KRW-B', 'KRW-A~KRW-H', 'KRW-B~KRW-A', 'KRW-B~KRW-H']);
    expect(out.map((c) => c.correlations)).toEqual([{ 'KRW-B': 0.5 }, { 'KRW-A': 0.5 }]);
  });

  it("lazy: computes a candidate's correlations when first read, once, the same as at once", () => {
    const seen: string[] = [];
    const correlate = (a: string, b: string) => {
      seen.push(`${a}~${b}`);
      return b === 'KRW-H' ? null : a < b ? 0.5 : -0.25;
    };
    const candidates = [candidate('KRW-A', 1, { correlations: { 'KRW-X': 0.1 } }), candidate('KRW-B', 1)];
    const eager = withCorrelations(candidates, ['KRW-H'], correlate);
    seen.length = 0;
    const lazy = withCorrelations(candidates, ['KRW-H'], correlate, { lazy: true });
    expect(seen).toEqual([]);
    expect(lazy[1].correlations).toEqual(eager[1].correlations);
    expect(lazy[1].correlations).toBe(lazy[1].correlations);
    expect(seen.sort()).toEqual(['KRW-B~KRW-A', 'KRW-B~KRW-H']);
    expect(JSON.parse(JSON.stringify(lazy))).toEqual(eager);
    expect(seen).toHaveLength(4);
    seen.length = 0;
    // A candidate stopped before the cap: its correlations are never computed.
    const decided = decideEntries(
      { ...fresh(), risk: { ...emptyRiskState(), halts: [{ kind: 'drawdown', sinceTs: T0, reason: 'test' }] } },
      { candidates: withCorrelations(candidates, [], correlate, { lazy: true }), bars: {} },
      account(),
      config,
      T0,
    );
    expect(decided.skips.map((k) => k.code)).toEqual(['MaxDrawdown', 'MaxDrawdown']);
    expect(seen).toEqual([]);
  });

  it("reads the feature engine's correlation: 60-minute returns, the statistic corrBtc is", () => {
    const markets = ['KRW-BTC', 'KRW-XRP'];
    const candles = syntheticCandles({ seed: 3, markets, from: T0, bars: 3 * 1440, barMs: 60_000 });
    const engine = new FeatureEngine({ dayBoundary: 'utc' });
    for (let i = 0; i < candles['KRW-BTC'].length; i++) for (const m of markets) engine.ingest(m, candles[m][i]);
    const ts = T0 + 3 * 86_400_000;
    const corr = engine.correlation('KRW-XRP', 'KRW-BTC', ts);
    expect(corr).not.toBeNull();
    expect(corr).toBe(engine.snapshot('KRW-XRP', ts).corrBtc);
    // One hour of data is too little for 60-minute returns.
    const young = new FeatureEngine({ dayBoundary: 'utc' });
    for (let i = 0; i < 60; i++) for (const m of markets) young.ingest(m, candles[m][i]);
    expect(young.correlation('KRW-XRP', 'KRW-BTC', T0 + 3_600_000)).toBeNull();
  });
});
