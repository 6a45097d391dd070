// Signal-to-order latency through the real Temporal dev server: a probe session on ten markets
// enters whenever a market's last 1-minute bar closed up; for each entry we take
//   t0 = the session's evaluateSession ActivityTaskCompleted event (the moment the workflow has the
//        signal; Temporal server clock), the last one before the StartChildWorkflowExecutionInitiated
//        event of that position,
//   t1 = the simulator's acceptance time (its internal createdAt, ms) of the entry order's submit
//        (identifier ord-<position>-1-s<n>),
// and report t1 - t0 (p50, p99), and who placed each entry: the session (its first try, in the task that
// decided it; the position starts after, with the order placed: then the part shown is accepted -> position
// started), the position (when that try failed: its parts are t0 -> position started; position started -> its
// first workflow task started; that task -> accepted) or, in executions older than both, an Order child.
// All clocks are this machine's.
// Layouts: `one-process` (default; what `npm start` runs: workers, simulator, API and an in-memory PGlite
// database share one Node thread) and `split` (as docker-compose deploys it: the trading worker in its own
// process, the database a PostgreSQL server given by BENCH_DATABASE_URL or TEST_DATABASE_URL; the simulator
// and the API stay in this process).
// `--with-backtests`: backtests run one after another all the while (1-minute pullback, 4 markets x 55 days of
// synthetic candles), so the figures show what a backtest does to the orders beside it: one-process, on the same
// worker; split, on a backtest worker process of its own beside the trading one, as docker-compose deploys them.
// `npm run bench -- latency [samples=30] [maxSeconds=240] [--layout one-process|split] [--with-backtests]`; last
// line is JSON.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter, tsToMs } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { syntheticCandles } from '../core/backtest/synthetic';
import { DAY_MS } from '../core/market';
import { insertCandles } from '../exchange/marketdata/store';
import { type Stack, startStack } from '../workers/local-stack';
import { callApi, openRisk, simOrders, startProbeSession } from '../workers/local-stack-probe';
import { sessionWorkflowId } from '../workflows/ids';
import { buildWorkflowBundle, layoutArgs, schemaOfItsOwn, startWorkerProcess } from './worker-process';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const { layout, positionals, postgresUrl, on } = layoutArgs(['with-backtests']);
const withBacktests = on.has('with-backtests');
const wanted = Number(positionals[0] ?? 30);
const maxSeconds = Number(positionals[1] ?? 240);
const MARKETS = ['KRW-XRP', 'KRW-DOGE', 'KRW-SOL', 'KRW-ADA', 'KRW-LINK', 'KRW-AVAX', 'KRW-DOT', 'KRW-TRX'];

const ms = (e: HistoryEvent) => tsToMs(e.eventTime);

/** Backtests one after another until `stop()`: 1-minute pullback on synthetic candles stored first. */
async function backtestsBeside(stack: Stack): Promise<{ stop: () => Promise<number> }> {
  const markets = ['KRW-BTC', 'KRW-ETH', 'KRW-XLM', 'KRW-BCH'];
  const start = Date.parse('2025-01-01T00:00:00Z');
  const days = 60;
  const candles = syntheticCandles({ seed: 3, markets, from: start, bars: days * 1440, barMs: 60_000 });
  for (const [market, cs] of Object.entries(candles))
    for (let i = 0; i < cs.length; i += 20_000)
      await insertCandles(
        stack.db,
        cs
          .slice(i, i + 20_000)
          .map((c) => ({ market, timeframe: 'minute1' as const, ...c, value: null, source: 'import' })),
      );
  const body = {
    kind: 'backtest',
    strategy: 'pullback',
    markets,
    timeframe: 'minute1',
    from: new Date(start + 5 * DAY_MS).toISOString(),
    to: new Date(start + days * DAY_MS).toISOString(),
    capitalKrw: '10000000',
  };
  let stopping = false;
  let runs = 0;
  const loop = (async () => {
    while (!stopping) {
      const launched = await callApi<{ id: string }>(stack, 'POST', '/api/backtests', body);
      if (launched.status !== 202) throw new Error(`backtest not launched: ${JSON.stringify(launched.body)}`);
      for (;;) {
        await new Promise((r) => setTimeout(r, 250));
        const run = await callApi<{ status: string; error?: string }>(
          stack,
          'GET',
          `/api/backtests/${launched.body.id}`,
        );
        if (run.body.status === 'running') continue;
        if (run.body.status !== 'completed') throw new Error(`backtest ${run.body.status}: ${run.body.error ?? ''}`);
        runs++;
        break;
      }
    }
  })();
  return {
    stop: async () => {
      stopping = true;
      await loop;
      return runs;
    },
  };
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99), min: s[0], max: s[s.length - 1] };
};

