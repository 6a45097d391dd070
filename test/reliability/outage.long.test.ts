// A seven-minute exchange outage (every REST call failing, WebSocket connections refused) while orders
// sit at each step of their lives: an entry resting on the book, a position whose stop is crossed
// during the outage, a limit order whose timeout (and cancel) falls inside it, and one whose market
// fallback does. Afterwards no workflow failed, no order was placed twice, every coin is accounted
// for, and the outage raised critical alerts. Runs in `npm run test:long` (about ten minutes).
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EXIT_CONFIG } from '../../core/risk/config';
import {
  type OrderRequest,
  type OrderResult,
  type PositionRequest,
  type PositionStatus,
  positionStatusQuery,
} from '../../workflows/definitions';
import { orderIdOfIdentifier, orderWorkflowId, positionWorkflowId, TASK_QUEUE_TRADING } from '../../workflows/ids';
import { eventually, type Stack, startStack } from '../stack';
import { simOrders } from './harness';

const SESSION = 'outage';
const MARKET = 'KRW-XRP';
const OUTAGE_SECONDS = 7 * 60;
let stack: Stack;

async function admin(path: string, method: string, body?: unknown) {
  const res = await fetch(`${stack.sim.baseUrl}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

const setPrice = (price: number) => admin('/admin/price', 'POST', { market: MARKET, price });

async function xrp(): Promise<Decimal> {
  const a = (await stack.exchange('sim').accounts()).find((x) => x.currency === 'XRP');
  return a ? new Decimal(a.balance).plus(a.locked) : new Decimal(0);
}

function order(n: number, over: Partial<OrderRequest>): OrderRequest {
  return {
    sessionId: SESSION,
    positionId: null,
    mode: 'sim',
    market: MARKET,
    side: 'bid',
    ordType: 'limit',
    price: '2900',
    volume: '20',
    timeoutSec: 600,
    fallbackToMarket: false,
    maxSlippagePct: 5,
    minTotalKrw: '5000',
    notAfterTs: Date.now() + 60_000,
    purpose: 'entry',
    reason: `outage ${n}`,
    ...over,
  };
}

beforeAll(async () => {
  stack = await startStack({ sim: { tickMs: 3_600_000 } });
  await stack.startWorkers();
  await stack.db.prisma.session.create({
    data: { id: SESSION, name: SESSION, mode: 'sim', strategy: 'probe', status: 'running', config: {} },
  });
  await setPrice(3000);
});

afterAll(async () => {
  await stack?.stop();
});

describe('a seven-minute exchange outage', () => {
  it('fails no workflow, doubles no order, loses no coin, and raises critical alerts', async () => {
    const xrpBefore = await xrp();
    const start = (id: string, workflow: string, args: unknown[]) =>
      stack.client.workflow.start(workflow, { taskQueue: TASK_QUEUE_TRADING, workflowId: id, args });
    const ids = {
      resting: orderWorkflowId(`${SESSION}-resting`, 1),
      cancel: orderWorkflowId(`${SESSION}-cancel`, 1),
      fallback: orderWorkflowId(`${SESSION}-fallback`, 1),
    };

    // A position, open before the outage, whose 1 % stop is crossed during it.
    const position: PositionRequest = {
      sessionId: SESSION,
      sessionWorkflowId: `session-${SESSION}`,
      positionId: positionWorkflowId(SESSION, MARKET, 1),
      mode: 'sim',
      market: MARKET,
      entryPrice: '3010',
      entryVolume: '30',
      atr: null,
      entryReasons: ['outage test'],
      exit: {
        ...DEFAULT_EXIT_CONFIG,
        stopMode: 'pct',
        stopPct: 1,
        trailingAtrMultiple: 0,
        blowOffRsi: 0,
        timeExitBars: 0,
      },
      order: { timeoutSec: 10, fallbackToMarket: false, maxSlippagePct: 1, entryTicksAboveBid: 0 },
      marketMinTotal: '5000',
    };
    const pos = await start(position.positionId, 'positionWorkflow', [position]);
    await eventually(
      async () => ((await pos.query(positionStatusQuery)) as PositionStatus).phase === 'open',
      30_000,
      'the position to open',
    );
    // An entry resting below the market for the whole outage; one whose timeout and cancel fall in it;
    // one whose fallback does.
    const resting = await start(ids.resting, 'orderWorkflow', [order(1, {})]);
    const cancel = await start(ids.cancel, 'orderWorkflow', [order(2, { timeoutSec: 40 })]);
    const fallback = await start(ids.fallback, 'orderWorkflow', [order(3, { timeoutSec: 60, fallbackToMarket: true })]);
    await eventually(async () => simOrders(stack, `ord-${SESSION}-`).length >= 3, 30_000, 'the three orders to rest');

    await admin('/admin/faults', 'POST', { outageSeconds: OUTAGE_SECONDS });
    const outageEnds = Date.now() + OUTAGE_SECONDS * 1000;
    await setPrice(2950); // crosses the position's stop while nobody can see it
    await new Promise((r) => setTimeout(r, outageEnds - Date.now() + 1_000));
    expect((await admin('/admin/faults', 'GET')).outageSeconds).toBeUndefined();

    // After the outage: the cancelled order, the fallback and the stop finish by themselves.
    const cancelled = (await cancel.result()) as OrderResult;
    expect(cancelled.outcome).toBe('unfilled');
    const fellBack = (await fallback.result()) as OrderResult;
    expect(new Decimal(fellBack.executedVolume).gt(0)).toBe(true);
    const closed = (await pos.result()) as PositionStatus;
    expect(closed.phase).toBe('closed');
    expect(closed.remainingVolume).toBe('0');
    // The resting entry is still being followed: the market trades through it and it fills.
    await setPrice(2890);
    const filled = (await resting.result()) as OrderResult;
    expect(filled.outcome).toBe('filled');

    // No workflow failed, in this test or below it.
    for await (const wf of stack.client.workflow.list({
      query: `WorkflowId STARTS_WITH 'ord-' OR WorkflowId STARTS_WITH 'pos-'`,
    }))
      expect({ id: wf.workflowId, status: wf.status.name }).toEqual({ id: wf.workflowId, status: 'COMPLETED' });
    // No order placed twice: per Order workflow one submit order and at most one fallback.
    const placed = simOrders(stack, 'ord-');
    const perWorkflow = new Map<string, string[]>();
    for (const o of placed) {
      const wf = orderIdOfIdentifier(o.identifier ?? '') ?? '?';
      perWorkflow.set(wf, [...(perWorkflow.get(wf) ?? []), o.identifier ?? '']);
    }
    for (const [wf, identifiers] of perWorkflow) {
      expect(
        identifiers.filter((i) => /-s\d+$/.test(i)),
        wf,
      ).toHaveLength(1);
      expect(identifiers.filter((i) => /-m\d+$/.test(i)).length, wf).toBeLessThanOrEqual(1);
    }
    // Every coin accounted for: the position sold all it bought; the account holds exactly what the
    // standalone entries bought.
    const bought = [cancelled, fellBack, filled].reduce((s, r) => s.plus(r.executedVolume), new Decimal(0));
    expect((await xrp()).minus(xrpBefore).toFixed()).toBe(bought.toFixed());
    // The outage raised critical alerts while orders were in flight.
    const critical = await stack.db.prisma.riskEvent.count({
      where: { kind: 'exchange_unreachable', severity: 'critical' },
    });
    expect(critical).toBeGreaterThan(0);
  });
});
