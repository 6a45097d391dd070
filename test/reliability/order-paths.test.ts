// Order and position paths against the real simulator, with the market frozen and moved by hand:
// the market fallback of an entry whose timeout outlasts its placement deadline, the fallback's
// price cap, and a time exit that keeps what the guard saw (highest price, trailing stop).
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EXIT_CONFIG } from '../../core/risk/config';
import type { ExitPlan } from '../../core/risk/types';
import { keysFor } from '../../exchange/provider';
import {
  type OrderRequest,
  type OrderResult,
  type PositionRequest,
  type PositionStatus,
  positionStatusQuery,
} from '../../workflows/definitions';
import { orderWorkflowId, positionWorkflowId, TASK_QUEUE_TRADING } from '../../workflows/ids';
import { eventually, type Stack, startStack } from '../stack';

const SESSION = 'order-paths';
const MARKET = 'KRW-XRP';
let stack: Stack;

async function setPrice(price: number) {
  const res = await fetch(`${stack.sim.baseUrl}/admin/price`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ market: MARKET, price }),
  });
  if (!res.ok) throw new Error(`price not set: ${await res.text()}`);
}

async function setFaults(faults: Record<string, unknown> | null) {
  const res = await fetch(`${stack.sim.baseUrl}/admin/faults`, {
    method: faults ? 'POST' : 'DELETE',
    headers: faults ? { 'content-type': 'application/json' } : {},
    body: faults ? JSON.stringify(faults) : undefined,
  });
  if (!res.ok) throw new Error(`faults not set: ${await res.text()}`);
}

async function book() {
  const [b] = await stack.exchange('sim').orderbook([MARKET]);
  return b.orderbook_units;
}

async function holdingOf(currency: string): Promise<string> {
  const a = (await stack.exchange('sim').accounts()).find((x) => x.currency === currency);
  return a ? new Decimal(a.balance).plus(a.locked).toFixed() : '0';
}

function entryOrder(n: number, over: Partial<OrderRequest>): OrderRequest {
  return {
    sessionId: SESSION,
    positionId: null,
    mode: 'sim',
    market: MARKET,
    side: 'bid',
    ordType: 'limit',
    timeoutSec: 3,
    fallbackToMarket: true,
    maxSlippagePct: 5,
    minTotalKrw: '5000',
    purpose: 'entry',
    reason: `test ${n}`,
    ...over,
  };
}

function runOrder(n: number, req: OrderRequest, workflowId = orderWorkflowId(`test-${SESSION}-${Date.now()}`, n)) {
  return stack.client.workflow.execute('orderWorkflow', { taskQueue: TASK_QUEUE_TRADING, workflowId, args: [req] });
}

/** The exchange's fills of one Order workflow's fallback order(s). */
async function fallbackFills(result: OrderResult) {
  const client = stack.exchange('sim');
  const orders = await Promise.all(result.exchangeUuids.map((uuid) => client.getOrder({ uuid })));
  return orders.filter((o) => /-m\d+$/.test(o.identifier ?? '')).flatMap((o) => o.trades);
}

beforeAll(async () => {
  // A frozen market: only the test moves it.
  // Enough KRW that a fallback deeper than the book's first level is never refused for funds.
  const keys = await keysFor('sim')();
  stack = await startStack({ sim: { tickMs: 3_600_000, accounts: [{ ...keys, krw: '100000000' }] } });
  await stack.startWorkers();
  await stack.db.prisma.session.create({
    data: { id: SESSION, name: SESSION, mode: 'sim', strategy: 'probe', status: 'running', config: {} },
  });
  await setPrice(3000);
});

afterAll(async () => {
  await stack?.stop();
});

