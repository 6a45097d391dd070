// `npm run bench -- backtest [--days 365] [--markets 10] [--sets 8] [--opt-days 7] [--csv-dir DIR]`
// Throughput of the backtester on seeded synthetic 1-minute candles (bars x markets per second, one core),
// of the feature engine alone for comparison, the optimisation speed-up on 2 worker threads against 1,
// and the same on real candles (the sample shipped in samples/candles, or --csv-dir). Last line: JSON.
//
// About the worker figure: parameter sets share one pass of feature computation, so splitting them over
// workers splits only the per-set work; each worker computes the features again. The best a split can do is
// (F + N x S) / (F + N/2 x S), from F (features) and S (one set) measured on the main thread; the bench prints
// that bound next to the measurement. What the machine gives two busy threads is measured too: 2 workers doing
// the whole job each, against 1 (a V8 thread already keeps a second core partly busy with garbage collection and
// compilation, so on 2 cores this is well under x2), as is the load average: other processes take cores too.
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import {
  type BacktestConfig,
  type BacktestData,
  type ColumnarBacktestData,
  runBacktest,
  runBacktests,
} from '../core/backtest/engine';
import { planOptimization, searchSpaceOf } from '../core/backtest/search';
import { syntheticColumns } from '../core/backtest/synthetic';
import { bucketStart, candleAt } from '../core/market';
import { getStrategy } from '../core/strategy';
import { featureEngineFor } from '../core/strategy/feature-engine';
import { SAMPLE_CANDLE_DIR } from '../exchange/marketdata/sample';

const MINUTE = 60_000;
const FROM = Date.parse('2024-01-01T00:00:00Z');
const STRATEGY = 'pullback'; // the multi-factor strategy

interface SyntheticData {
  seed: number;
  markets: number;
  days: number;
}

/** Seeded 1-minute candles as columns (a year of ten markets in about 250 MB, where Candle objects took over 1 GB). */
function synthetic(spec: SyntheticData): ColumnarBacktestData {
  const markets = [
    'KRW-BTC',
    'KRW-ETH',
    'KRW-XRP',
    'KRW-SOL',
    'KRW-DOGE',
    'KRW-LINK',
    'KRW-ADA',
    'KRW-AVAX',
    'KRW-DOT',
    'KRW-TRX',
  ]
    .concat(Array.from({ length: Math.max(0, spec.markets - 10) }, (_, i) => `KRW-S${i}`))
    .slice(0, spec.markets);
  const columns = syntheticColumns({ seed: spec.seed, markets, from: FROM, bars: spec.days * 1440, barMs: MINUTE });
  return { columns, timeframe: 'minute1' };
}

const barCount = (d: BacktestData | ColumnarBacktestData) =>
  'columns' in d
    ? Object.values(d.columns).reduce((s, c) => s + c.ts.length, 0)
    : Object.values(d.candles).reduce((s, c) => s + c.length, 0);
const base = (): BacktestConfig => ({ strategyId: STRATEGY, initialCashKrw: '100000000' });

function paramSets(n: number) {
  const space = searchSpaceOf(getStrategy(STRATEGY).params);
  return planOptimization({ space, method: 'random', budget: n, seed: 7 }).map((p) => ({
    ...base(),
    params: p as Record<string, number | boolean>,
  }));
}

