// The optimisation fan-out across worker processes, as docker-compose runs it: one `optimize` run of the backtest
// workflow (a random search of --sets parameter sets in chunks of --chunk, each chunk an activity on the `backtest`
// queue that loads the candles from the database, computes the features and scores its sets in one pass), served
// first by one worker process (workers/main.ts, TASK_QUEUES=backtest), then, from fresh processes, by two. Printed:
// wall-clock time of each run, the worker processes' CPU seconds per parameter set (read from /proc, code loading
// left out), the speed-up 1 -> 2, and what two processes could give if the features were computed once and shared
// instead of once per chunk: from the same chunk code run in this process over all sets in one pass and over one.
// `npm run bench -- fanout [--sets 16] [--chunk 4] [--days 120] [--markets 4]`; needs the PostgreSQL server of
// BENCH_DATABASE_URL (or TEST_DATABASE_URL): two processes cannot share the in-memory database. Stops by itself;
// last line is JSON.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { requestData } from '../activities/backtest-candles';
import { configOf, windowData } from '../activities/backtest-runs';
import { runBacktests } from '../core/backtest/engine';
import { planOptimization, searchSpaceOf } from '../core/backtest/search';
import { syntheticCandles } from '../core/backtest/synthetic';
import { parseBacktestRequest } from '../core/contract';
import { DAY_MS } from '../core/market';
import { getStrategy } from '../core/strategy';
import { insertCandles } from '../exchange/marketdata/store';
import { startSimulator } from '../exchange/sim/server';
import { openDatabase } from '../prisma/db';
import { createRun } from '../prisma/repositories/backtest-runs';
import { startDevServer } from '../workers/temporal-server';
import type { backtestWorkflow } from '../workflows/backtest';
import { TASK_QUEUE_BACKTEST } from '../workflows/ids';
import {
  benchPostgresUrl,
  buildWorkflowBundle,
  schemaOfItsOwn,
  startWorkerProcess,
  type WorkerProcess,
} from './worker-process';