describe('entry fallback', () => {
  it('falls back after a timeout that ends past the placement deadline (the decision, not the deadline, dates it)', async () => {
    const [top] = await book();
    const limit = new Decimal(top.bid_price).minus(20);
    const result = await runOrder(
      1,
      entryOrder(1, {
        price: limit.toFixed(),
        volume: '20',
        // The limit rests unfilled for its whole timeout, which ends after the placement deadline.
        timeoutSec: 4,
        notAfterTs: Date.now() + 1_000,
      }),
    );
    const fills = await fallbackFills(result);
    expect(fills.length).toBeGreaterThan(0);
    expect(new Decimal(result.executedVolume).gt(0)).toBe(true);
  });

  it('never pays more than the slippage guard allows, however deep the rest goes into the book', async () => {
    const units = await book();
    const [top, second] = units;
    expect(new Decimal(second.ask_price).gt(top.ask_price)).toBe(true);
    const limit = new Decimal(top.bid_price).minus(3);
    // The guard's price lies between the first and second ask levels.
    const capPrice = new Decimal(top.ask_price).plus(new Decimal(second.ask_price).minus(top.ask_price).div(2));
    const maxSlippagePct = capPrice.minus(limit).div(limit).mul(100).toDecimalPlaces(4, Decimal.ROUND_DOWN);
    // Deeper than the first level.
    const volume = new Decimal(top.ask_size).mul(1.5).toDecimalPlaces(0, Decimal.ROUND_UP);
    const result = await runOrder(
      2,
      entryOrder(2, {
        price: limit.toFixed(),
        volume: volume.toFixed(),
        maxSlippagePct: maxSlippagePct.toNumber(),
        notAfterTs: Date.now() + 60_000,
      }),
    );
    const fills = await fallbackFills(result);
    expect(fills.length).toBeGreaterThan(0);
    for (const f of fills) expect(new Decimal(f.price).lte(capPrice)).toBe(true);
    // The rest deeper than the guard stays unbought.
    expect(new Decimal(result.executedVolume).lt(volume)).toBe(true);
    // Restore the book the first level's sale took.
    await setPrice(3000);
  });
});

function positionRequest(n: number, entry: Decimal, exit: Record<string, unknown>): PositionRequest {
  return {
    sessionId: SESSION,
    sessionWorkflowId: `session-${SESSION}`,
    positionId: positionWorkflowId(SESSION, MARKET, n),
    mode: 'sim',
    market: MARKET,
    entryPrice: entry.toFixed(),
    entryVolume: '40',
    atr: 100,
    entryReasons: ['test'],
    exit: { ...DEFAULT_EXIT_CONFIG, stopMode: 'pct', stopPct: 5, blowOffRsi: 0, ...exit },
    order: { timeoutSec: 5, fallbackToMarket: false, maxSlippagePct: 1, entryTicksAboveBid: 0 },
    marketMinTotal: '5000',
  };
}

describe('an entry that buys nothing', () => {
  it('closes the position with the reason, and the workflow completes', async () => {
    await setPrice(3000);
    const [top] = await book();
    // 1 XRP at about 3,000 KRW is below the exchange's minimum total: the entry is refused.
    const req = { ...positionRequest(4, new Decimal(top.ask_price), {}), entryVolume: '1' };
    const closed = (await stack.client.workflow.execute('positionWorkflow', {
      taskQueue: TASK_QUEUE_TRADING,
      workflowId: req.positionId,
      args: [req],
    })) as PositionStatus;
    expect(closed.phase).toBe('closed');
    expect(closed.exitReason).toMatch(/^entry rejected/);
    expect(closed.realizedPnl).toBe('0');
  }, 120_000);
});

