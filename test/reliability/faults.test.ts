// Exchange faults during a running session: the simulator answers with 429 bursts, a share of 5xx,
// added latency, dropped WebSocket connections and stalled fills, one phase after another, while a
// probe session trades four markets with short order timeouts. Afterwards: no order lost or doubled
// (exchange = database = Order workflow results), every position closed and never open without its
// exit plan, and the faults left a trace as risk events / alerts.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultConfig } from '../../exchange/sim/faults';
import { type PositionStatus, positionStatusQuery, sessionStatusQuery } from '../../workflows/definitions';
import { sessionWorkflowId } from '../../workflows/ids';
import { type Stack, startStack } from '../stack';
import { auditOrders, callApi, openRisk, startProbeSession } from './harness';

const PHASE_MS = 37_000;
const MARKETS = ['KRW-XRP', 'KRW-DOGE', 'KRW-SOL', 'KRW-ADA'];

let stack: Stack;
let webhook: Server;
const alerts: string[] = [];

async function setFaults(faults: FaultConfig | null) {
  const res = await fetch(`${stack.sim.baseUrl}/admin/faults`, {
    method: faults ? 'POST' : 'DELETE',
    headers: faults ? { 'content-type': 'application/json' } : {},
    body: faults ? JSON.stringify(faults) : undefined,
  });
  if (!res.ok) throw new Error(`faults not set: ${res.status} ${await res.text()}`);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

beforeAll(async () => {
  // The local webhook server stands in for Slack (alert hosts are allow-listed).
  process.env.ALERT_ALLOW_HOSTS = '127.0.0.1';
  webhook = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => {
      alerts.push(String(JSON.parse(data).text));
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
  stack = await startStack();
  await stack.startWorkers();
});

afterAll(async () => {
  await stack?.stop();
  webhook?.close();
});

describe('exchange faults during a session', () => {
  it('loses and doubles no order, leaves no position without its exit plan, and records the faults', async () => {
    const hook = `http://127.0.0.1:${(webhook.address() as { port: number }).port}/slack`;
    expect(
      (await callApi(stack, 'POST', '/api/alert-channels', { kind: 'slack', target: { webhookUrl: hook } })).status,
    ).toBe(201);
    const id = await startProbeSession(stack, 'faults', {
      markets: MARKETS,
      loopIntervalSec: 2,
      order: { timeoutSec: 4, fallbackToMarket: true, maxSlippagePct: 5, entryTicksAboveBid: 0 },
      risk: openRisk({
        maxOpenPositions: 4,
        // Short-lived positions: tight stop and target, and a time exit after 20 s.
        exit: {
          stopMode: 'pct',
          stopPct: 0.15,
          takeProfit: [{ atPct: 0.15, fraction: 1 }],
          trailingAtrMultiple: 0,
          blowOffRsi: 0,
          timeExitBars: 1,
          timeExitMinProgressPct: 50,
          barMs: 20_000,
        },
      }),
    });
    const session = stack.client.workflow.getHandle(sessionWorkflowId(id));

    // Samples open positions while the faults run: an open position must carry its exit plan.
    const seen = { open: 0, withoutPlan: [] as string[], positions: new Set<string>() };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        try {
          const status = await session.query(sessionStatusQuery);
          for (const { positionId } of status.openPositions) {
            seen.positions.add(positionId);
            const p: PositionStatus = await stack.client.workflow.getHandle(positionId).query(positionStatusQuery);
            if (p.phase === 'open') {
              seen.open += 1;
              if (!p.exitPlan) seen.withoutPlan.push(positionId);
            }
          }
        } catch {
          // A position may end between the two queries.
        }
        await sleep(1_000);
      }
    })();

    const phases: { name: string; run: () => Promise<void> }[] = [
      {
        name: '429 bursts',
        run: async () => {
          for (let t = 0; t < PHASE_MS; t += 6_000) {
            await setFaults({ burst429: 12 });
            await sleep(6_000);
          }
        },
      },
      { name: '5xx', run: () => setFaults({ errorRate: 0.15 }).then(() => sleep(PHASE_MS)) },
      { name: 'latency', run: () => setFaults({ latencyMs: 300, latencyJitterMs: 500 }).then(() => sleep(PHASE_MS)) },
      {
        name: 'WebSocket drops',
        run: async () => {
          await setFaults({ wsDropRate: 0.002 });
          for (let t = 0; t < PHASE_MS; t += 9_000) {
            await fetch(`${stack.sim.baseUrl}/admin/ws/drop`, { method: 'POST' });
            await sleep(9_000);
          }
        },
      },
      { name: 'stalled fills', run: () => setFaults({ stallFillsMs: 6_000 }).then(() => sleep(PHASE_MS)) },
    ];
    const startedAt = Date.now();
    for (const phase of phases) {
      await setFaults(null);
      await phase.run();
      console.log(`phase "${phase.name}" done at ${Math.round((Date.now() - startedAt) / 1000)} s`);
    }
    await setFaults(null);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(180_000);
    // The session survived the faults: still running (a failure would show its reason here).
    const described = await session.describe();
    const lastEvent = (await session.fetchHistory()).events?.at(-1);
    const failure = lastEvent?.workflowExecutionFailedEventAttributes?.failure;
    expect(`${described.status.name} ${failure?.message ?? ''} ${failure?.cause?.message ?? ''}`.trim()).toBe(
      'RUNNING',
    );
    expect((await session.query(sessionStatusQuery)).status).toBe('running');

    // Emergency flatten, then the session ends with nothing open.
    expect(
      (await callApi(stack, 'POST', `/api/sessions/${id}/emergency-stop`, { mode: 'flatten', confirm: id })).status,
    ).toBe(202);
    const result = (await session.result()) as { status: string; openPositions: unknown[] };
    sampling = false;
    await sampler;
    expect(result.status).toBe('stopped');
    expect(result.openPositions).toEqual([]);

    // Positions: several were opened and sampled open, none without its exit plan, all closed.
    expect(seen.open).toBeGreaterThan(0);
    expect(seen.withoutPlan).toEqual([]);
    const positions = await stack.db.prisma.position.findMany({ where: { sessionId: id } });
    // How many the probe opens depends on the simulated prices in those three minutes (a market whose last bar
    // closed up): 3 to 11 were seen in full runs. What matters is that trading went on through the faults.
    expect(positions.length).toBeGreaterThanOrEqual(2);
    expect(positions.filter((p) => p.status !== 'closed').map((p) => `${p.id}: ${p.status}`)).toEqual([]);
    for await (const wf of stack.client.workflow.list({ query: `WorkflowId STARTS_WITH 'pos-${id}-'` }))
      expect(`${wf.workflowId} ${wf.status.name}`).toBe(`${wf.workflowId} COMPLETED`);

    // Orders: exchange = database = workflow results, one submit order per Order workflow.
    const audit = await auditOrders(stack, id);
    console.log(`orders: ${audit.exchangeOrders} on the exchange from ${audit.orderWorkflows} Order workflows`);
    expect(audit.problems).toEqual([]);
    // Entries are placed by the position itself (no Order workflow); each position that bought sells through one.
    const bought = positions.filter((p) => !/^entry (not filled|rejected)/.test(p.exitReason ?? ''));
    expect(audit.orderWorkflows).toBeGreaterThanOrEqual(bought.length);

    // Faults are visible: stream reconnects as risk events and alerts.
    const events = (await callApi<{ kind: string; sessionId: string | null }[]>(stack, 'GET', '/api/risk-events')).body;
    const kinds = new Map<string, number>();
    for (const e of events) kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
    console.log(`risk events by kind: ${JSON.stringify(Object.fromEntries(kinds))}`);
    console.log(`alerts received: ${alerts.length}; ${alerts.slice(0, 5).join(' | ')}`);
    expect(kinds.get('stream_reconnect') ?? 0).toBeGreaterThanOrEqual(1);
    // 429 bursts and 5xx reach the dashboard and the channels as exchange_degraded summaries.
    expect(kinds.get('exchange_degraded') ?? 0).toBeGreaterThanOrEqual(1);
    expect(alerts.some((a) => a.includes('exchange_degraded'))).toBe(true);
    expect(kinds.get('emergency_flatten')).toBe(1);
    expect(alerts.some((a) => a.includes('stream_reconnect'))).toBe(true);
    console.log(
      `positions: ${positions.length} (${seen.positions.size} seen open by the sampler, ${seen.open} samples)`,
    );
  }, 330_000);
});
