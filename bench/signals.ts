// Signal evaluation over the whole universe: feature warm-up and per-bar incremental cost, then the decision
// step on top (strategies with their factor scores, risk checks and sizing, exit-plan updates).
// `npm run bench -- signals [--markets 100] [--bars 1000] [--steps 300] [--csv-dir DIR]`. Synthetic seeded candles,
// then a pass over real hourly KRW candles (the shipped sample, or the 60-minute files in --csv-dir).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Decimal from 'decimal.js';
import { randomNormal, seededRng } from '../core/backtest/random';
import { type DecisionState, decideEntries, type EntryEvaluation, withCorrelations } from '../core/decision';
import { FeatureEngine } from '../core/indicators';
import { type Candle, checkCandles, type Timeframe, timeframeMs } from '../core/market';
import {
  checkEntry,
  createExitPlan,
  DEFAULT_RISK_CONFIG,
  type ExitPlan,
  emptyRiskState,
  onBtcPrice,
  onEquity,
  onPositionClosed,
  sizeEntry,
  updateExitPlan,
} from '../core/risk';
import { DEFAULT_STRATEGY_ID, evaluateMarket, getStrategy, strategies } from '../core/strategy';
import { featureEngineFor } from '../core/strategy/feature-engine';
import { SAMPLE_CANDLE_DIR } from '../exchange/marketdata/sample';
import { loadCandles as loadCsvCandles } from '../scripts/backtest';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const MARKETS = arg('markets', 100);
const BARS = arg('bars', 1000);
const STEPS = arg('steps', 300);
const REAL_HOURS = arg('real-hours', 8760);
const WARM_TIMEFRAMES: Timeframe[] = ['day', 'minute240', 'minute60', 'minute15', 'minute5', 'minute1'];
const MARKET_NAMES = Array.from({ length: MARKETS }, (_, i) =>
  i === 0 ? 'KRW-BTC' : i === 1 ? 'KRW-ETH' : `KRW-C${String(i).padStart(3, '0')}`,
);
const T_END = Date.UTC(2026, 0, 1, 15); // a KST midnight: every timeframe's bars end here