if (!isMainThread) {
  // Worker: rebuild the same seeded data, run its share of the parameter sets in one pass.
  const { data, sets, share } = workerData as { data: SyntheticData; sets: number; share: [number, number] };
  const configs = paramSets(sets).slice(share[0], share[1]);
  const input = synthetic(data);
  // Warm the JIT up first (3 days: past the strategy's warm-up), as the main thread's figures are: otherwise a
  // worker's time is partly compilation, a larger share of the smaller half.
  runBacktests(configs, synthetic({ ...data, days: Math.min(3, data.days) }));
  const started = performance.now();
  const results = runBacktests(configs, input);
  parentPort!.postMessage({ trades: results.map((r) => r.metrics.trades), computeMs: performance.now() - started });
} else {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

type WorkerResult = { trades: number[]; computeMs: number };

function inWorker(data: SyntheticData, sets: number, share: [number, number]): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    // Workers do not inherit the tsx loader: register it first, then load this file.
    const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); });`;
    const w = new Worker(boot, { eval: true, workerData: { data, sets, share } });
    w.once('message', resolve);
    w.once('error', reject);
  });
}

/** The feature engine alone, as the backtest builds it: every candle in, a snapshot of every market at each 15-minute close. */
function featuresOnly(data: ColumnarBacktestData): number {
  const fe = featureEngineFor(getStrategy(STRATEGY), { baseTimeframe: data.timeframe, explained: false });
  const markets = Object.keys(data.columns);
  const n = data.columns[markets[0]].ts.length;
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    for (const m of markets) fe.ingest(m, candleAt(data.columns[m], i));
    const close = data.columns[markets[0]].ts[i] + MINUTE;
    if (bucketStart(close, 'minute15') === close) {
      for (const m of markets) fe.snapshot(m, close);
      fe.context(close);
    }
  }
  return performance.now() - started;
}

/** The year (or --days) of candles: the feature engine alone, then one backtest. Returns figures only. */
function singleRun(spec: SyntheticData) {
  const [data, genMs] = timed(() => synthetic(spec));
  const bars = barCount(data);
  console.log(
    `synthetic 1-minute candles: ${spec.markets} markets x ${spec.days} days = ${bars} bars (generated in ${(genMs / 1000).toFixed(1)} s)`,
  );

  const featMs = featuresOnly(data);
  console.log(
    `feature engine alone (ingest + 15m snapshots, ${STRATEGY}'s timeframes and indicators): ${(featMs / 1000).toFixed(1)} s, ${Math.round(bars / (featMs / 1000))} bars x markets / s`,
  );

  // CPU time of the process (garbage collection runs on helper threads too): it moves less than the wall time
  // when other processes share the cores.
  const cpuBefore = process.cpuUsage();
  const [result, btMs] = timed(() => runBacktest(base(), data));
  const cpu = process.cpuUsage(cpuBefore);
  const btCpuMs = (cpu.user + cpu.system) / 1000;
  const barsPerSec = Math.round(bars / (btMs / 1000));
  // Peak resident memory of the process so far: the year of candles, the feature-engine pass and the backtest.
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(
    `backtest ${STRATEGY}: ${(btMs / 1000).toFixed(1)} s (cpu ${(btCpuMs / 1000).toFixed(1)} s), ${barsPerSec} bars x markets / s, ${Math.round(bars / (btCpuMs / 1000))} per cpu second, ${result.trades.length} trades, ${result.evaluations} evaluations, return ${(result.metrics.totalReturn * 100).toFixed(2)}%; peak RSS ${peakRssMb} MB`,
  );
  return { bars, featMs, btMs, btCpuMs, barsPerSec, trades: result.trades.length, peakRssMb };
}

function timed<T>(f: () => T): [T, number] {
  const started = performance.now();
  const out = f();
  return [out, performance.now() - started];
}

