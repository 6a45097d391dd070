// Backtests through every layer: API -> backtest workflow on the `backtest` queue -> chunk
// activities reading candles from the database -> results in backtest_runs / _trades / _equity and
// back through the API. The answers are checked against the same engine run in this process.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBacktestActivities } from '../../activities/backtest';
import { type BacktestData, runBacktest } from '../../core/backtest/engine';
import { optimizeStrategy, sliceData, walkForward, warmupMs } from '../../core/backtest/research';
import { syntheticCandles } from '../../core/backtest/synthetic';
import { DAY_MS } from '../../core/market';
import { getStrategy } from '../../core/strategy';
import { insertCandles } from '../../exchange/marketdata/store';
import type { TradingServices } from '../../workers/services';
import { type BacktestProgress, type BacktestRequest, backtestProgressQuery } from '../../workflows/backtest';
import { eventually, type Stack, startStack } from '../stack';

const run = promisify(execFile);
let stack: Stack;
let workers: TradingServices;

const MARKETS = ['KRW-BTC', 'KRW-ETH'];
const START = Date.parse('2025-03-01T00:00:00Z');
const FROM = START + 5 * DAY_MS;
const TO = START + 20 * DAY_MS;
const candles = syntheticCandles({
  seed: 5,
  markets: MARKETS,
  from: START,
  bars: 20 * 96,
  barMs: 15 * 60_000,
  volatility: 0.006,
});
const data: BacktestData = { candles, timeframe: 'minute15' };
const STRATEGY = 'rsi-reversion';
const SEARCH = ['exitRsi', 'bandTouchPct'];

const base = {
  strategy: STRATEGY,
  markets: MARKETS,
  timeframe: 'minute15',
  from: new Date(FROM).toISOString(),
  to: new Date(TO).toISOString(),
  capitalKrw: '1000000',
};
const engineConfig = { strategyId: STRATEGY, initialCashKrw: '1000000', tradeFrom: FROM, tradeTo: TO };
const warm = warmupMs(getStrategy(STRATEGY), 'minute15');
const requestData = sliceData(data, FROM - warm, TO);

