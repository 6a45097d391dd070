// The submit activity as a position's entry runs it: a local activity, whose attempt count starts again
// at 1 when a crashed worker's task is rerun. On the simulator and a real database: the first try posts
// without a lookup before it (the signal's hot path), and a rerun of an entry the crashed run had
// already placed adopts that order — also where the account limit, now counting that very order,
// would refuse a new one — and never places a second.
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExchangeOrderView } from '../core/contract';
import { type Simulator, startSimulator } from '../exchange/sim/server';
import { UpbitClient } from '../exchange/upbit/client';
import { type Database, openDatabase } from '../prisma/db';
import { createOrderActivities, type SubmitOrderInput } from './orders';

const KEYS = { accessKey: 'submit-access-key', secretKey: 'submit-secret-key' };

describe('entry submit as a local activity', () => {
  let sim: Simulator;
  let db: Database;
  let client: UpbitClient;
  /** Every exchange call the activity makes, in order: method and its first argument. */
  const calls: [string, unknown][] = [];
  let submitOrder: ReturnType<typeof createOrderActivities>['submitOrder'];
  /** One run of the submit as a local activity's first try: what a crashed worker's rerun also is. */
  const submitLocally = (input: SubmitOrderInput): Promise<ExchangeOrderView> =>
    new MockActivityEnvironment({ isLocal: true, attempt: 1 }).run(submitOrder, input);

  beforeAll(async () => {
    sim = await startSimulator({
      port: 0,
      seed: 11,
      tickMs: 3_600_000,
      historyMinutes: 60,
      accounts: [{ ...KEYS, krw: '1000000' }],
    });
    sim.setPrice('KRW-XRP', 1000);
    db = await openDatabase({ databaseUrl: 'memory://' });
    client = new UpbitClient({ baseUrl: sim.baseUrl, keys: async () => KEYS, maxRetries: 0 });
    const watched = new Proxy(client, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push([String(name), args[0]]);
          return value.apply(target, args);
        };
      },
    });
    submitOrder = createOrderActivities({ db, exchange: () => watched }).submitOrder;
  }, 60_000);

  afterAll(async () => {
    await sim?.close();
    await db?.close();
  });

  // Each test its own session, capped (150,000 KRW in coins and resting bids unless given); each entry asks 90,000.
  const entry = async (sessionId: string, positionId: string, maxCapitalKrw = 150_000): Promise<SubmitOrderInput> => {
    await db.prisma.session.upsert({
      where: { id: sessionId },
      update: {},
      create: {
        id: sessionId,
        name: sessionId,
        mode: 'sim',
        strategy: 'probe',
        status: 'running',
        config: { risk: { maxCapitalKrw } },
      },
    });
    await db.prisma.position.create({
      data: { id: positionId, sessionId, market: 'KRW-XRP', status: 'entering', exitPlan: {} },
    });
    return {
      sessionId,
      positionId,
      mode: 'sim',
      market: 'KRW-XRP',
      side: 'bid',
      ordType: 'limit',
      // Below the market: the bid rests and keeps its KRW locked.
      price: '900',
      volume: '100',
      purpose: 'entry',
      orderId: `ord-${positionId}-1`,
      identifier: `ord-${positionId}-1-s1`,
    };
  };
  const onExchange = async (identifier: string) =>
    (await client.ordersByIds({ identifiers: [identifier] })).filter((o) => o.identifier === identifier);

  it('posts on its first try without looking the identifier up first', async () => {
    const input = await entry('s-first', 'p-first');
    calls.length = 0;
    const view = await submitLocally(input);
    expect(view.state).toBe('wait');
    expect(calls[0]).toEqual(['createOrder', expect.objectContaining({ identifier: input.identifier })]);
    expect(calls.filter(([name]) => name === 'getOrder' || name === 'ordersByIds')).toHaveLength(1);
    await client.cancelOrder({ uuid: view.uuid });
  });

  it('a rerun of an entry placed and recorded before a crash adopts it, though the cap now counts that order', async () => {
    const input = await entry('s-rerun', 'p-rerun');
    const first = await submitLocally(input);
    // The crashed run's order rests (90,000 KRW); another 90,000 would pass the 150,000 cap.
    const again = await submitLocally(input);
    expect(again.uuid).toBe(first.uuid);
    expect(await onExchange(input.identifier)).toHaveLength(1);
    const kinds = (await db.prisma.riskEvent.findMany({ where: { sessionId: 's-rerun' } })).map((e) => e.kind);
    expect(kinds).toContain('order_adopted');
    expect(kinds).not.toContain('entry_refused');
    await client.cancelOrder({ uuid: first.uuid });
  });

  it('a rerun the account limit lets through posts, is told the identifier is taken, and adopts the order', async () => {
    // A cap with room for both: the rerun posts, and the exchange refuses the identifier it already took.
    const input = await entry('s-posted', 'p-posted', 1_000_000);
    const first = await submitLocally(input);
    calls.length = 0;
    const again = await submitLocally(input);
    expect(calls[0][0]).toBe('createOrder');
    expect(again.uuid).toBe(first.uuid);
    expect(await onExchange(input.identifier)).toHaveLength(1);
    await client.cancelOrder({ uuid: first.uuid });
  });

  it('a new entry the cap refuses is refused, and nothing is placed', async () => {
    const held = await entry('s-cap', 'p-held');
    const resting = await submitLocally(held);
    const input = await entry('s-cap', 'p-refused');
    await expect(submitLocally(input)).rejects.toThrow(/maxCapitalKrw/);
    expect(await onExchange(input.identifier)).toHaveLength(0);
    await client.cancelOrder({ uuid: resting.uuid });
  });
});