/** Geometric random walk with fat-ish tails, seeded per market and timeframe. */
function series(seed: number, tf: Timeframe, n: number, start: number): Candle[] {
  const rng = seededRng(seed);
  const len = timeframeMs(tf);
  const sigma = 0.002 * Math.sqrt(len / 60_000);
  let p = 1000 + rng() * 100_000;
  const out: Candle[] = [];
  for (let i = 0; i < n; i++) {
    const open = p;
    p *= Math.exp(randomNormal(rng) * sigma);
    const high = Math.max(open, p) * (1 + rng() * sigma);
    const low = Math.min(open, p) * (1 - rng() * sigma);
    const volume = 1 + rng() * 100;
    out.push({ ts: start + i * len, open, high, low, close: p, volume, value: volume * p });
  }
  return out;
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** CPU time of this process in ms: on a busy machine it shows the work apart from waiting for a core. */
function cpuMs(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

/** Every market's next 1-minute candle: a seeded walk from its last close (`lastClose` moves on). */
function nextCandles(ts: number, rngs: (() => number)[], lastClose: number[]): Candle[] {
  return MARKET_NAMES.map((_, m) => {
    const open = lastClose[m];
    const close = open * Math.exp(randomNormal(rngs[m]) * 0.002);
    lastClose[m] = close;
    return { ts, open, high: Math.max(open, close) * 1.0005, low: Math.min(open, close) * 0.9995, close, volume: 5 };
  });
}

// The session's decision step, as the TradingSession's evaluation runs it on a worker: an engine built for the
// session's strategy (featureEngineFor: only the features it reads, explanations included), one new 1-minute candle
// per market, the market context and the benchmark, every market's snapshot and evaluation, the entry decision
// (decideEntries: candidates by score, correlations, risk checks and sizing, only for the markets that asked) and the
// exit-plan update of each position it holds. Separate from the figures above, which evaluate all 7 strategies on one
// engine that computes everything and size every market as if each were a candidate.
// Measured first, in a heap that holds what a worker holds for one session (its engine, not the other figures'
// engines and candles): a young-generation collection's pause grows with the old objects pointing into it.
// Warm-up candles are generated per market as it is warmed up and dropped after, as a worker's fetched ones are.
const riskCfg = DEFAULT_RISK_CONFIG;
const defaultStrategy = getStrategy(DEFAULT_STRATEGY_ID);
const sessionEngine = featureEngineFor(defaultStrategy, { baseTimeframe: 'minute1', explained: true });
const sessionRngs = MARKET_NAMES.map((_, m) => seededRng(20_000 + m));
const sessionClose: number[] = [];
const sessionWarmStart = performance.now();
MARKET_NAMES.forEach((market, m) => {
  WARM_TIMEFRAMES.forEach((tf, k) => {
    const candles = series(m * 10 + k + 1, tf, BARS, T_END - BARS * timeframeMs(tf));
    sessionEngine.warmUp(market, tf, candles);
    if (tf === 'minute1') sessionClose[m] = candles[BARS - 1].close;
  });
});
const sessionWarmMs = performance.now() - sessionWarmStart;
const EQUITY = new Decimal('100000000');
const sessionMemory: Record<string, unknown> = {};
let decision: DecisionState = { risk: emptyRiskState(), judgedBars: {}, positionSeq: {} };
const held = new Map<string, { positionId: string; plan: ExitPlan; lockedKrw: string }>();
const sessionStep: number[] = [];
const sessionCounts = { candidates: 0, entries: 0, skips: 0, exits: 0 };
// The first ten hours of steps settle (compiled code, the warm-up's garbage collected), as in a worker that has
// been running; the STEPS after them are measured.
const SETTLE_STEPS = 600;
let sessionCpu = process.cpuUsage();
for (let s = 0; s < SETTLE_STEPS + STEPS; s++) {
  if (s === SETTLE_STEPS) {
    sessionCpu = process.cpuUsage();
    for (const k of Object.keys(sessionCounts) as (keyof typeof sessionCounts)[]) sessionCounts[k] = 0;
  }
  const ts = T_END + s * 60_000;
  const decisionTs = ts + 60_000;
  const candles = nextCandles(ts, sessionRngs, sessionClose);
  const t = performance.now();
  for (let m = 0; m < MARKETS; m++) sessionEngine.ingest(MARKET_NAMES[m], candles[m]);
  const context = sessionEngine.context(decisionTs);
  const benchmark = sessionEngine.snapshot('KRW-BTC', decisionTs);
  const candidates: EntryEvaluation[] = [];
  const bars: Record<string, number> = {};
  for (let m = 0; m < MARKETS; m++) {
    const market = MARKET_NAMES[m];
    const snapshot = sessionEngine.snapshot(market, decisionTs);
    const entryTf = snapshot.timeframes[defaultStrategy.entryTimeframe];
    if (entryTf.lastClosedTs !== null) bars[market] = entryTf.lastClosedTs;
    const position = held.get(market);
    const r = evaluateMarket({
      strategy: defaultStrategy,
      params: defaultStrategy.defaults,
      snapshot,
      context,
      benchmark,
      position: position
        ? { market, entryPrice: Number(position.plan.entryPrice), openedTs: position.plan.openedTs }
        : undefined,
      memory: sessionMemory[market] as never,
      ts: decisionTs,
    });
    sessionMemory[market] = r.memory;
    const entry = r.intents.find((i) => i.kind === 'entry');
    if (entry)
      candidates.push({
        market,
        score: entry.score,
        reasons: entry.reasons,
        entryPrice: String(sessionClose[m]),
        barTs: entryTf.lastClosedTs ?? undefined,
        atr: entryTf.atr,
        correlations: {},
        minTotal: '5000',
        feeRate: '0.0005',
      });
    if (position) {
      const u = updateExitPlan(position.plan, {
        price: sessionClose[m],
        high: candles[m].high,
        low: candles[m].low,
        ts: decisionTs,
        rsi: entryTf.rsi14 ?? undefined,
        atr: entryTf.atr ?? undefined,
      });
      position.plan = u.plan;
      if (u.plan.done) {
        held.delete(market);
        decision = {
          ...decision,
          risk: onPositionClosed(decision.risk, {
            positionId: position.positionId,
            market,
            pnlKrw: '0',
            ts: decisionTs,
          }),
        };
        sessionCounts.exits++;
      }
    }
  }
  sessionCounts.candidates += candidates.length;
  let exposure = new Decimal(0);
  for (const p of held.values()) exposure = exposure.plus(p.lockedKrw);
  const decided = decideEntries(
    decision,
    {
      candidates: withCorrelations(candidates, held.keys(), (a, b) => sessionEngine.correlation(a, b, decisionTs)),
      bars,
    },
    {
      equityKrw: EQUITY.toFixed(),
      freeKrw: EQUITY.minus(exposure).toFixed(),
      exposureKrw: exposure.toFixed(),
      coinExposureKrw: {},
    },
    { risk: riskCfg, positionIdOf: (market, n) => `${market}#${n}` },
    decisionTs,
  );
  decision = decided.state;
  for (const e of decided.entries) {
    const plan = createExitPlan({
      market: e.market,
      entryPrice: e.price,
      volume: e.volume,
      atr: e.atr ?? Number(e.price) * 0.01,
      config: riskCfg.exit,
      openedTs: decisionTs,
    });
    held.set(e.market, { positionId: e.positionId, plan, lockedKrw: e.lockedKrw });
  }
  sessionCounts.entries += decided.entries.length;
  sessionCounts.skips += decided.skips.length;
  if (s >= SETTLE_STEPS) sessionStep.push(performance.now() - t);
}
const sessionStepCpuMs = cpuMs(sessionCpu) / STEPS;
sessionStep.sort((x, y) => x - y);
const p = (a: number[]) => ({ p50: r3(percentile(a, 0.5)), p99: r3(percentile(a, 0.99)) });
const session = {
  strategy: DEFAULT_STRATEGY_ID,
  warmUpMs: r3(sessionWarmMs),
  stepMs: p(sessionStep),
  stepMaxMs: r3(sessionStep[sessionStep.length - 1]),
  stepCpuMs: r3(sessionStepCpuMs),
  ...sessionCounts,
};
// Build all history first so generation is not timed.
const history = MARKET_NAMES.map(
  (_, m) =>
    Object.fromEntries(
      WARM_TIMEFRAMES.map((tf, k) => [tf, series(m * 10 + k + 1, tf, BARS, T_END - BARS * timeframeMs(tf))]),
    ) as Record<Timeframe, Candle[]>,
);

function warmAll(): { engine: FeatureEngine; ms: number; cpu: number } {
  const engine = new FeatureEngine();
  const c = process.cpuUsage();
  const t = performance.now();
  MARKET_NAMES.forEach((market, m) => {
    for (const tf of WARM_TIMEFRAMES) engine.warmUp(market, tf, history[m][tf]);
  });
  return { engine, ms: performance.now() - t, cpu: cpuMs(c) };
}

const warmRuns: number[] = [];
const warmCpu: number[] = [];
const first = warmAll(); // includes JIT compilation; reported separately
const firstWarmMs = first.ms;
let engine = first.engine;
for (let i = 0; i < 4; i++) {
  const r = warmAll();
  warmRuns.push(r.ms);
  warmCpu.push(r.cpu);
  engine = r.engine;
}
warmRuns.sort((a, b) => a - b);
warmCpu.sort((a, b) => a - b);

// Incremental: each step one new 1-minute candle per market (plus one revision of it), then a snapshot of
// every market and the market context at the next minute.
const rngs = MARKET_NAMES.map((_, m) => seededRng(10_000 + m));
const lastClose = history.map((h) => h.minute1[BARS - 1].close);
const ingestAll: number[] = [];
const snapshotAll: number[] = [];
const perMarketIngestUs: number[] = [];
let formingShown = 0;
const loopCpu = process.cpuUsage();
for (let s = 0; s < STEPS; s++) {
  const ts = T_END + s * 60_000;
  const candles = nextCandles(ts, rngs, lastClose);
  let t = performance.now();
  for (let m = 0; m < MARKETS; m++) {
    const t1 = performance.now();
    engine.ingest(MARKET_NAMES[m], { ...candles[m], close: candles[m].open, volume: 1 });
    engine.ingest(MARKET_NAMES[m], candles[m]);
    perMarketIngestUs.push((performance.now() - t1) * 1000);
  }
  ingestAll.push(performance.now() - t);
  t = performance.now();
  const decisionTs = ts + 30_000; // mid-minute: closed bars plus the forming one
  for (const market of MARKET_NAMES) if (engine.snapshot(market, decisionTs).forming) formingShown++;
  engine.context(decisionTs);
  snapshotAll.push(performance.now() - t);
}
const stepCpuMs = cpuMs(loopCpu) / STEPS;
for (const a of [ingestAll, snapshotAll, perMarketIngestUs]) a.sort((x, y) => x - y);

console.log(`markets ${MARKETS}, timeframes ${WARM_TIMEFRAMES.length}, ${BARS} bars each (synthetic, seeded)`);
console.log(
  `warm-up: first run ${r3(firstWarmMs)} ms, then min ${r3(warmRuns[0])} / median ${r3(warmRuns[2])} ms wall, median ${r3(warmCpu[2])} ms CPU`,
);
console.log(
  `ingest one 1m candle + one revision, all ${MARKETS} markets: p50 ${r3(percentile(ingestAll, 0.5))} ms, p99 ${r3(percentile(ingestAll, 0.99))} ms (${STEPS} steps)`,
);
console.log(
  `  per market: p50 ${r3(percentile(perMarketIngestUs, 0.5))} us, p99 ${r3(percentile(perMarketIngestUs, 0.99))} us`,
);
console.log(
  `snapshot of all ${MARKETS} markets + context: p50 ${r3(percentile(snapshotAll, 0.5))} ms, p99 ${r3(percentile(snapshotAll, 0.99))} ms (forming bar shown ${formingShown}/${STEPS * MARKETS})`,
);
console.log(`CPU per step (ingest + snapshots + context, all markets): ${r3(stepCpuMs)} ms`);

// Scores and risk on top of the features: the decision step a session runs at each bar close. Each step feeds
// one more 1-minute candle per market, then (timed apart) ingest, snapshots, every registered strategy on every market
// (factor scores, memory, edge filter), the account checks and sizing for every market as if each were a
// candidate, and one exit-plan update per market as if each were held. Warm-up "with scores" adds the first
// evaluation of every market (fresh memories) to the feature warm-up.
const ids = Object.keys(strategies);
const memories: Record<string, Record<string, unknown>> = Object.fromEntries(ids.map((id) => [id, {}]));
const T_DECIDE = T_END + STEPS * 60_000;
const firstEvalStart = performance.now();
for (const market of MARKET_NAMES) {
  const snapshot = engine.snapshot(market, T_DECIDE);
  const context = engine.context(T_DECIDE);
  const r = evaluateMarket({
    strategy: defaultStrategy,
    params: defaultStrategy.defaults,
    snapshot,
    context,
    ts: T_DECIDE,
  });
  memories[DEFAULT_STRATEGY_ID][market] = r.memory;
}
const firstEvalMs = performance.now() - firstEvalStart;

let riskState = onEquity(emptyRiskState(), '100000000', T_DECIDE, riskCfg);
const plans = MARKET_NAMES.map((market, m) =>
  createExitPlan({
    market,
    entryPrice: lastClose[m],
    volume: 1,
    atr: lastClose[m] * 0.01,
    config: riskCfg.exit,
    openedTs: T_DECIDE,
  }),
);
const stepSnapshot: number[] = [];
const stepStrategy: Record<string, number[]> = Object.fromEntries(ids.map((id) => [id, []]));
const stepRisk: number[] = [];
const stepExit: number[] = [];
const stepDefaultTotal: number[] = [];
const decisionCpu = process.cpuUsage();
const intentsSeen: Record<string, number> = Object.fromEntries(ids.map((id) => [id, 0]));
let sized = 0;
let allowed = 0;
for (let s = 0; s < STEPS; s++) {
  const ts = T_DECIDE + s * 60_000;
  const decisionTs = ts + 60_000; // bar close
  const candles = nextCandles(ts, rngs, lastClose);
  let t = performance.now();
  for (let m = 0; m < MARKETS; m++) engine.ingest(MARKET_NAMES[m], candles[m]);
  const ingestMs = performance.now() - t;
  t = performance.now();
  const context = engine.context(decisionTs);
  const snaps = MARKET_NAMES.map((market) => engine.snapshot(market, decisionTs));
  const snapMs = performance.now() - t;
  stepSnapshot.push(snapMs);
  let defaultMs = 0;
  for (const id of ids) {
    const strategy = strategies[id];
    t = performance.now();
    for (let m = 0; m < MARKETS; m++) {
      const market = MARKET_NAMES[m];
      const r = evaluateMarket({
        strategy,
        params: strategy.defaults,
        snapshot: snaps[m],
        benchmark: snaps[0],
        context,
        memory: memories[id][market],
        ts: decisionTs,
      });
      memories[id][market] = r.memory;
      intentsSeen[id] += r.intents.length;
    }
    const ms = performance.now() - t;
    stepStrategy[id].push(ms);
    if (id === DEFAULT_STRATEGY_ID) defaultMs = ms;
  }
  t = performance.now();
  riskState = onEquity(riskState, '100000000', decisionTs, riskCfg);
  riskState = onBtcPrice(riskState, lastClose[0], decisionTs, riskCfg);
  for (let m = 0; m < MARKETS; m++) {
    const check = checkEntry(
      riskState,
      { market: MARKET_NAMES[m], correlations: { 'KRW-BTC': snaps[m].corrBtc ?? 0 } },
      riskCfg,
      decisionTs,
    );
    if (check.allowed) allowed++;
    const size = sizeEntry({
      market: MARKET_NAMES[m],
      equityKrw: '100000000',
      freeKrw: '60000000',
      price: lastClose[m],
      atr: snaps[m].timeframes.minute15.atr ?? lastClose[m] * 0.01,
      rules: { minTotal: '5000', feeRate: '0.0005' },
      exposureKrw: '20000000',
      coinExposureKrw: '0',
      config: riskCfg,
    });
    if (size.ok) sized++;
  }
  const riskMs = performance.now() - t;
  stepRisk.push(riskMs);
  t = performance.now();
  for (let m = 0; m < MARKETS; m++) {
    const f = snaps[m].timeframes.minute1;
    const u = updateExitPlan(plans[m], {
      price: lastClose[m],
      high: lastClose[m] * 1.0005,
      low: lastClose[m] * 0.9995,
      ts: decisionTs,
      rsi: f.rsi14 ?? undefined,
      volumeSpike: (f.volumeSpike ?? 0) > 3,
      atr: f.atr ?? undefined,
    });
    // Keep every market "held" so each step measures a live plan.
    plans[m] = u.plan.done
      ? createExitPlan({
          market: MARKET_NAMES[m],
          entryPrice: lastClose[m],
          volume: 1,
          atr: lastClose[m] * 0.01,
          config: riskCfg.exit,
          openedTs: decisionTs,
        })
      : u.plan;
  }
  const exitMs = performance.now() - t;
  stepExit.push(exitMs);
  stepDefaultTotal.push(ingestMs + snapMs + defaultMs + riskMs + exitMs);
}
const decisionStepCpuMs = cpuMs(decisionCpu) / STEPS;
for (const a of [stepSnapshot, stepRisk, stepExit, stepDefaultTotal, ...Object.values(stepStrategy)])
  a.sort((x, y) => x - y);
const decisions = {
  warmUpWithScoresMs: r3(warmRuns[2] + firstEvalMs),
  firstEvaluationAllMarketsMs: r3(firstEvalMs),
  snapshotsAndContextMs: p(stepSnapshot),
  strategyAllMarketsMs: Object.fromEntries(ids.map((id) => [id, p(stepStrategy[id])])),
  riskCheckAndSizeAllMarketsMs: p(stepRisk),
  exitPlanUpdateAllMarketsMs: p(stepExit),
  decisionStepDefaultStrategyMs: p(stepDefaultTotal),
  decisionStepCpuMsAllStrategies: r3(decisionStepCpuMs),
  intentsSeen,
  entriesAllowed: allowed,
  ordersSized: sized,
};
console.log(`decision step over ${MARKETS} markets (${STEPS} steps):`);
console.log(
  `  warm-up with scores: ${decisions.warmUpWithScoresMs} ms (feature warm-up median + first evaluation ${decisions.firstEvaluationAllMarketsMs} ms)`,
);
console.log(
  `  snapshots + context: p50 ${decisions.snapshotsAndContextMs.p50} ms, p99 ${decisions.snapshotsAndContextMs.p99} ms`,
);
for (const id of ids)
  console.log(
    `  strategy ${id}: p50 ${decisions.strategyAllMarketsMs[id].p50} ms, p99 ${decisions.strategyAllMarketsMs[id].p99} ms (${intentsSeen[id]} intents)`,
  );
console.log(
  `  risk check + sizing: p50 ${decisions.riskCheckAndSizeAllMarketsMs.p50} ms, p99 ${decisions.riskCheckAndSizeAllMarketsMs.p99} ms`,
);
console.log(
  `  exit-plan updates: p50 ${decisions.exitPlanUpdateAllMarketsMs.p50} ms, p99 ${decisions.exitPlanUpdateAllMarketsMs.p99} ms`,
);
console.log(
  `  CPU per step (all ${ids.length} strategies, risk, exits): ${decisions.decisionStepCpuMsAllStrategies} ms`,
);
console.log(
  `  whole step with ${DEFAULT_STRATEGY_ID} (ingest + snapshots + strategy + risk + exits): p50 ${decisions.decisionStepDefaultStrategyMs.p50} ms, p99 ${decisions.decisionStepDefaultStrategyMs.p99} ms`,
);

console.log(
  `the session's decision step (${DEFAULT_STRATEGY_ID}, engine built for it, ${MARKETS} markets, ${STEPS} steps):`,
);
console.log(
  `  whole step: p50 ${session.stepMs.p50} ms, p99 ${session.stepMs.p99} ms, max ${session.stepMaxMs} ms; CPU ${session.stepCpuMs} ms per step; warm-up ${session.warmUpMs} ms`,
);
console.log(
  `  ${session.candidates} candidates, ${session.entries} entries, ${session.skips} skips, ${session.exits} exits`,
);

// Real candles: hourly KRW markets, fed bar by bar with a snapshot at every close, plus the quality check. From
// `--csv-dir` (e.g. the full shared set), else the sample shipped in samples/candles.
const csvDirArg = process.argv.indexOf('--csv-dir');
const realDir = csvDirArg >= 0 ? process.argv[csvDirArg + 1] : SAMPLE_CANDLE_DIR;
let real: Record<string, unknown> | null = null;
const hourlyFile = (m: string) => [`${m}_60m.csv`, `${m}_60m.csv.gz`].some((f) => existsSync(join(realDir, f)));
if (hourlyFile('KRW-BTC')) {
  const names = ['BTC', 'ETH', 'XRP', 'SOL', 'DOGE', 'LINK'].map((c) => `KRW-${c}`).filter(hourlyFile);
  const loaded = loadCsvCandles(realDir, names, 'minute60', 0, Number.MAX_SAFE_INTEGER);
  const data = names.map((m) => ({ market: m, candles: loaded[m] }));
  const quality = Object.fromEntries(
    data.map(({ market, candles }) => {
      const r = checkCandles(candles, { timeframe: 'minute60', revisions: false });
      const spikes = r.issues.filter((i) => i.kind === 'spike').map((i) => new Date(i.ts).toISOString().slice(0, 13));
      return [
        market,
        {
          bars: r.candles,
          gaps: r.gaps,
          missingBars: r.missingBars,
          spikes: spikes.length,
          firstSpikes: spikes.slice(0, 6),
        },
      ];
    }),
  );
  const hourly = new FeatureEngine({ baseTimeframe: 'minute60' });
  const byTs = new Map<number, { market: string; c: Candle }[]>();
  for (const { market, candles } of data)
    for (const c of candles) byTs.set(c.ts, [...(byTs.get(c.ts) ?? []), { market, c }]);
  const times = [...byTs.keys()].sort((a, b) => a - b).slice(-REAL_HOURS);
  let snapshots = 0;
  let notOk = 0;
  const t = performance.now();
  for (const ts of times) {
    for (const { market, c } of byTs.get(ts)!) hourly.ingest(market, c);
    const close = ts + 3_600_000;
    for (const { market } of data) {
      snapshots++;
      if (!hourly.snapshot(market, close).quality.ok) notOk++;
    }
    hourly.context(close);
  }
  const ms = performance.now() - t;
  real = {
    markets: data.length,
    hours: times.length,
    ms: r3(ms),
    usPerMarketHour: r3((ms * 1000) / snapshots),
    notOkShare: r3(notOk / snapshots),
    quality,
  };
  console.log(
    `real hourly candles: ${data.length} markets x ${times.length} hours fed with a snapshot per market-hour in ${r3(ms)} ms (${r3((ms * 1000) / snapshots)} us per market-hour); quality not ok ${r3((100 * notOk) / snapshots)}% of snapshots`,
  );
  for (const [m, q] of Object.entries(quality)) console.log(`  ${m}: ${JSON.stringify(q)}`);
}

console.log(
  JSON.stringify({
    bench: 'signals',
    markets: MARKETS,
    timeframes: WARM_TIMEFRAMES.length,
    barsPerTimeframe: BARS,
    warmUpFirstMs: r3(firstWarmMs),
    warmUpMedianMs: r3(warmRuns[2]),
    warmUpMedianCpuMs: r3(warmCpu[2]),
    stepCpuMs: r3(stepCpuMs),
    loadAverage1m: r3((await import('node:os')).loadavg()[0]),
    ingestAllMarketsP50Ms: r3(percentile(ingestAll, 0.5)),
    ingestAllMarketsP99Ms: r3(percentile(ingestAll, 0.99)),
    ingestPerMarketP50Us: r3(percentile(perMarketIngestUs, 0.5)),
    ingestPerMarketP99Us: r3(percentile(perMarketIngestUs, 0.99)),
    snapshotAllMarketsP50Ms: r3(percentile(snapshotAll, 0.5)),
    snapshotAllMarketsP99Ms: r3(percentile(snapshotAll, 0.99)),
    decisions,
    session,
    real,
  }),
);
