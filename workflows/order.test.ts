// The Order workflow's paths on a real Temporal dev server with mocked activities: the exchange
// activities are test doubles over a small in-memory exchange (one per workflow run), each scripted
// for its case. Covers partial fill → timeout → cancel → capped fallback for the rest, a cancel that
// answers late while the order fills, an emergency cancel, a lost submit reply, rejections, a long
// outage, a disabled fallback and a burned identifier; and that a run's history replays.
import { createRequire } from 'node:module';
import { ApplicationFailure, activityInfo } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubmitOrderInput } from '../activities/orders';
import { type DevServer, startDevServer } from '../workers/temporal-server';
import { installRuntimeLogger } from '../workers/workers';
import {
  cancelOrderSignal,
  type ExchangeOrderView,
  ORDER_FAILURE,
  type OrderRequest,
  type OrderResult,
  orderStatusQuery,
} from './definitions';
import { orderWorkflowId } from './ids';

installRuntimeLogger();
const require = createRequire(import.meta.url);
const TASK_QUEUE = `order-test-${process.pid}`;
let server: DevServer;
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let worker: Worker;
let running: Promise<void>;

/** One activity call as a test double saw it. */
interface Call {
  name: 'submitOrder' | 'syncOrder' | 'cancelExchangeOrder' | 'quote';
  attempt: number;
  input: Record<string, unknown>;
}

/**
 * The exchange one workflow run talks to: orders by uuid and identifier, the calls made, and per
 * activity a script that may change the orders or fail before the double answers.
 */
class FakeExchange {
  readonly orders = new Map<string, ExchangeOrderView>();
  readonly calls: Call[] = [];
  quote = { bid: '12330', ask: '12350', last: '12340' };
  /** Runs before each call's default answer; may throw (a failed try) or return an answer of its own. */
  hooks: Partial<Record<Call['name'], (call: Call) => Promise<unknown> | unknown>> = {};
  /** How a newly placed order looks: by default it rests unfilled. */
  onPlace: (o: ExchangeOrderView, input: SubmitOrderInput) => void = () => {};

  place(input: SubmitOrderInput): ExchangeOrderView {
    const existing = [...this.orders.values()].find((o) => o.identifier === input.identifier);
    // The real activity adopts an identifier's order on a retry: the double does the same.
    if (existing) return existing;
    const order: ExchangeOrderView = {
      uuid: `u-${this.orders.size + 1}`,
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
    this.orders.set(order.uuid, order);
    this.onPlace(order, input);
    return order;
  }

  /** Fills `volume` more of an order at `price`; the order is done once nothing remains. */
  fill(uuid: string, volume: string, price: string) {
    const o = this.get(uuid);
    const executed = new Decimal(o.executedVolume).plus(volume);
    o.executedVolume = executed.toString();
    o.executedFunds = new Decimal(o.executedFunds).plus(new Decimal(volume).mul(price)).toString();
    o.paidFee = new Decimal(o.executedFunds).mul('0.0005').toString();
    o.tradesCount += 1;
    if (o.volume !== null) {
      o.remainingVolume = new Decimal(o.volume).minus(executed).toString();
      if (new Decimal(o.remainingVolume).isZero()) o.state = 'done';
    }
  }

  get(uuid: string): ExchangeOrderView {
    const o = this.orders.get(uuid);
    if (!o) throw new Error(`no order ${uuid}`);
    return o;
  }

  named(name: Call['name']): Call[] {
    return this.calls.filter((c) => c.name === name);
  }
}

const exchanges = new Map<string, FakeExchange>();

/** The test doubles of the order activities: each finds its run's exchange by the workflow id. */
function call<T>(name: Call['name'], input: Record<string, unknown>, answer: (x: FakeExchange) => T): Promise<T> {
  const info = activityInfo();
  const workflowId = info.workflowExecution?.workflowId ?? '';
  const x = exchanges.get(workflowId);
  if (!x) throw ApplicationFailure.nonRetryable(`no exchange for ${workflowId}`);
  const c: Call = { name, attempt: info.attempt, input };
  x.calls.push(c);
  return (async () => {
    const hooked = await x.hooks[name]?.(c);
    return (hooked as T | undefined) ?? structuredClone(answer(x));
  })();
}

const activities = {
  submitOrder: (input: SubmitOrderInput) => call('submitOrder', input, (x) => x.place(input)),
  syncOrder: (input: { uuid: string }) => call('syncOrder', input, (x) => x.get(input.uuid)),
  cancelExchangeOrder: (input: { uuid: string }) =>
    call('cancelExchangeOrder', input, (x) => {
      const o = x.get(input.uuid);
      if (o.state === 'wait') o.state = 'cancel';
      return o;
    }),
  quote: (input: { market: string }) => call('quote', input, (x) => x.quote),
};

beforeAll(async () => {
  server = await startDevServer({ headless: true });
  env = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address, namespace: 'default' });
  bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./order.ts') });
  worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue: TASK_QUEUE,
    workflowBundle: bundle,
    activities,
  });
  running = worker.run();
});