describe('an exit the exchange refuses', () => {
  it('is tried again until the coins are sold; the position never closes on paper with coins left', async () => {
    await setPrice(3000);
    const [top] = await book();
    const req = positionRequest(2, new Decimal(top.ask_price), { timeExitBars: 0, trailingAtrMultiple: 0 });
    const handle = await stack.client.workflow.start('positionWorkflow', {
      taskQueue: TASK_QUEUE_TRADING,
      workflowId: req.positionId,
      args: [req],
    });
    const status = () => handle.query(positionStatusQuery) as Promise<PositionStatus>;
    await eventually(async () => (await status()).phase === 'open', 20_000, 'the entry to fill');
    // Another order of the account locks the coins (as a trader's own order on the exchange would):
    // the exit's market sell is refused for want of free coins.
    const client = stack.exchange('sim');
    // Every free coin of the account is locked (earlier tests left some beside the position's).
    const free = (await client.accounts()).find((a) => a.currency === 'XRP')?.balance ?? '0';
    const locking = await client.createOrder({
      market: MARKET,
      side: 'ask',
      ord_type: 'limit',
      price: '6000',
      volume: free,
    });
    await handle.signal('exitPosition', { reason: 'stop' });
    await eventually(
      () => stack.db.prisma.riskEvent.findFirst({ where: { sessionId: SESSION, kind: 'exit_not_filled' } }),
      30_000,
      'a critical event for the refused exit',
    );
    expect((await status()).phase).not.toBe('closed');
    await client.cancelOrder({ uuid: locking.uuid });
    const closed = (await handle.result()) as PositionStatus;
    expect(closed.remainingVolume).toBe('0');
    expect(closed.exitReason).toContain('stop');
    const row = await stack.db.prisma.position.findUniqueOrThrow({ where: { id: req.positionId } });
    expect(row.status).toBe('closed');
    expect(new Decimal(row.remainingVolume.toString()).isZero()).toBe(true);
    // The realised PnL covers the whole volume: proceeds of everything sold minus the full entry cost.
    const orders = await stack.db.prisma.order.findMany({ where: { positionId: req.positionId } });
    const sum = (side: string, f: (o: (typeof orders)[number]) => Decimal) =>
      orders.filter((o) => o.side === side).reduce((acc, o) => acc.plus(f(o)), new Decimal(0));
    const fills = await stack.db.prisma.fill.findMany({ where: { order: { positionId: req.positionId } } });
    const funds = (side: string) =>
      fills
        .filter((f) => orders.find((o) => o.id === f.orderId)?.side === side)
        .reduce((acc, f) => acc.plus(f.funds.toString()), new Decimal(0));
    const fees = sum('bid', (o) => new Decimal(o.paidFee.toString())).plus(
      sum('ask', (o) => new Decimal(o.paidFee.toString())),
    );
    const expected = funds('ask').minus(funds('bid')).minus(fees);
    expect(new Decimal(closed.realizedPnl).minus(expected).abs().lt('0.000001')).toBe(true);
  }, 180_000);
});

describe('exactly once', () => {
  it('places one order when the reply to the first was lost and lookups lag behind the exchange', async () => {
    await setPrice(3000);
    const [top] = await book();
    const workflowId = orderWorkflowId(`test-${SESSION}-once`, 1);
    // The POST is executed but its reply lost; for 8 s no lookup (by uuid, identifier or list) sees it.
    await setFaults({ lookupLagMs: 8_000, loseNextReplies: 1, lostReplyMode: '500' });
    try {
      const result = await runOrder(
        3,
        entryOrder(3, { price: top.ask_price.toString(), volume: '20', notAfterTs: Date.now() + 60_000 }),
        workflowId,
      );
      expect(new Decimal(result.executedVolume).gt(0)).toBe(true);
    } finally {
      await setFaults(null);
    }
    const account = stack.sim.engine.accounts.get(stack.sim.keys.accessKey);
    const placed = [...(account?.orders.values() ?? [])].filter((o) => o.identifier?.startsWith(workflowId));
    expect(placed.map((o) => o.identifier)).toEqual([`${workflowId}-s1`]);
  }, 180_000);
});

describe('a stop-loss sell during maintenance', () => {
  it('is refused while the market is offline, then sells every coin when it is back, the loss in the PnL', async () => {
    await setPrice(3000);
    const [top] = await book();
    const xrpBefore = await holdingOf('XRP');
    const refusedBefore = await stack.db.prisma.riskEvent.count({
      where: { sessionId: SESSION, kind: 'exit_not_filled' },
    });
    const req = positionRequest(3, new Decimal(top.ask_price), { stopPct: 1, timeExitBars: 0, trailingAtrMultiple: 0 });
    const handle = await stack.client.workflow.start('positionWorkflow', {
      taskQueue: TASK_QUEUE_TRADING,
      workflowId: req.positionId,
      args: [req],
    });
    const status = () => handle.query(positionStatusQuery) as Promise<PositionStatus>;
    await eventually(async () => (await status()).phase === 'open', 20_000, 'the entry to fill');
    await setFaults({ marketOffline: [MARKET] });
    try {
      await setPrice(2900); // below the 1 % stop
      await eventually(
        async () =>
          (await stack.db.prisma.riskEvent.count({ where: { sessionId: SESSION, kind: 'exit_not_filled' } })) >
          refusedBefore,
        30_000,
        'the refused stop to be raised',
      );
      expect((await status()).phase).not.toBe('closed');
    } finally {
      await setFaults(null);
    }
    const closed = (await handle.result()) as PositionStatus;
    expect(closed.remainingVolume).toBe('0');
    expect(closed.exitReason).toMatch(/stop/);
    expect(new Decimal(closed.realizedPnl).lt(0)).toBe(true);
    // Every coin the position bought was sold.
    expect(await holdingOf('XRP')).toBe(xrpBefore);
  }, 180_000);
});