async function main() {
  const { values } = parseArgs({
    options: {
      days: { type: 'string', default: '365' },
      markets: { type: 'string', default: '10' },
      sets: { type: 'string', default: '8' },
      'opt-days': { type: 'string', default: '7' },
      'csv-dir': { type: 'string', default: SAMPLE_CANDLE_DIR },
    },
  });
  const days = Number(values.days);
  const nMarkets = Number(values.markets);
  const sets = Number(values.sets);
  const optDays = Number(values['opt-days']);
  // Checked first: a bad value would otherwise surface minutes later, after the year's run, as an engine error.
  for (const [name, v, min] of [
    ['days', days, 1],
    ['markets', nMarkets, 1],
    ['sets', sets, 2], // the split over 2 workers needs a set for each
    ['opt-days', optDays, 1],
  ] as const)
    if (!Number.isInteger(v) || v < min) throw new Error(`--${name}: an integer of at least ${min}, got ${v}`);
  console.log(
    `cpu: ${cpus()[0]?.model ?? '?'} x ${cpus().length}; node ${process.version}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );

  // The year of candles (about 250 MB of columns) is dropped before the optimisation figures, which would otherwise
  // pay for collecting around it.
  const { bars, featMs, btMs, btCpuMs, barsPerSec, trades, peakRssMb } = singleRun({
    seed: 1,
    markets: nMarkets,
    days,
  });

  // Optimisation: N parameter sets over a shorter window.
  const optSpec = { seed: 2, markets: nMarkets, days: optDays };
  const optData = synthetic(optSpec);
  const [, separateMs] = timed(() => {
    for (const c of paramSets(sets)) runBacktest(c, optData);
  });
  const [, onePassMs] = timed(() => runBacktests(paramSets(sets), optData));
  // Features once (F) and one set's own work (S), from separate = N (F + S) and one pass = F + N S.
  const featureMs = (separateMs - onePassMs) / (sets - 1);
  const perSetMs = (onePassMs - featureMs) / sets;
  // 1 worker with every set, then 2 workers with half each; best of two rounds (the host may be busy).
  // Wall time includes starting the workers; compute time is the slowest worker's pass alone.
  const half = Math.ceil(sets / 2);
  const round = async (shares: [number, number][]) => {
    const started = performance.now();
    const out = await Promise.all(shares.map((sh) => inWorker(optSpec, sets, sh)));
    return { wallMs: performance.now() - started, computeMs: Math.max(...out.map((o) => o.computeMs)), out };
  };
  const best = async (shares: [number, number][]) => {
    const a = await round(shares);
    const b = await round(shares);
    return a.computeMs <= b.computeMs ? a : b;
  };
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  const loadBefore = load();
  const one = await best([[0, sets]]);
  const two = await best([
    [0, half],
    [half, sets],
  ]);
  const same = await best([
    [0, sets],
    [0, sets],
  ]);
  const loadAfter = load();
  const oneWorkerMs = one.computeMs;
  const twoWorkersMs = two.computeMs;
  const bound = (featureMs + sets * perSetMs) / (featureMs + half * perSetMs);
  const throughput = (2 * oneWorkerMs) / same.computeMs;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(
    `optimisation, ${sets} parameter sets, ${nMarkets} markets x ${optDays} days of 1-minute bars:\n` +
      `  ${sets} separate passes: ${s(separateMs)}; one pass sharing features: ${s(onePassMs)} (x${(separateMs / onePassMs).toFixed(2)}); ` +
      `features ${s(featureMs)} + ${(perSetMs / 1000).toFixed(2)} s per set\n` +
      `  1 worker: ${s(oneWorkerMs)} compute (${s(one.wallMs)} wall); 2 workers: ${s(twoWorkersMs)} compute (${s(two.wallMs)} wall); ` +
      `speed-up x${(oneWorkerMs / twoWorkersMs).toFixed(2)} (wall x${(one.wallMs / two.wallMs).toFixed(2)})\n` +
      `  at best x${bound.toFixed(2)} with features computed in each worker, times what 2 threads get here: ` +
      `x${throughput.toFixed(2)} throughput of 2 workers doing the whole job each (${s(same.computeMs)}), so about ` +
      `x${((bound * throughput) / 2).toFixed(2)} to expect; load average ${loadBefore} before, ${loadAfter} after; ` +
      `trades ${two.out.flatMap((o) => o.trades).join(',')}`,
  );

  // Real candles: dual-momentum on the 60-minute candles of up to six markets, pullback (which decides on 15-minute
  // bars) on the one market with 15-minute candles; markets without a file in the directory are left out.
  const real: Record<string, unknown> = {};
  const dir = values['csv-dir'];
  if (existsSync(dir)) {
    const { loadCandles } = await import('../scripts/backtest');
    const runs = [
      {
        id: 'dual-momentum',
        timeframe: 'minute60' as const,
        markets: ['KRW-BTC', 'KRW-ETH', 'KRW-XRP', 'KRW-SOL', 'KRW-DOGE', 'KRW-LINK'].filter((m) =>
          [`${m}_60m.csv`, `${m}_60m.csv.gz`].some((f) => existsSync(join(dir, f))),
        ),
      },
      { id: 'pullback', timeframe: 'minute15' as const, markets: ['KRW-ETH'] },
    ];
    for (const { id, timeframe, markets } of runs) {
      const realData: BacktestData = {
        candles: loadCandles(dir, markets, timeframe, 0, Number.MAX_SAFE_INTEGER),
        timeframe,
      };
      const realBars = barCount(realData);
      const [r, ms] = timed(() => runBacktest({ strategyId: id, initialCashKrw: '100000000' }, realData));
      const rate = Math.round(realBars / (ms / 1000));
      console.log(
        `real ${timeframe} candles, ${markets.join(',')}, ${realBars} bars, ${id}: ${(ms / 1000).toFixed(1)} s, ${rate} bars x markets / s, ${r.trades.length} trades, return ${(r.metrics.totalReturn * 100).toFixed(2)}%, max DD ${(r.metrics.maxDrawdown * 100).toFixed(2)}%`,
      );
      real[id] = {
        timeframe,
        markets,
        bars: realBars,
        seconds: ms / 1000,
        barsPerSec: rate,
        trades: r.trades.length,
        totalReturn: r.metrics.totalReturn,
      };
    }
  } else console.log(`no ${dir}: real-candle figures skipped`);

  console.log(
    JSON.stringify({
      bench: 'backtest',
      strategy: STRATEGY,
      markets: nMarkets,
      days,
      bars,
      featureEngineBarsPerSec: Math.round(bars / (featMs / 1000)),
      backtestSeconds: btMs / 1000,
      backtestCpuSeconds: btCpuMs / 1000,
      backtestBarsPerSec: barsPerSec,
      peakRssMb,
      trades,
      optimisation: {
        sets,
        days: optDays,
        separatePassesSeconds: separateMs / 1000,
        onePassSeconds: onePassMs / 1000,
        featureSeconds: featureMs / 1000,
        perSetSeconds: perSetMs / 1000,
        oneWorkerSeconds: oneWorkerMs / 1000,
        twoWorkersSeconds: twoWorkersMs / 1000,
        speedUp: oneWorkerMs / twoWorkersMs,
        speedUpBound: bound,
        twoThreadThroughput: throughput,
        expectedSpeedUp: (bound * throughput) / 2,
        wallSpeedUp: one.wallMs / two.wallMs,
        loadAverage: { before: loadBefore, after: loadAfter },
      },
      real,
    }),
  );
}