afterAll(async () => {
  if (worker) {
    worker.shutdown();
    await running;
  }
  await env?.teardown();
  await server?.stop();
});

let runs = 0;
/** A limit buy of 10 coins at 12,340 KRW (tick 10): 123,400 KRW planned. */
function limitBuy(over: Partial<OrderRequest> = {}): OrderRequest {
  return {
    sessionId: 'order-test',
    positionId: null,
    mode: 'paper',
    market: 'KRW-AAA',
    side: 'bid',
    ordType: 'limit',
    price: '12340',
    volume: '10',
    timeoutSec: 1,
    fallbackToMarket: true,
    maxSlippagePct: 1,
    minTotalKrw: '5000',
    purpose: 'entry',
    reason: 'test',
    ...over,
  };
}

async function start(
  x: FakeExchange,
  req: OrderRequest,
): Promise<{ handle: WorkflowHandle; orderId: string; result: () => Promise<OrderResult> }> {
  const orderId = orderWorkflowId(`pos-order-test-${process.pid}-${Date.now()}`, ++runs);
  exchanges.set(orderId, x);
  const handle = await env.client.workflow.start('orderWorkflow', {
    taskQueue: TASK_QUEUE,
    workflowId: orderId,
    args: [req],
  });
  return { handle, orderId, result: () => handle.result() as Promise<OrderResult> };
}

/**
 * The limit order fills `filled` at once at its price and then rests; the fallback's IOC order fills
 * what it asks for at the quote's ask (bid) or bid (ask).
 */
function partialThenIoc(x: FakeExchange, filled: string) {
  x.onPlace = (o, input) => {
    if (input.timeInForce !== 'ioc') return x.fill(o.uuid, filled, input.price ?? '0');
    x.fill(o.uuid, o.volume ?? '0', input.side === 'bid' ? x.quote.ask : x.quote.bid);
    o.state = 'done';
  };
}