const { values } = parseArgs({
  options: {
    sets: { type: 'string', default: '16' },
    chunk: { type: 'string', default: '4' },
    days: { type: 'string', default: '120' },
    markets: { type: 'string', default: '4' },
  },
});
const SETS = Number(values.sets);
const CHUNK = Number(values.chunk);
const DAYS = Number(values.days);
const MARKET_COUNT = Number(values.markets);
for (const [name, v] of [
  ['sets', SETS],
  ['chunk', CHUNK],
  ['days', DAYS],
  ['markets', MARKET_COUNT],
] as const)
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name}: a positive integer, got ${v}`);
const postgresUrl = benchPostgresUrl();
if (!postgresUrl) throw new Error('fanout needs a PostgreSQL server: set BENCH_DATABASE_URL (or TEST_DATABASE_URL)');

const STRATEGY = 'pullback';
const MARKETS = ['KRW-BTC', 'KRW-ETH', 'KRW-XRP', 'KRW-SOL', 'KRW-DOGE', 'KRW-LINK', 'KRW-ADA', 'KRW-DOT'].slice(
  0,
  MARKET_COUNT,
);
const START = Date.parse('2025-01-01T00:00:00Z');
const BAR_MS = 15 * 60_000;
const r2 = (x: number) => Math.round(x * 100) / 100;
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

const databaseUrl = schemaOfItsOwn(postgresUrl, 'fanout');
const db = await openDatabase({ databaseUrl });
const candles = syntheticCandles({
  seed: 11,
  markets: MARKETS,
  from: START,
  bars: (DAYS * DAY_MS) / BAR_MS,
  barMs: BAR_MS,
  volatility: 0.006,
});
await insertCandles(
  db,
  Object.entries(candles).flatMap(([market, cs]) =>
    cs.map((c) => ({ market, timeframe: 'minute15' as const, ...c, value: null, source: 'import' })),
  ),
);
// The search trades over all but the first 20 days, which warm the strategy up.
const request = parseBacktestRequest({
  kind: 'optimize',
  strategy: STRATEGY,
  markets: MARKETS,
  timeframe: 'minute15',
  from: START + 20 * DAY_MS,
  to: START + DAYS * DAY_MS,
  capitalKrw: '10000000',
  optimize: { method: 'random', budget: SETS, seed: 5 },
  chunkSize: CHUNK,
  // Every chunk in flight at once: the processes polling the queue take them as they can.
  concurrency: Math.ceil(SETS / CHUNK),
});
const bars = MARKETS.length * ((DAYS * DAY_MS) / BAR_MS);
console.log(
  `cpu: ${cpus()[0]?.model ?? '?'} x ${cpus().length}; node ${process.version}; load average ${load()}\n` +
    `optimize ${STRATEGY}: ${SETS} parameter sets in chunks of ${CHUNK} over ${MARKETS.length} markets x ${DAYS} days of 15-minute candles (${bars} bars)`,
);

const temporal = await startDevServer({ headless: true });
// The worker's services start their exchange connections whatever the queues; a backtest never calls them.
const sim = await startSimulator({ port: 0, seed: 3 });
const connection = await Connection.connect({ address: temporal.address });
const client = new Client({ connection, namespace: 'default' });
const bundle = await buildWorkflowBundle(mkdtempSync(join(tmpdir(), 'bench-fanout-')));
const masterKey = randomBytes(32);

/** One optimize run served by `processes` fresh worker processes: wall-clock ms and their CPU ms during it. */
async function runWith(
  processes: number,
): Promise<{ wallMs: number; cpuMs: number; perProcessCpuMs: number[]; loadAfter: string }> {
  const workers: WorkerProcess[] = [];
  try {
    for (let i = 0; i < processes; i++)
      workers.push(
        await startWorkerProcess({
          temporalAddress: temporal.address,
          databaseUrl,
          simUrl: sim.baseUrl.replace(/\/v1$/, ''),
          masterKey,
          taskQueues: [TASK_QUEUE_BACKTEST],
          workflowBundle: bundle,
        }),
      );
    const cpuOf = () => workers.reduce((s, w) => s + w.cpuMs(), 0);
    const id = `bench-fanout-${processes}-${Date.now()}`;
    await createRun(db.prisma, { id, kind: request.kind, request });
    const cpuBefore = cpuOf();
    const eachBefore = workers.map((w) => w.cpuMs());
    const started = performance.now();
    const handle = await client.workflow.start<typeof backtestWorkflow>('backtestWorkflow', {
      workflowId: id,
      taskQueue: TASK_QUEUE_BACKTEST,
      args: [{ runId: id, request }],
    });
    await handle.result();
    const wallMs = performance.now() - started;
    const run = await db.prisma.backtestRun.findUniqueOrThrow({ where: { id } });
    if (run.status !== 'completed') throw new Error(`run ${id} ended ${run.status}: ${run.error ?? ''}`);
    return {
      wallMs,
      cpuMs: cpuOf() - cpuBefore,
      perProcessCpuMs: workers.map((w, i) => w.cpuMs() - eachBefore[i]),
      loadAfter: load(),
    };
  } finally {
    for (const w of workers) await w.stop();
  }
}

/** The chunk code in this process: candles loaded once, then `sets` scored in one pass (one feature computation). */
async function inProcess(sets: number): Promise<number> {
  const window = { from: request.from, to: request.to };
  const space = searchSpaceOf(getStrategy(STRATEGY).params, request.optimize?.searchParams);
  const paramSets = planOptimization({ space, method: 'random', budget: sets, seed: 5 });
  const data = windowData(await requestData(db, request), request, window);
  const before = process.cpuUsage();
  runBacktests(
    paramSets.map((p) => configOf(request, p, window)),
    data,
  );
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

try {
  const one = await runWith(1);
  console.log(
    `1 worker process: ${r2(one.wallMs / 1000)} s wall, ${r2(one.cpuMs / 1000)} s CPU, ${r2(one.cpuMs / 1000 / SETS)} s CPU per parameter set (load after ${one.loadAfter})`,
  );
  const two = await runWith(2);
  console.log(
    `2 worker processes: ${r2(two.wallMs / 1000)} s wall, ${r2(two.cpuMs / 1000)} s CPU (${two.perProcessCpuMs.map((ms) => r2(ms / 1000)).join(' + ')}), ${r2(two.cpuMs / 1000 / SETS)} s CPU per parameter set (load after ${two.loadAfter})`,
  );
  const speedUp = one.wallMs / two.wallMs;
  console.log(`speed-up 1 -> 2 processes: x${r2(speedUp)} wall clock`);

  // Features shared: F (one feature computation) + SETS x S (the sets), measured here on one thread; S from the
  // difference of a pass over every set and a pass over one.
  await inProcess(1); // compiled code first
  const oneSetMs = await inProcess(1);
  const allSetsMs = await inProcess(SETS);
  const perSetMs = Math.max(0, (allSetsMs - oneSetMs) / (SETS - 1 || 1));
  const featuresMs = Math.max(0, oneSetMs - perSetMs);
  const sharedOneMs = featuresMs + SETS * perSetMs;
  const sharedTwoMs = featuresMs + (SETS * perSetMs) / 2;
  console.log(
    `in this process: features ${r2(featuresMs / 1000)} s CPU, each set ${r2(perSetMs / 1000)} s CPU; with the features computed once and shared, 1 process ${r2(sharedOneMs / 1000)} s, 2 processes ${r2(sharedTwoMs / 1000)} s (x${r2(sharedOneMs / sharedTwoMs)}), against the fan-out's ${r2(one.cpuMs / 1000)} s CPU with the features once per chunk of ${CHUNK}`,
  );
  console.log(
    JSON.stringify({
      bench: 'fanout',
      strategy: STRATEGY,
      sets: SETS,
      chunkSize: CHUNK,
      markets: MARKETS.length,
      days: DAYS,
      bars,
      oneProcess: { wallS: r2(one.wallMs / 1000), cpuS: r2(one.cpuMs / 1000), cpuSPerSet: r2(one.cpuMs / 1000 / SETS) },
      twoProcesses: {
        wallS: r2(two.wallMs / 1000),
        cpuS: r2(two.cpuMs / 1000),
        cpuSPerSet: r2(two.cpuMs / 1000 / SETS),
      },
      speedUp: r2(speedUp),
      sharedFeatures: {
        featuresCpuS: r2(featuresMs / 1000),
        perSetCpuS: r2(perSetMs / 1000),
        oneProcessS: r2(sharedOneMs / 1000),
        twoProcessesS: r2(sharedTwoMs / 1000),
      },
      loadAverage: load(),
    }),
  );
} finally {
  await connection.close();
  await temporal.stop();
  await sim.close();
  await db.close();
}
