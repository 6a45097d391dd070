// A session that continues-as-new every few evaluations (Temporal suggests it after 60 history
// events here): the state it carries (evaluations, open positions, config changes, run count)
// survives each new run, positions opened before a new run report their close to it, and every
// run's history stays bounded. Also the `updateConfig` validator and pause/resume, through the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BAR_SETTLE_MS } from '../../core/session/schedule';
import { type SessionStatus, sessionStatusQuery } from '../../workflows/definitions';
import { sessionWorkflowId } from '../../workflows/ids';
import { eventually, type Stack, startStack } from '../stack';
import { callApi, openRisk, startProbeSession } from './harness';

/** Temporal's suggestion threshold in this test; one loop of the session adds well under 60 events. */
const SUGGEST_AFTER_EVENTS = 60;
const RUN_HISTORY_BOUND = 3 * SUGGEST_AFTER_EVENTS;
/** Positions the session may hold; it trades more markets so each entry need not wait on one market's minute closing up. */
const MAX_OPEN = 2;
const MARKETS = ['KRW-XRP', 'KRW-DOGE', 'KRW-SOL', 'KRW-ADA', 'KRW-ETH', 'KRW-TRX'];

let stack: Stack;
let id: string;

const status = (sessionId = id): Promise<SessionStatus> =>
  stack.client.workflow.getHandle(sessionWorkflowId(sessionId)).query(sessionStatusQuery);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Time between consecutive evaluations, watched for `ms` through the status query. */
/**
 * Gaps between consecutive evaluations seen over `ms`, leaving out those that end at a bar close: the
 * probe's 1-minute bars are judged one second after they close, whatever the loop interval (schedule.ts).
 */
async function evaluationGaps(ms: number): Promise<number[]> {
  const seen: number[] = [];
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const ts = (await status()).lastEvaluationTs;
    if (ts !== null && ts !== seen[seen.length - 1]) seen.push(ts);
    await sleep(200);
  }
  const atBarClose = (ts: number) => ts % 60_000 >= BAR_SETTLE_MS && ts % 60_000 < BAR_SETTLE_MS + 2_000;
  return seen
    .slice(1)
    .map((t, i) => ({ gap: t - seen[i], atBarClose: atBarClose(t) }))
    .filter((g) => !g.atBarClose)
    .map((g) => g.gap);
}

async function runsOf(sessionId: string) {
  const runs: { runId: string; status: string; events: number; lastEvent: string }[] = [];
  for await (const wf of stack.client.workflow.list({ query: `WorkflowId = '${sessionWorkflowId(sessionId)}'` })) {
    const history = await stack.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    const events = history.events ?? [];
    const last = events[events.length - 1];
    runs.push({
      runId: wf.runId,
      status: wf.status.name,
      events: events.length,
      lastEvent: Object.keys(last ?? {}).find((k) => k.endsWith('Attributes')) ?? '',
    });
  }
  return runs;
}