async function api<T = Record<string, unknown>>(method: string, path: string, body?: unknown) {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { ...(await stack.authHeaders()), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

interface RunView {
  id: string;
  status: string;
  progress: number;
  params: Record<string, number | boolean> | null;
  metrics?: Record<string, number | null>;
  equity?: { ts: number; equity: number; drawdown: number }[];
  trades?: { market: string; entryTs: number; exitTs: number; entryPrice: string; exitPrice: string; pnl: string }[];
  ranking?: { params: Record<string, number>; objective: number | null; metrics: Record<string, number | null> }[];
  bands?: Record<string, { finalEquity: { p5: number; p50: number; p95: number }; maxDrawdown: { p50: number } }>;
  folds?: { index: number; bestParams: Record<string, number>; trainScore: number | null }[];
  error?: string;
}

async function launch(body: Record<string, unknown>): Promise<string> {
  const res = await api<{ id: string }>('POST', '/api/backtests', { ...base, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.id;
}

const finished = (id: string, timeoutMs = 90_000) =>
  eventually(
    async () => {
      const { body } = await api<RunView>('GET', `/api/backtests/${id}`);
      return body.status !== 'running' && body;
    },
    timeoutMs,
    `backtest ${id} to finish`,
  );

/** Chunk rows of a run: key -> [computations, finished]. */
async function chunkRows(runId: string) {
  const rows = await stack.db.prisma.backtestChunk.findMany({ where: { runId } });
  return new Map(rows.map((r) => [r.key, { computations: r.computations, done: r.result !== null }]));
}

const nullIfInfinite = (x: number) => (Number.isFinite(x) ? x : null);

beforeAll(async () => {
  stack = await startStack();
  const rows = Object.entries(candles).flatMap(([market, cs]) =>
    cs.map((c) => ({ market, timeframe: 'minute15' as const, ...c, value: null, source: 'import' })),
  );
  await insertCandles(stack.db, rows);
  workers = await stack.startWorkers();
});

afterAll(async () => {
  await stack?.stop();
});

describe('backtests on Temporal', () => {
  it('runs one backtest: the same trades and metrics as the engine in process, in the database and via GET', async () => {
    const id = await launch({ kind: 'backtest' });
    const run = await finished(id);
    expect(run.status).toBe('completed');
    expect(run.progress).toBe(1);
    const expected = runBacktest(engineConfig, requestData);
    expect(expected.trades.length).toBeGreaterThan(0);
    expect(run.trades?.map((t) => [t.market, t.entryTs, t.exitTs, t.entryPrice, t.exitPrice, t.pnl])).toEqual(
      expected.trades.map((t) => [t.market, t.entryTs, t.exitTs, t.entryPrice, t.exitPrice, t.pnl]),
    );
    expect(run.metrics?.totalReturn).toBeCloseTo(expected.metrics.totalReturn, 12);
    expect(run.metrics?.trades).toBe(expected.trades.length);
    expect(run.equity?.length).toBeGreaterThan(100);
    expect(run.equity?.length).toBeLessThanOrEqual(2000);
    expect(run.equity?.at(-1)?.equity).toBeCloseTo(expected.metrics.finalEquity, 6);
    expect(await stack.db.prisma.backtestTrade.count({ where: { runId: id } })).toBe(expected.trades.length);
    const listed = await api<{ id: string; status: string }[]>('GET', '/api/backtests');
    expect(listed.body.find((r) => r.id === id)?.status).toBe('completed');
    // Chunk results live in their own table: the list holds runs only.
    expect(listed.body.every((r) => r.status !== 'chunk')).toBe(true);
  });

  it('optimises in chunks: the ranking equals the in-process search, best parameters run in full', async () => {
    const optimize = { method: 'random', budget: 12, objective: 'totalReturn', seed: 3, params: SEARCH };
    const id = await launch({ kind: 'optimize', optimize, chunkSize: 3, concurrency: 2 });
    const run = await finished(id);
    expect(run.status, run.error).toBe('completed');
    const expected = optimizeStrategy(
      engineConfig,
      { method: 'random', budget: 12, objective: 'totalReturn', seed: 3, searchParams: SEARCH },
      requestData,
    );
    expect(run.ranking?.map((r) => [r.params, r.objective])).toEqual(
      expected.map((t) => [t.params, nullIfInfinite(t.score)]),
    );
    expect(run.params).toMatchObject(expected[0].params);
    expect(run.metrics?.totalReturn).toBeCloseTo(expected[0].metrics.totalReturn, 12);
    // Results stay in the database: the history carries requests and scores only.
    const history = await stack.client.workflow.getHandle(id).fetchHistory();
    const sizes = (history.events ?? []).map((e) => historyToJSON({ events: [e] }).length);
    console.log(
      `optimise history: ${sizes.length} events, largest ${Math.max(...sizes)} B, all ${sizes.reduce((a, b) => a + b, 0)} B`,
    );
    expect(Math.max(...sizes)).toBeLessThan(16_000);
    // RECORD_HISTORIES=<label> saves this fan-out's history for the replay test (see the README).
    if (process.env.RECORD_HISTORIES)
      writeFileSync(
        join(import.meta.dirname, '..', 'replay', 'histories', `backtestWorkflow-${process.env.RECORD_HISTORIES}.json`),
        historyToJSON(history),
      );
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThan(200_000);
    // 12 sets in chunks of 3, each computed once.
    const chunks = await chunkRows(id);
    expect([...chunks.keys()].sort()).toEqual(['c0', 'c1', 'c2', 'c3']);
    expect([...chunks.values()].every((c) => c.computations === 1 && c.done)).toBe(true);
    // Two chunks were in flight, but a worker process takes one chunk at a time (an engine pass holds its thread):
    // by the start and completion times in the history no two activities ran at once, so a second process polling
    // the queue would have taken the other chunk instead of it waiting behind the first in this one.
    const events = history.events ?? [];
    const spans = events
      .filter((e) => e.activityTaskCompletedEventAttributes)
      .map((done) => {
        const a = done.activityTaskCompletedEventAttributes!;
        const started = events.find((e) => Number(e.eventId) === Number(a.startedEventId));
        return [
          Number(started?.eventTime?.seconds ?? 0) * 1000 + (started?.eventTime?.nanos ?? 0) / 1e6,
          Number(done.eventTime?.seconds ?? 0) * 1000 + (done.eventTime?.nanos ?? 0) / 1e6,
        ];
      })
      .sort((x, y) => x[0] - y[0]);
    expect(spans.length).toBeGreaterThanOrEqual(5);
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
  });

  it('optimises with TPE the same way core does', async () => {
    const optimize = { method: 'tpe', budget: 14, objective: 'totalReturn', seed: 9, params: SEARCH };
    const id = await launch({ kind: 'optimize', optimize, chunkSize: 4 });
    const run = await finished(id);
    expect(run.status, run.error).toBe('completed');
    const expected = optimizeStrategy(
      engineConfig,
      { method: 'tpe', budget: 14, objective: 'totalReturn', seed: 9, searchParams: SEARCH },
      requestData,
    );
    expect(run.ranking?.map((r) => [r.params, r.objective])).toEqual(
      expected.map((t) => [t.params, nullIfInfinite(t.score)]),
    );
  });

  it('walks forward: each fold picks what core picks, only test windows are reported', async () => {
    const optimize = { method: 'random', budget: 6, objective: 'totalReturn', seed: 2, params: SEARCH };
    const walkforward = { mode: 'rolling', trainDays: 6, testDays: 3 };
    const id = await launch({ kind: 'walkforward', optimize, walkforward, chunkSize: 3 });
    const run = await finished(id);
    expect(run.status, run.error).toBe('completed');
    const expected = walkForward(
      engineConfig,
      { from: FROM, to: TO },
      { mode: 'rolling', trainMs: 6 * DAY_MS, testMs: 3 * DAY_MS },
      { method: 'random', budget: 6, seed: 2, objective: 'totalReturn', searchParams: SEARCH },
      data,
    );
    expect(run.folds?.length).toBe(3);
    expect(run.folds?.map((f) => [f.bestParams, f.trainScore])).toEqual(
      expected.folds.map((f) => [f.bestParams, nullIfInfinite(f.trainScore)]),
    );
    expect(run.trades?.length).toBe(expected.trades.length);
    for (const t of run.trades ?? []) expect(t.entryTs).toBeGreaterThanOrEqual(FROM + 6 * DAY_MS);
    expect(run.metrics?.totalReturn).toBeCloseTo(expected.outOfSample.totalReturn, 12);
  });

  it('walks forward with default folds when the request names none (the dashboard sends none)', async () => {
    const id = await launch({ kind: 'walkforward', optimize: { method: 'random', budget: 2, objective: 'sharpe' } });
    const run = await finished(id);
    expect(run.status, run.error).toBe('completed');
    // Half the range to train, sixths to test: three folds, the last ending at the range's end.
    expect(run.folds?.length).toBe(3);
  });

  it('Monte Carlo: shuffles keep the final equity, bootstraps spread it', async () => {
    const id = await launch({ kind: 'montecarlo', montecarlo: { runs: 500, seed: 4 } });
    const run = await finished(id);
    expect(run.status, run.error).toBe('completed');
    const final = runBacktest(engineConfig, requestData).metrics.finalEquity;
    const { shuffle, bootstrap } = run.bands ?? {};
    expect(shuffle.finalEquity.p5).toBeCloseTo(final, 6);
    expect(shuffle.finalEquity.p95).toBeCloseTo(final, 6);
    expect(bootstrap.finalEquity.p95).toBeGreaterThan(bootstrap.finalEquity.p5);
    expect(shuffle.maxDrawdown.p50).toBeGreaterThan(0);
  });

  it('shows progress mid-run and stops on cancel (status cancelled, the fan-out ends)', async () => {
    const optimize = { method: 'random', budget: 60, objective: 'totalReturn', seed: 5, params: SEARCH };
    const id = await launch({ kind: 'optimize', optimize, chunkSize: 2, concurrency: 2 });
    const mid = await eventually(
      async () => {
        const { body } = await api<RunView>('GET', `/api/backtests/${id}`);
        return body.status === 'running' && body.progress > 0 && body;
      },
      60_000,
      'progress above 0',
    );
    expect(mid.progress).toBeLessThan(1);
    const live: BacktestProgress = await stack.client.workflow.getHandle(id).query(backtestProgressQuery);
    expect(live.total).toBe(31);
    expect(live.done).toBeGreaterThan(0);
    expect(live.done).toBeLessThan(live.total);

    const cancel = await api('POST', `/api/backtests/${id}/cancel`);
    expect(cancel.status).toBe(202);
    const run = await finished(id, 30_000);
    expect(run.status).toBe('cancelled');
    // The run's row says cancelled from inside the workflow's cancellation; the execution ends right after.
    await eventually(
      async () => (await stack.client.workflow.getHandle(id).describe()).status.name === 'CANCELLED',
      30_000,
      'the workflow execution to end cancelled',
    );
    // At most the chunks already in flight finish after the cancel; no new ones start.
    const atCancel = (await chunkRows(id)).size;
    await new Promise((r) => setTimeout(r, 2000));
    expect((await chunkRows(id)).size).toBe(atCancel);
    expect(atCancel).toBeLessThan(30);
    expect((await api('POST', `/api/backtests/${id}/cancel`)).status).toBe(409);
  });

  it('resumes after the workers stop mid-search without recomputing finished chunks', async () => {
    const optimize = { method: 'random', budget: 24, objective: 'totalReturn', seed: 7, params: SEARCH };
    const id = await launch({ kind: 'optimize', optimize, chunkSize: 2, concurrency: 1 });
    await eventually(
      async () => [...(await chunkRows(id)).values()].filter((c) => c.done).length >= 3,
      60_000,
      'three finished chunks',
    );
    await workers.stop();
    const before = await chunkRows(id);
    const doneBefore = [...before].filter(([, c]) => c.done).map(([k]) => k);
    expect(doneBefore.length).toBeGreaterThanOrEqual(3);
    expect(doneBefore.length).toBeLessThan(12);
    expect((await api<RunView>('GET', `/api/backtests/${id}`)).body.status).toBe('running');

    workers = await stack.startWorkers();
    // A chunk task the server handed to a poll that the stopping worker had just interrupted is lost in transit
    // (the SDK's shutdown cancels its polls); the server retries it only after the chunk's heartbeat timeout (2 min)
    // and a retry interval, so wait longer than that.
    const run = await finished(id, 200_000);
    expect(run.status, run.error).toBe('completed');
    const after = await chunkRows(id);
    expect(after.size).toBe(12);
    for (const k of doneBefore) expect(after.get(k)?.computations, k).toBe(1);
    expect([...after.values()].every((c) => c.done)).toBe(true);
    const expected = optimizeStrategy(
      engineConfig,
      { method: 'random', budget: 24, objective: 'totalReturn', seed: 7, searchParams: SEARCH },
      requestData,
    );
    expect(run.ranking?.map((r) => [r.params, r.objective])).toEqual(
      expected.map((t) => [t.params, nullIfInfinite(t.score)]),
    );
  }, 300_000);

  it('npm run backtest -- --temporal runs the request on the workers and prints its summary', async () => {
    const args = ['tsx', 'scripts/backtest.ts', '--temporal', '--strategy', STRATEGY, '--markets', MARKETS.join(',')];
    args.push('--timeframe', 'minute15', '--from', '2025-03-06', '--to', '2025-03-20', '--cash', '1000000');
    const { stdout } = await run('npx', [...args, '--monte-carlo', '0'], {
      env: { ...process.env, TEMPORAL_ADDRESS: stack.temporal.address },
    });
    const id = /started backtest (bt-[a-f0-9]+)/.exec(stdout)?.[1];
    expect(id, stdout).toBeDefined();
    const summary = JSON.parse(stdout.slice(stdout.indexOf('{')));
    expect(summary.status).toBe('completed');
    const expected = runBacktest(engineConfig, requestData);
    expect(summary.metrics.totalReturn).toBeCloseTo(expected.metrics.totalReturn, 12);
    expect((await api<RunView>('GET', `/api/backtests/${id}`)).body.trades?.length).toBe(expected.trades.length);
  });

  it('a repeated chunk activity returns the stored result instead of computing again', async () => {
    const acts = createBacktestActivities({ db: stack.db });
    const request = {
      kind: 'optimize',
      strategy: STRATEGY,
      params: getStrategy(STRATEGY).defaults as Record<string, number>,
      markets: MARKETS,
      timeframe: 'minute15',
      from: FROM,
      to: TO,
      capitalKrw: '1000000',
      chunkSize: 2,
      concurrency: 1,
      optimize: { method: 'grid', budget: 2, objective: 'totalReturn', seed: 1, minTrades: 1 },
    } satisfies BacktestRequest;
    await stack.db.prisma.backtestRun.create({
      data: { id: 'bt-direct', kind: 'optimize', status: 'running', params: { request } },
    });
    const input = {
      runId: 'bt-direct',
      key: 'c0',
      request,
      paramSets: [{ exitRsi: 50 }, { exitRsi: 70 }],
      window: { from: FROM, to: TO },
      totalUnits: 2,
    };
    const env = new MockActivityEnvironment();
    const first = await env.run(acts.backtestChunk, input);
    const second = await env.run(acts.backtestChunk, input);
    expect(second).toEqual(first);
    expect((await chunkRows('bt-direct')).get('c0')).toEqual({ computations: 1, done: true });
    // The run's progress counts stored chunks.
    const parent = await stack.db.prisma.backtestRun.findUniqueOrThrow({ where: { id: 'bt-direct' } });
    expect(parent.progress).toBe(0.5);
  });
});

describe('backtest requests are checked field by field', () => {
  const cases: [string, Record<string, unknown>, number, RegExp][] = [
    ['unknown strategy', { kind: 'backtest', strategy: 'nope' }, 400, /^strategy: unknown strategy "nope"/],
    [
      'parameter out of range',
      { kind: 'backtest', params: { exitRsi: 500 } },
      400,
      /params\.exitRsi: must be between 40 and 90/,
    ],
    ['unknown parameter', { kind: 'backtest', params: { speed: 1 } }, 400, /params\.speed: unknown parameter/],
    ['from after to', { kind: 'backtest', from: base.to, to: base.from }, 400, /^from: must be before to/],
    ['bad date', { kind: 'backtest', from: 'yesterday' }, 400, /^from: not a date/],
    ['bad kind', { kind: 'guess' }, 400, /^kind: must be one of/],
    ['bad timeframe', { kind: 'backtest', timeframe: 'minute7' }, 400, /^timeframe: must be one of/],
    ['bad market', { kind: 'backtest', markets: ['BTC'] }, 400, /^markets: "BTC" is not a KRW market code/],
    ['optimize missing', { kind: 'optimize' }, 400, /^optimize: required/],
    [
      'bad objective',
      { kind: 'optimize', optimize: { method: 'grid', budget: 5, objective: 'luck' } },
      400,
      /^optimize\.objective/,
    ],
    [
      'grid over budget',
      { kind: 'optimize', optimize: { method: 'grid', budget: 5 } },
      400,
      /^optimize\.budget: the grid has/,
    ],
    [
      'walk-forward too long',
      { kind: 'walkforward', optimize: { budget: 2 }, walkforward: { mode: 'rolling', trainDays: 30, testDays: 30 } },
      400,
      /^walkforward: no fold fits/,
    ],
    ['capital too small', { kind: 'backtest', capitalKrw: '100' }, 400, /^capitalKrw: must be a number/],
    ['extra field', { kind: 'backtest', colour: 'red' }, 400, /colour|additional/],
    ['no candles', { kind: 'backtest', markets: ['KRW-XRP'] }, 422, /KRW-XRP.*npm run data:import.*data:download/],
    [
      'no candles in range',
      { kind: 'backtest', from: '2024-01-01', to: '2024-02-01' },
      422,
      /^markets: no minute15 candles stored for KRW-BTC, KRW-ETH/,
    ],
  ];
  for (const [name, body, status, message] of cases) {
    it(name, async () => {
      const res = await api<{ message: string }>('POST', '/api/backtests', { ...base, ...body });
      expect(res.status).toBe(status);
      expect(res.body.message).toMatch(message);
    });
  }

  it('unknown run: 404', async () => {
    expect((await api('GET', '/api/backtests/bt-missing')).status).toBe(404);
    expect((await api('POST', '/api/backtests/bt-missing/cancel')).status).toBe(404);
  });
});
