// The Position workflow's entry and exit races on a real Temporal dev server with mocked activities: a
// small scripted exchange (orders by uuid, fills the test decides), a scripted guard that applies the real
// exit rule (core/risk updateExitPlan) to the prices a test feeds it, and recorders for the rows and risk
// events. The exits' Order children are the real orderWorkflow. Each case runs in seconds.
import { createRequire } from 'node:module';
import { ApplicationFailure, CancelledFailure, cancellationSignal, heartbeat } from '@temporalio/activity';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubmitOrderInput } from '../activities/orders';
import type { PositionRecord } from '../activities/records';
import { updateExitPlan } from '../core/risk';
import type { ExitConfig, ExitPlan, ExitTrigger } from '../core/risk/types';
import { type DevServer, startDevServer } from '../workers/temporal-server';
import { installRuntimeLogger } from '../workers/workers';
import {
  type ExchangeOrderView,
  exitPositionSignal,
  ORDER_FAILURE,
  type PositionRequest,
  type PositionStatus,
  positionStatusQuery,
} from './definitions';
import { firstSubmitInput } from './order-lifecycle';
import { entryOrderIdOf, entryOrderRequest } from './position-entry';

installRuntimeLogger();
const require = createRequire(import.meta.url);
let server: DevServer;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  server = await startDevServer({ headless: true });
  env = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address, namespace: 'default' });
});

afterAll(async () => {
  await env?.teardown();
  await server?.stop();
});

const MARKET = 'KRW-TEST';
const ENTRY_PRICE = '1000';

const EXIT: ExitConfig = {
  stopMode: 'pct',
  stopAtrMultiple: 0,
  stopPct: 2,
  takeProfit: [{ atPct: 5, fraction: 1 }],
  trailingAtrMultiple: 0,
  blowOffRsi: 0,
  timeExitBars: 0,
  timeExitMinProgressPct: 0,
  barMs: 60_000,
};

/** What the exchange does with one placed order: its first view, each re-read, and a cancel. */
interface OrderScript {
  placed(input: SubmitOrderInput): Partial<ExchangeOrderView>;
  read?(view: ExchangeOrderView, reads: number): Partial<ExchangeOrderView>;
  cancel?(view: ExchangeOrderView): Partial<ExchangeOrderView>;
}