beforeAll(async () => {
  stack = await startStack({ dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': SUGGEST_AFTER_EVENTS } });
  await stack.startWorkers();
  id = await startProbeSession(stack, 'can', {
    markets: MARKETS,
    loopIntervalSec: 1,
    order: { timeoutSec: 10, fallbackToMarket: true, maxSlippagePct: 5, entryTicksAboveBid: 0 },
    // Positions stay open until the test moves the price through the 3 % target.
    risk: openRisk({
      maxOpenPositions: MAX_OPEN,
      exit: {
        stopMode: 'pct',
        stopPct: 10,
        takeProfit: [{ atPct: 3, fraction: 1 }],
        trailingAtrMultiple: 0,
        blowOffRsi: 0,
        timeExitBars: 0,
      },
    }),
  });
});

afterAll(async () => {
  await stack?.stop();
});

describe('session config update and pause/resume through the API', () => {
  it('applies a valid config change, which the workflow uses', async () => {
    await eventually(async () => (await status()).evaluations >= 2, 60_000, 'two evaluations');
    const res = await callApi<{ loopIntervalSec: number; order: { timeoutSec: number } }>(
      stack,
      'PATCH',
      `/api/sessions/${id}/config`,
      { loopIntervalSec: 3, order: { timeoutSec: 17 } },
    );
    expect(res.status).toBe(200);
    expect(res.body.loopIntervalSec).toBe(3);
    expect(res.body.order.timeoutSec).toBe(17);
    expect((await status()).config.loopIntervalSec).toBe(3);
    // The loop now waits 3 s between evaluations (once the timer armed before the change has fired).
    const last = (await status()).evaluations;
    await eventually(async () => (await status()).evaluations > last + 1, 10_000, 'evaluations after the change');
    const gaps = await evaluationGaps(12_000);
    expect(gaps.length).toBeGreaterThanOrEqual(2);
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(3_000);
    const history = await stack.db.prisma.configHistory.findMany({ where: { sessionId: id, reason: 'updateConfig' } });
    expect(history.length).toBe(1);
    // Back to 1 s so the session continues-as-new quickly in the tests below.
    expect((await callApi(stack, 'PATCH', `/api/sessions/${id}/config`, { loopIntervalSec: 1 })).status).toBe(200);
  });

  it.each([
    [{ loopIntervalSec: -1 }, 'loopIntervalSec'],
    [{ loopIntervalSecs: 2 }, 'loopIntervalSecs: unknown field'],
    [{ risk: { riskPerTradePct: 50 } }, 'riskPerTradePct'],
    [{ mode: 'paper' }, 'mode'],
    [{ order: { timeoutSec: 'soon' } }, 'order.timeoutSec'],
  ])('rejects %j with 400 and the reason', async (patch, reason) => {
    const before = (await status()).config;
    const res = await callApi<{ error?: string; message?: string }>(
      stack,
      'PATCH',
      `/api/sessions/${id}/config`,
      patch,
    );
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain(reason);
    expect((await status()).config).toEqual(before);
  });

  it('pause stops evaluations and resume starts them again', async () => {
    expect((await callApi(stack, 'POST', `/api/sessions/${id}/pause`)).status).toBe(202);
    await eventually(async () => (await status()).status === 'paused', 10_000, 'status paused');
    const frozen = (await status()).evaluations;
    await sleep(3_000);
    expect((await status()).evaluations).toBe(frozen);
    expect((await status()).paused).toBe(true);
    expect((await callApi(stack, 'POST', `/api/sessions/${id}/resume`)).status).toBe(202);
    await eventually(async () => (await status()).status === 'running', 10_000, 'status running');
    await eventually(async () => (await status()).evaluations > frozen, 10_000, 'evaluations after resume');
  });
});

describe('continue-as-new', () => {
  it('carries state across runs; positions opened before a new run report their close to it', async () => {
    const handle = stack.client.workflow.getHandle(sessionWorkflowId(id));
    const open = await eventually(
      async () => {
        const s = await status();
        return s.openPositions.length === MAX_OPEN ? s : undefined;
      },
      120_000,
      `${MAX_OPEN} open positions`,
    );
    const openIds = open.openPositions.map((p) => p.positionId).sort();
    const runBefore = (await handle.describe()).runId;

    // Wait for a new run; it still tracks the positions and counts on.
    await eventually(async () => (await handle.describe()).runId !== runBefore, 60_000, 'continue-as-new');
    const after = await status();
    expect(after.runsSoFar).toBeGreaterThan(open.runsSoFar);
    expect(after.evaluations).toBeGreaterThanOrEqual(open.evaluations);
    expect(after.openPositions.map((p) => p.positionId).sort()).toEqual(openIds);
    expect(after.config.order.timeoutSec).toBe(17);
    await eventually(async () => (await status()).evaluations > after.evaluations, 10_000, 'evaluations go on');

    // Move the held markets through the 3 % target: the positions close and tell the new run.
    for (const market of open.openPositions.map((p) => p.market)) {
      const price = Number((await stack.exchange('sim').ticker([market]))[0]?.trade_price);
      const res = await fetch(`${stack.sim.baseUrl}/admin/price`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ market, price: price * 1.06 }),
      });
      expect(res.ok).toBe(true);
    }
    const closed = await eventually(
      async () => {
        const s = await status();
        return openIds.every((p) => !s.openPositions.some((o) => o.positionId === p)) ? s : undefined;
      },
      60_000,
      'the positions to report their close',
    );
    expect(closed.closedPositions).toBeGreaterThanOrEqual(open.closedPositions + openIds.length);
    const rows = await stack.db.prisma.position.findMany({ where: { id: { in: openIds } } });
    expect(rows.map((r) => r.status)).toEqual(openIds.map(() => 'closed'));

    // The chain: several runs, each one's history bounded, each earlier one ended by continue-as-new.
    const runs = await runsOf(id);
    console.log(`session runs: ${runs.map((r) => `${r.status}:${r.events}`).join(' ')}`);
    expect(runs.length).toBeGreaterThan(1);
    for (const r of runs) expect(r.events).toBeLessThanOrEqual(RUN_HISTORY_BOUND);
    for (const r of runs.filter((x) => x.status !== 'RUNNING'))
      expect(r.lastEvent).toBe('workflowExecutionContinuedAsNewEventAttributes');
  }, 260_000);

  it('a paused session continues-as-new too (its timer loop would otherwise grow the history without end)', async () => {
    const handle = stack.client.workflow.getHandle(sessionWorkflowId(id));
    expect((await callApi(stack, 'POST', `/api/sessions/${id}/pause`)).status).toBe(202);
    await eventually(async () => (await status()).status === 'paused', 10_000, 'status paused');
    const pausedRun = (await handle.describe()).runId;
    // One paused loop adds about five events (timer, workflow task): 25 s is two thresholds' worth.
    await sleep(25_000);
    const events =
      (await stack.client.workflow.getHandle(sessionWorkflowId(id), pausedRun).fetchHistory()).events ?? [];
    const current = await handle.describe();
    console.log(`paused run ${pausedRun}: ${events.length} events; current run ${current.runId}`);
    expect(current.runId).not.toBe(pausedRun);
    expect((await callApi(stack, 'POST', `/api/sessions/${id}/resume`)).status).toBe(202);
  }, 60_000);

  it('rejects an unknown strategy or out-of-range strategy parameters (they would fail every evaluation)', async () => {
    // A session of its own: if the change got through, this session's evaluations would fail.
    const other = await startProbeSession(stack, 'validator', { markets: ['KRW-XRP'], loopIntervalSec: 1 });
    await eventually(async () => (await status(other)).evaluations >= 1, 60_000, 'an evaluation');
    for (const patch of [{ strategy: 'no-such-strategy' }, { strategyParams: { targetPct: 999 } }]) {
      const res = await callApi(stack, 'PATCH', `/api/sessions/${other}/config`, patch);
      expect(`${JSON.stringify(patch)} -> ${res.status}`).toBe(`${JSON.stringify(patch)} -> 400`);
    }
    const before = (await status(other)).evaluations;
    await eventually(async () => (await status(other)).evaluations > before, 15_000, 'evaluations go on');
    expect(
      (await callApi(stack, 'POST', `/api/sessions/${other}/emergency-stop`, { mode: 'halt', confirm: other })).status,
    ).toBe(202);
  }, 120_000);

  it('stops on emergency flatten with every position closed', async () => {
    expect(
      (await callApi(stack, 'POST', `/api/sessions/${id}/emergency-stop`, { mode: 'flatten', confirm: id })).status,
    ).toBe(202);
    const result = (await stack.client.workflow.getHandle(sessionWorkflowId(id)).result()) as SessionStatus;
    expect(result.status).toBe('stopped');
    expect(result.openPositions).toEqual([]);
    expect(result.runsSoFar).toBeGreaterThan(1);
    // Selling every position through its Order workflow takes seconds alone; a loaded CI machine took over 120 s.
  }, 300_000);
});