describe('time exit', () => {
  it('judges the guard’s own progress: the highest price and trailing stop it saw survive the time exit', async () => {
    await setPrice(3000);
    const [top] = await book();
    const entry = new Decimal(top.ask_price);
    const positionId = positionWorkflowId(SESSION, MARKET, 1);
    const req: PositionRequest = {
      sessionId: SESSION,
      sessionWorkflowId: `session-${SESSION}`,
      positionId,
      mode: 'sim',
      market: MARKET,
      entryPrice: entry.toFixed(),
      entryVolume: '40',
      atr: 100,
      entryReasons: ['test'],
      exit: {
        ...DEFAULT_EXIT_CONFIG,
        stopMode: 'pct',
        stopPct: 5,
        takeProfit: [
          { atPct: 2, fraction: 0.5 },
          { atPct: 50, fraction: 0.5 },
        ],
        trailingAtrMultiple: 2,
        blowOffRsi: 0,
        timeExitBars: 1,
        timeExitMinProgressPct: 1,
        barMs: 25_000,
      },
      order: { timeoutSec: 5, fallbackToMarket: false, maxSlippagePct: 1, entryTicksAboveBid: 0 },
      marketMinTotal: '5000',
    };
    const handle = await stack.client.workflow.start('positionWorkflow', {
      taskQueue: TASK_QUEUE_TRADING,
      workflowId: positionId,
      args: [req],
    });
    const status = () => handle.query(positionStatusQuery) as Promise<PositionStatus>;
    const openedAt = Date.now();
    await eventually(async () => (await status()).phase === 'open', 20_000, 'the entry to fill');
    // First rung (+2 %): half is sold and the trailing stop starts.
    await setPrice(entry.mul(1.025).toNumber());
    await eventually(async () => new Decimal((await status()).remainingVolume).lt(40), 20_000, 'the first rung');
    await new Promise((r) => setTimeout(r, 1_500));
    // The guard sees +8 % (its highest), then the price settles at +4 %, above the trailing stop.
    const peak = entry.mul(1.08).floor();
    await setPrice(peak.toNumber());
    await new Promise((r) => setTimeout(r, 2_000));
    await setPrice(entry.mul(1.04).floor().toNumber());
    // Past the time exit (one 25 s bar): progress is enough, so the position stays open.
    const sinceOpen = Date.now() - openedAt;
    await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - sinceOpen)));
    // The guard learns of its cancel at a heartbeat; the position then judges the time exit. The guard's
    // highest reaches the position's plan only when the guard hands it over, which here is at the time exit
    // (under load that can be before this point, so the test waits for the peak rather than for a change).
    const after = await eventually(
      async () => {
        const s = await status();
        const plan = s.exitPlan as ExitPlan | null;
        return plan && s.phase !== 'open' ? s : plan && new Decimal(plan.highest).gte(peak) ? s : undefined;
      },
      60_000,
      'the time exit to be judged',
    );
    const plan = after.exitPlan as ExitPlan;
    expect(after.exitReason).toBeNull();
    expect(after.phase).toBe('open');
    expect(new Decimal(plan.highest).gte(peak)).toBe(true);
    expect(new Decimal(plan.trailingStop ?? 0).gte(peak.minus(2 * 100))).toBe(true);
    await handle.signal('exitPosition', { reason: 'test over' });
    const closed = (await handle.result()) as PositionStatus;
    expect(closed.phase).toBe('closed');
  }, 180_000);
});