/** A scripted exchange and recorders: `script(input)` decides what each submit does (a throw is the exchange's refusal). */
function harness(script: (input: SubmitOrderInput, n: number) => OrderScript) {
  const orders = new Map<string, { view: ExchangeOrderView; script: OrderScript; reads: number }>();
  const submits: SubmitOrderInput[] = [];
  const cancels: string[] = [];
  const rows: PositionRecord[] = [];
  const events: { kind: string; message: string }[] = [];
  const prices: { price: string; high?: string; low?: string }[] = [];
  const withFunds = (view: ExchangeOrderView, price: string): ExchangeOrderView => ({
    ...view,
    executedFunds: new Decimal(view.executedVolume).mul(price).toFixed(),
    paidFee: new Decimal(view.executedVolume).mul(price).mul('0.0005').toFixed(),
  });
  const fillPrice = (input: SubmitOrderInput) => input.price ?? (input.side === 'bid' ? '1000' : '990');

  const activities = {
    async submitOrder(input: SubmitOrderInput): Promise<ExchangeOrderView> {
      submits.push(input);
      const s = script(input, submits.length);
      const uuid = `uuid-${submits.length}`;
      const base: ExchangeOrderView = {
        uuid,
        identifier: input.identifier,
        market: input.market,
        side: input.side,
        ordType: input.ordType,
        state: 'wait',
        price: input.price ?? null,
        volume: input.volume ?? null,
        remainingVolume: input.volume ?? '0',
        executedVolume: '0',
        executedFunds: '0',
        paidFee: '0',
        tradesCount: 0,
      };
      const view = withFunds({ ...base, ...s.placed(input) }, fillPrice(input));
      orders.set(uuid, { view, script: s, reads: 0 });
      return view;
    },
    async placeEntry(input: { position?: PositionRecord; order: SubmitOrderInput }) {
      if (input.position) rows.push(input.position);
      return activities.submitOrder(input.order);
    },
    async syncOrder(input: { uuid: string }): Promise<ExchangeOrderView> {
      const o = orders.get(input.uuid);
      if (!o) throw new Error(`no order ${input.uuid}`);
      o.reads += 1;
      if (o.script.read)
        o.view = withFunds(
          { ...o.view, ...o.script.read(o.view, o.reads) },
          o.view.price ?? fillPrice(o.view as never),
        );
      return o.view;
    },
    async cancelExchangeOrder(input: { uuid: string }): Promise<ExchangeOrderView> {
      const o = orders.get(input.uuid);
      if (!o) throw new Error(`no order ${input.uuid}`);
      cancels.push(input.uuid);
      o.view = withFunds(
        { ...o.view, state: 'cancel', ...o.script.cancel?.(o.view) },
        o.view.price ?? fillPrice(o.view as never),
      );
      return o.view;
    },
    async quote() {
      return { bid: '999', ask: '1001', last: '1000' };
    },
    async recordPosition(p: PositionRecord) {
      rows.push(p);
    },
    async recordRiskEvent(e: { kind: string; message: string }) {
      events.push(e);
    },
    async readHolding() {
      // What the account holds: everything bought and not yet sold.
      let held = new Decimal(0);
      for (const o of orders.values())
        held = o.view.side === 'bid' ? held.plus(o.view.executedVolume) : held.minus(o.view.executedVolume);
      // The bids are deep enough to take it all in one slice.
      return { free: held.toFixed(), locked: '0', bid: '990', bidDepthVolume: '1000' };
    },
    async summarizeOrderOnExchange(): Promise<never> {
      throw new Error('no order may end without a result here');
    },
    /** Applies the real exit rule to each price the test feeds; a cancel answers with the plan so far. */
    async guardPosition(input: { plan: ExitPlan; progressOnCancel?: boolean }) {
      let plan = input.plan;
      const cancelled = cancellationSignal();
      for (;;) {
        heartbeat({ plan });
        if (cancelled.aborted) {
          if (input.progressOnCancel) return { plan };
          throw new CancelledFailure('guard cancelled');
        }
        const next = prices.shift();
        if (next) {
          const update = updateExitPlan(plan, {
            price: next.price,
            high: next.high ?? next.price,
            low: next.low ?? next.price,
            ts: Date.now(),
          });
          plan = update.plan;
          if (update.trigger) return update as { plan: ExitPlan; trigger: ExitTrigger };
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
  const asks = () => submits.filter((s) => s.side === 'ask');
  const bids = () => submits.filter((s) => s.side === 'bid');
  const sold = () =>
    [...orders.values()]
      .filter((o) => o.view.side === 'ask')
      .reduce((s, o) => s.plus(o.view.executedVolume), new Decimal(0));
  const bought = () =>
    [...orders.values()]
      .filter((o) => o.view.side === 'bid')
      .reduce((s, o) => s.plus(o.view.executedVolume), new Decimal(0));
  return { activities, submits, cancels, rows, events, prices, asks, bids, sold, bought };
}

type Harness = ReturnType<typeof harness>;

/** Fills at once, whole. */
const filled: OrderScript = {
  placed: (input) => ({ state: 'done', executedVolume: input.volume, remainingVolume: '0' }),
};

function request(id: string, overrides: Partial<PositionRequest> = {}): PositionRequest {
  return {
    sessionId: `s-${id}`,
    // No session runs: the close report fails, which the position tolerates (the row is what counts).
    sessionWorkflowId: `session-none-${id}`,
    positionId: `pos-${id}-${MARKET}-1`,
    mode: 'sim',
    market: MARKET,
    entryPrice: ENTRY_PRICE,
    entryVolume: '100',
    atr: null,
    entryReasons: ['test'],
    exit: EXIT,
    order: { timeoutSec: 30, fallbackToMarket: true, maxSlippagePct: 1, entryTicksAboveBid: 0 },
    marketMinTotal: '5000',
    ...overrides,
  };
}

/** Runs one position on its own task queue; `during` may poke it while it runs. */
async function runPosition(
  h: Harness,
  req: PositionRequest,
  during?: (handle: { query(): Promise<PositionStatus>; exit(reason: string): Promise<void> }) => Promise<void>,
): Promise<PositionStatus> {
  const taskQueue = `position-test-${req.positionId}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    workflowsPath: require.resolve('./index.ts'),
    activities: h.activities,
    // Cancels reach the guard at its next heartbeat: send them at once.
    maxHeartbeatThrottleInterval: '100ms',
    defaultHeartbeatThrottleInterval: '100ms',
  });
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start('positionWorkflow', {
      taskQueue,
      workflowId: req.positionId,
      args: [req],
    });
    await during?.({
      query: () => handle.query(positionStatusQuery),
      exit: (reason) => handle.signal(exitPositionSignal, { reason }),
    });
    return (await handle.result()) as PositionStatus;
  });
}

async function until(what: string, check: () => boolean, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const closedRows = (h: Harness) => h.rows.filter((r) => r.status === 'closed');

describe('Position workflow (mocked activities)', () => {
  it('places its entry itself, writing the entering row first; a refused entry closes the position', async () => {
    const h = harness(() => {
      throw ApplicationFailure.nonRetryable('under the minimum total', ORDER_FAILURE.orderRejected, {
        upbitName: 'under_min_total_bid',
      });
    });
    const final = await runPosition(h, request(`refused-${Date.now()}`));
    expect(h.rows[0].status).toBe('entering');
    expect(h.bids().map((b) => b.identifier)).toEqual([`ord-${final.positionId}-1-s1`]);
    expect(final.phase).toBe('closed');
    expect(final.exitReason).toMatch(/^entry rejected: under the minimum total/);
    expect(closedRows(h)).toHaveLength(1);
  }, 60_000);

  it('follows the entry order its session placed: no entering row or submit of its own', async () => {
    // The entry rests until it is first read, then fills whole.
    const h = harness((input) =>
      input.side === 'bid'
        ? {
            placed: () => ({ state: 'wait' }),
            read: (view) => ({ state: 'done', executedVolume: view.volume ?? '0', remainingVolume: '0' }),
          }
        : filled,
    );
    const req = request(`placed-${Date.now()}`);
    // What the session's placeEntryThenStart sends: the position's own entry order, first identifier.
    const entryPlaced = await h.activities.submitOrder(
      firstSubmitInput(entryOrderIdOf(req.positionId), entryOrderRequest(req, Date.now())),
    );
    h.prices.push({ price: '970' });
    const final = await runPosition(h, { ...req, entryPlaced });
    expect(h.bids().map((b) => b.identifier)).toEqual([`ord-${req.positionId}-1-s1`]);
    expect(h.rows.map((r) => r.status)).not.toContain('entering');
    expect(h.bought().toFixed()).toBe('100');
    expect(h.sold().toFixed()).toBe('100');
    expect(final.entryPrice).toBe(ENTRY_PRICE);
    expect(final.exitReason).toMatch(/^stop/);
    expect(closedRows(h)).toHaveLength(1);
  }, 60_000);

  it('a bar through both the stop and the take-profit sells the position once, at the stop', async () => {
    const h = harness(() => filled);
    h.prices.push({ price: '1000', high: '1060', low: '970' });
    const final = await runPosition(h, request(`both-${Date.now()}`));
    expect(h.asks()).toHaveLength(1);
    expect(h.asks()[0].volume).toBe('100');
    expect(h.sold().toFixed()).toBe('100');
    expect(final.exitReason).toMatch(/^stop/);
    expect(final.remainingVolume).toBe('0');
    // Cost 100,000 + 50 fee; proceeds 99,000 - 49.5 fee.
    expect(final.realizedPnl).toBe('-1099.5');
    expect(closedRows(h)).toHaveLength(1);
  }, 60_000);

  it('an exit refused, then late, never closes the position on paper while it holds coins', async () => {
    let asks = 0;
    const h = harness((input) => {
      if (input.side === 'bid') return filled;
      asks += 1;
      if (asks === 1)
        throw ApplicationFailure.nonRetryable('exchange busy', ORDER_FAILURE.orderRejected, { upbitName: 'busy' });
      // Late: rests through two re-reads, then fills.
      return {
        placed: () => ({ state: 'wait' }),
        read: (view, reads) =>
          reads < 3 ? {} : { state: 'done', executedVolume: view.volume ?? '0', remainingVolume: '0' },
      };
    });
    h.prices.push({ price: '970' });
    let whileLate: { status: PositionStatus; closedRows: number } | undefined;
    const final = await runPosition(h, request(`late-${Date.now()}`), async (p) => {
      await until('the late exit to rest', () => asks === 2);
      whileLate = { status: await p.query(), closedRows: closedRows(h).length };
    });
    expect(whileLate?.status.phase).toBe('exiting');
    expect(whileLate?.status.remainingVolume).toBe('100');
    expect(whileLate?.closedRows).toBe(0);
    expect(h.events.map((e) => e.kind)).toContain('exit_not_filled');
    expect(h.asks().map((a) => a.volume)).toEqual(['100', '100']);
    expect(h.sold().toFixed()).toBe('100');
    expect(final.phase).toBe('closed');
    expect(final.remainingVolume).toBe('0');
    expect(closedRows(h)).toHaveLength(1);
    expect(closedRows(h)[0].remainingVolume).toBe('0');
  }, 90_000);

  it('an emergency flatten during an entry still filling cancels its rest, buys no more and sells all it got', async () => {
    const h = harness((input) =>
      input.side === 'bid'
        ? {
            // Rests with 40 filled; one more fill races the cancel.
            placed: () => ({ state: 'wait', executedVolume: '40', remainingVolume: '60' }),
            cancel: () => ({ executedVolume: '50', remainingVolume: '50' }),
          }
        : filled,
    );
    const final = await runPosition(h, request(`flatten-${Date.now()}`), async (p) => {
      await until('the entry to rest', () => h.bids().length === 1);
      await p.exit('emergency flatten');
    });
    expect(h.cancels).toEqual(['uuid-1']);
    // No fallback bought more after the flatten.
    expect(h.bids()).toHaveLength(1);
    expect(h.bought().toFixed()).toBe('50');
    expect(h.asks().map((a) => a.volume)).toEqual(['50']);
    expect(h.sold().toFixed()).toBe('50');
    expect(final.volume).toBe('50');
    expect(final.remainingVolume).toBe('0');
    expect(final.exitReason).toMatch(/emergency flatten/);
  }, 60_000);

  it('a time exit that falls due during a partial take-profit sells the rest once, never more than held', async () => {
    let asks = 0;
    const h = harness((input) => {
      if (input.side === 'bid') return filled;
      asks += 1;
      if (asks === 1)
        // The take-profit's order rests past the time exit and sells 30 of its 50.
        return {
          placed: () => ({ state: 'wait' }),
          read: (_view, reads) => (reads < 3 ? {} : { state: 'cancel', executedVolume: '30', remainingVolume: '20' }),
        };
      return filled;
    });
    const exit: ExitConfig = {
      ...EXIT,
      stopPct: 5,
      takeProfit: [
        { atPct: 1, fraction: 0.5 },
        { atPct: 20, fraction: 1 },
      ],
      timeExitBars: 1,
      barMs: 2_000,
      timeExitMinProgressPct: 50,
    };
    h.prices.push({ price: '1011' });
    const final = await runPosition(h, request(`time-${Date.now()}`, { exit }), async () => {
      // Once the take-profit's rest is sold, the guard sees a price below the progress level past the time exit.
      await until('the rest of the take-profit', () => asks === 2);
      h.prices.push({ price: '1005' });
    });
    expect(h.asks().map((a) => a.volume)).toEqual(['50', '20', '50']);
    expect(h.sold().toFixed()).toBe('100');
    expect(final.exitReason).toMatch(/^time/);
    expect(final.remainingVolume).toBe('0');
    expect(closedRows(h)).toHaveLength(1);
  }, 60_000);
});