const t0 = Date.now();
const lines: string[] = [];
const databaseUrl = layout === 'split' ? schemaOfItsOwn(postgresUrl!, 'latency') : undefined;
const stack = await startStack({ databaseUrl });
const workerProcess = async (taskQueues: string[], workflowBundle: string) =>
  startWorkerProcess({
    temporalAddress: stack.temporal.address,
    databaseUrl: databaseUrl!,
    simUrl: stack.sim.baseUrl,
    masterKey: stack.masterKey,
    taskQueues,
    workflowBundle,
  });
const bundle = databaseUrl ? await buildWorkflowBundle(mkdtempSync(join(tmpdir(), 'bench-latency-'))) : null;
const workers = bundle
  ? [await workerProcess(['trading'], bundle), ...(withBacktests ? [await workerProcess(['backtest'], bundle)] : [])]
  : [];
if (workers.length === 0) await stack.startWorkers();
const backtests = withBacktests ? await backtestsBeside(stack) : null;
try {
  const id = await startProbeSession(stack, 'latency', {
    markets: MARKETS,
    loopIntervalSec: 1,
    order: { timeoutSec: 5, fallbackToMarket: true, maxSlippagePct: 5, entryTicksAboveBid: 0 },
    risk: openRisk({
      maxOpenPositions: MARKETS.length,
      // Short positions (time exit after 8 s) so markets free up for new entries.
      exit: {
        stopMode: 'pct',
        stopPct: 0.3,
        takeProfit: [{ atPct: 0.3, fraction: 1 }],
        trailingAtrMultiple: 0,
        blowOffRsi: 0,
        timeExitBars: 1,
        timeExitMinProgressPct: 50,
        barMs: 8_000,
      },
    }),
  });
  const entryOrders = () => simOrders(stack, `ord-pos-${id}-`).filter((o) => /-1-s\d+$/.test(o.identifier ?? ''));
  const deadline = Date.now() + maxSeconds * 1000;
  while (entryOrders().length < wanted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1000));
  const backtestRuns = await backtests?.stop();
  await callApi(stack, 'POST', `/api/sessions/${id}/emergency-stop`, { mode: 'flatten', confirm: id });
  await stack.client.workflow.getHandle(sessionWorkflowId(id)).result();

  // Session side: evaluate completions and child starts, over every run of the session.
  const decisionOf = new Map<string, number>();
  const childStartedOf = new Map<string, number>();
  for await (const run of stack.client.workflow.list({ query: `WorkflowId = '${sessionWorkflowId(id)}'` })) {
    const events = (await stack.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory()).events ?? [];
    const typeOf = new Map<string, string>();
    let lastEvaluate: number | null = null;
    for (const e of events) {
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (scheduled) typeOf.set(String(e.eventId), scheduled.activityType?.name ?? '');
      const done = e.activityTaskCompletedEventAttributes;
      if (done && typeOf.get(String(done.scheduledEventId)) === 'evaluateSession') lastEvaluate = ms(e);
      const child = e.startChildWorkflowExecutionInitiatedEventAttributes;
      if (child?.workflowId && lastEvaluate !== null) decisionOf.set(child.workflowId, lastEvaluate);
      const started = e.childWorkflowExecutionStartedEventAttributes;
      if (started?.workflowExecution?.workflowId) childStartedOf.set(started.workflowExecution.workflowId, ms(e));
    }
  }

  const total: number[] = [];
  const toPosition: number[] = [];
  const toTask: number[] = [];
  const toAccept: number[] = [];
  const acceptedToPosition: number[] = [];
  let inline = 0;
  let bySession = 0;
  const history = async (workflowId: string) => {
    try {
      return (await stack.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    } catch {
      return null;
    }
  };
  for (const order of entryOrders()) {
    const orderId = (order.identifier ?? '').replace(/-s\d+$/, '');
    const positionId = orderId.replace(/^ord-/, '').replace(/-1$/, '');
    const decided = decisionOf.get(positionId);
    const positionStarted = childStartedOf.get(positionId);
    if (decided === undefined || positionStarted === undefined) continue;
    const events = await history(positionId);
    const firstTask = events?.find((e) => e.workflowTaskStartedEventAttributes);
    if (!events || !firstTask) continue;
    total.push(order.createdAt - decided);
    // Started with the order already placed: the session placed it (PositionRequest.entryPlaced).
    const input = events[0].workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    const request = input ? defaultPayloadConverter.fromPayload<{ entryPlaced?: unknown }>(input) : {};
    if (request.entryPlaced) {
      bySession++;
      acceptedToPosition.push(positionStarted - order.createdAt);
      continue;
    }
    // No Order workflow of the entry's id: the position placed its entry itself.
    if (!(await history(orderId))) inline++;
    toPosition.push(positionStarted - decided);
    toTask.push(ms(firstTask) - positionStarted);
    toAccept.push(order.createdAt - ms(firstTask));
  }
  const figures = {
    bench: 'latency',
    layout,
    samples: total.length,
    entriesPlacedBy: { session: bySession, position: inline, orderChild: total.length - bySession - inline },
    signalToAcceptedMs: stats(total),
    // Placed by the session: the position starts after the order, so the parts are the order, then the start.
    placedBySession: { acceptedToPositionStartedMs: stats(acceptedToPosition) },
    // Placed by the position (the session's try failed, or an execution older than that): the hops before it.
    parts: {
      decisionToPositionStartedMs: stats(toPosition),
      positionStartedToItsFirstTaskMs: stats(toTask),
      firstTaskToAcceptedMs: stats(toAccept),
    },
    markets: MARKETS.length,
    ...(backtestRuns !== undefined && { backtestsCompletedBeside: backtestRuns }),
    wallSeconds: Math.round((Date.now() - t0) / 1000),
  };
  lines.push('latency from the session having the signal (evaluateSession completed) to the simulator accepting');
  lines.push(`the entry order, through the Temporal dev server on loopback (layout: ${layout}):`);
  lines.push(`  samples ${figures.samples} (wanted ${wanted})`);
  if (backtestRuns !== undefined)
    lines.push(
      `  with backtests running ${layout === 'split' ? 'in a backtest worker process beside it' : 'on the same worker'}: ${backtestRuns} completed`,
    );
  lines.push(`  total      p50 ${figures.signalToAcceptedMs.p50} ms  p99 ${figures.signalToAcceptedMs.p99} ms`);
  const by = figures.entriesPlacedBy;
  lines.push(
    `  placed by the session ${by.session}, by the position ${by.position}, by an Order child ${by.orderChild}`,
  );
  const part = (name: string, st: ReturnType<typeof stats>) =>
    lines.push(`  ${name.padEnd(34)} p50 ${st.p50}  p99 ${st.p99}`);
  if (by.session) part('acceptedToPositionStartedMs', figures.placedBySession.acceptedToPositionStartedMs);
  if (total.length > by.session) for (const [name, st] of Object.entries(figures.parts)) part(name, st);
  lines.push(JSON.stringify(figures));
  if (figures.samples < wanted) process.exitCode = 1;
} finally {
  for (const w of workers) await w.stop();
  await stack.stop();
}
// Printed after the stack stopped, so no worker log line comes after the JSON.
for (const line of lines) console.log(line);