describe.concurrent('Order workflow (mocked activities)', () => {
  it('partial fill, timeout, cancel, then an IOC fallback for exactly the rest, capped by the slippage guard', async () => {
    const x = new FakeExchange();
    partialThenIoc(x, '4');
    const { handle, orderId, result } = await start(x, limitBuy());
    const r = await result();

    const submits = x.named('submitOrder').map((c) => c.input as unknown as SubmitOrderInput);
    expect(submits.map((s) => s.identifier)).toEqual([`${orderId}-s1`, `${orderId}-m2`]);
    // 6 of 10 left = 74,040 KRW planned. Cap 12,340 × 1.01 = 12,463.4 → bid tick (10) down → 12,460;
    // volume 74,040 / 12,460 floored to 8 decimals, so the fallback never spends more than planned.
    const fb = submits[1];
    expect(fb).toMatchObject({ ordType: 'limit', price: '12460', volume: '5.94221508', timeInForce: 'ioc' });
    expect(new Decimal(fb.price ?? 0).mul(fb.volume ?? 0).lte(74_040)).toBe(true);
    // Its deadline counts from its own decision, not from the entry's.
    expect(fb.notAfterTs).toBeGreaterThan(Date.now());
    expect(x.named('cancelExchangeOrder')).toHaveLength(1);
    expect(x.named('quote')).toHaveLength(1);
    expect(x.orders.size).toBe(2);

    expect(r.outcome).toBe('partially_filled');
    expect(r.executedVolume).toBe('9.94221508');
    expect(r.funds).toBe(new Decimal(4).mul(12340).plus(new Decimal('5.94221508').mul(12350)).toString());
    expect(r.exchangeUuids).toEqual(['u-1', 'u-2']);
    expect((await handle.query(orderStatusQuery)).phase).toBe('done');

    // The run's history replays against the workflow code.
    await Worker.runReplayHistory({ workflowBundle: bundle }, await handle.fetchHistory(), orderId);
  }, 60_000);

  it('a sell fallback asks for the whole rest at the guard price rounded up onto the tick', async () => {
    const x = new FakeExchange();
    partialThenIoc(x, '2.5');
    const { orderId, result } = await start(x, limitBuy({ side: 'ask', purpose: 'exit' }));
    const r = await result();
    const fb = x.named('submitOrder')[1]?.input as unknown as SubmitOrderInput;
    // 12,340 × 0.99 = 12,216.6 → ask tick up → 12,220; the whole 7.5 left.
    expect(fb).toMatchObject({ identifier: `${orderId}-m2`, price: '12220', volume: '7.5', timeInForce: 'ioc' });
    expect(fb.notAfterTs).toBeGreaterThan(Date.now());
    expect(r.outcome).toBe('filled');
    expect(r.executedVolume).toBe('10');
  }, 60_000);

  it.each([
    ['the price ran beyond the slippage guard', { bid: '12460', ask: '12480', last: '12470' }, '4', '5000'],
    ['the rest is below the minimum total', { bid: '12330', ask: '12350', last: '12340' }, '9.7', '5000'],
  ])(
    'skips the fallback when %s',
    async (_why, quote, filled, minTotalKrw) => {
      const x = new FakeExchange();
      x.quote = quote;
      x.onPlace = (o) => x.fill(o.uuid, filled, '12340');
      const { result } = await start(x, limitBuy({ minTotalKrw }));
      const r = await result();
      expect(x.named('quote')).toHaveLength(1);
      expect(x.named('submitOrder')).toHaveLength(1);
      expect(r.outcome).toBe('partially_filled');
      expect(r.executedVolume).toBe(filled);
    },
    60_000,
  );

  it('fallback disabled: cancels the rest and places nothing more', async () => {
    const x = new FakeExchange();
    x.onPlace = (o) => x.fill(o.uuid, '4', '12340');
    const { result } = await start(x, limitBuy({ fallbackToMarket: false }));
    const r = await result();
    expect(x.named('cancelExchangeOrder')).toHaveLength(1);
    expect(x.named('quote')).toHaveLength(0);
    expect(x.named('submitOrder')).toHaveLength(1);
    expect(r).toMatchObject({ outcome: 'partially_filled', executedVolume: '4', exchangeUuids: ['u-1'] });
  }, 60_000);

  it('a cancel that answers late, the order filled meanwhile: no fallback, no second order', async () => {
    const x = new FakeExchange();
    x.hooks.cancelExchangeOrder = async (c) => {
      const uuid = c.input.uuid as string;
      // The order fills while the cancel is on its way; the cancel's reply is lost the first time.
      if (c.attempt === 1) {
        await new Promise((r) => setTimeout(r, 1500));
        x.fill(uuid, '10', '12340');
        throw new Error('cancel reply lost');
      }
      return undefined;
    };
    const { result } = await start(x, limitBuy());
    const r = await result();
    expect(x.named('cancelExchangeOrder').map((c) => c.attempt)).toEqual([1, 2]);
    expect(x.named('submitOrder')).toHaveLength(1);
    expect(x.named('quote')).toHaveLength(0);
    expect(r).toMatchObject({ outcome: 'filled', executedVolume: '10', exchangeUuids: ['u-1'] });
  }, 60_000);

  it('a cancel the exchange confirms only later: fills that raced it are not bought again', async () => {
    const x = new FakeExchange();
    partialThenIoc(x, '2');
    let pending = 0;
    // The cancel is accepted but the order still shows `wait`; two reads later it has 7 filled and is cancelled.
    x.hooks.cancelExchangeOrder = (c) => structuredClone(x.get(c.input.uuid as string));
    x.hooks.syncOrder = (c) => {
      const o = x.get(c.input.uuid as string);
      if (o.identifier?.endsWith('-s1') && x.named('cancelExchangeOrder').length > 0 && o.state === 'wait') {
        pending++;
        x.fill(o.uuid, '2.5', '12340');
        if (pending === 2) o.state = 'cancel';
      }
      return undefined;
    };
    const { orderId, result } = await start(x, limitBuy());
    const r = await result();
    const submits = x.named('submitOrder').map((c) => c.input as unknown as SubmitOrderInput);
    // 3 of 10 left = 37,020 KRW planned → 37,020 / 12,460 floored.
    expect(submits.map((s) => [s.identifier, s.volume])).toEqual([
      [`${orderId}-s1`, '10'],
      [`${orderId}-m2`, '2.97110754'],
    ]);
    expect(r.executedVolume).toBe('9.97110754');
  }, 60_000);

  it('a cancel request (emergency halt) cancels the rest at once and places no fallback', async () => {
    const x = new FakeExchange();
    x.onPlace = (o) => x.fill(o.uuid, '4', '12340');
    const { handle, result } = await start(x, limitBuy({ timeoutSec: 600 }));
    while (x.named('submitOrder').length === 0) await new Promise((r) => setTimeout(r, 50));
    await handle.signal(cancelOrderSignal, { reason: 'emergency halt' });
    const r = await result();
    expect(x.named('cancelExchangeOrder')).toHaveLength(1);
    expect(x.named('quote')).toHaveLength(0);
    expect(x.named('submitOrder')).toHaveLength(1);
    expect(r).toMatchObject({ outcome: 'partially_filled', executedVolume: '4', reason: 'emergency halt' });
  }, 60_000);

  it('a lost submit reply: the retry re-checks the same identifier and never places a second order', async () => {
    const x = new FakeExchange();
    x.onPlace = (o) => x.fill(o.uuid, '10', '12340');
    x.hooks.submitOrder = (c) => {
      if (c.attempt > 1) return undefined;
      // Placed on the exchange, but the reply never arrives.
      x.place(c.input as unknown as SubmitOrderInput);
      throw new Error('socket hang up');
    };
    const { orderId, result } = await start(x, limitBuy());
    const r = await result();
    const submits = x.named('submitOrder');
    expect(submits.map((c) => [c.input.identifier, c.attempt])).toEqual([
      [`${orderId}-s1`, 1],
      [`${orderId}-s1`, 2],
    ]);
    expect(x.orders.size).toBe(1);
    expect(r).toMatchObject({ outcome: 'filled', executedVolume: '10', exchangeUuids: ['u-1'] });
  }, 60_000);

  it.each([
    [ORDER_FAILURE.orderRejected, 'insufficient funds', 'insufficient_funds_bid'],
    [ORDER_FAILURE.staleOrder, 'its time passed', undefined],
  ])(
    'a %s failure ends the order rejected, without failing the workflow or retrying',
    async (type, message, name) => {
      const x = new FakeExchange();
      x.hooks.submitOrder = () => {
        throw ApplicationFailure.nonRetryable(message, type, ...(name ? [{ upbitName: name }] : []));
      };
      const { result } = await start(x, limitBuy());
      const r = await result();
      expect(x.named('submitOrder')).toHaveLength(1);
      expect(x.orders.size).toBe(0);
      expect(r).toMatchObject({ outcome: 'rejected', reason: message, executedVolume: '0', exchangeUuids: [] });
      expect(r.rejectedName).toBe(name);
    },
    60_000,
  );

  it('a rejected fallback leaves the order partially filled, the workflow completed', async () => {
    const x = new FakeExchange();
    x.onPlace = (o) => x.fill(o.uuid, '4', '12340');
    x.hooks.submitOrder = (c) => {
      if ((c.input.identifier as string).includes('-m'))
        throw ApplicationFailure.nonRetryable('market offline', ORDER_FAILURE.orderRejected, {
          upbitName: 'market_offline',
        });
      return undefined;
    };
    const { result } = await start(x, limitBuy());
    const r = await result();
    expect(x.named('submitOrder')).toHaveLength(2);
    expect(r).toMatchObject({ outcome: 'partially_filled', executedVolume: '4', exchangeUuids: ['u-1'] });
  }, 60_000);

  it('a burned identifier: the next submit takes the next identifier; one order in all', async () => {
    const x = new FakeExchange();
    x.onPlace = (o) => x.fill(o.uuid, '10', '12340');
    x.hooks.submitOrder = (c) => {
      if ((c.input.identifier as string).endsWith('-s1'))
        throw ApplicationFailure.nonRetryable('identifier burned without an order', ORDER_FAILURE.identifierBurned);
      return undefined;
    };
    const { handle, orderId, result } = await start(x, limitBuy());
    const r = await result();
    expect(x.named('submitOrder').map((c) => c.input.identifier)).toEqual([`${orderId}-s1`, `${orderId}-s2`]);
    expect(x.orders.size).toBe(1);
    expect(r).toMatchObject({ outcome: 'filled', exchangeUuids: ['u-1'] });
    expect((await handle.query(orderStatusQuery)).submitSeq).toBe(2);
  }, 60_000);

  it('an exchange outage through every step never fails the order: each call is retried without a limit', async () => {
    const x = new FakeExchange();
    partialThenIoc(x, '4');
    // Each exchange call fails its first two tries (1 s + 2 s of backoff each), placing nothing.
    for (const name of ['submitOrder', 'syncOrder', 'cancelExchangeOrder', 'quote'] as const) {
      x.hooks[name] = (c) => {
        if (c.attempt <= 2) throw new Error(`${name}: 503 service unavailable`);
        return undefined;
      };
    }
    const { handle, orderId, result } = await start(x, limitBuy());
    const r = await result();
    expect(x.named('submitOrder').map((c) => [c.input.identifier, c.attempt])).toEqual([
      [`${orderId}-s1`, 1],
      [`${orderId}-s1`, 2],
      [`${orderId}-s1`, 3],
      [`${orderId}-m2`, 1],
      [`${orderId}-m2`, 2],
      [`${orderId}-m2`, 3],
    ]);
    expect(x.orders.size).toBe(2);
    expect(r).toMatchObject({ outcome: 'partially_filled', executedVolume: '9.94221508' });
    // However long an outage lasts: no exchange call has an attempt limit or an overall deadline.
    const scheduled = ((await handle.fetchHistory()).events ?? []).flatMap((e) =>
      e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes] : [],
    );
    expect(scheduled.length).toBeGreaterThanOrEqual(4);
    for (const a of scheduled) {
      expect(a.retryPolicy?.maximumAttempts ?? 0).toBe(0);
      expect(Number(a.scheduleToCloseTimeout?.seconds ?? 0)).toBe(0);
    }
  }, 90_000);
});
