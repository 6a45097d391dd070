import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from './server';
import { specClient } from './spec-client';

let sim: Simulator;
let a: ReturnType<typeof specClient>;
let b: ReturnType<typeof specClient>;
const M = 'KRW-XRP';

beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    seed: 17,
    tickMs: 600_000, // the outside market stands still: only these tests trade
    historyMinutes: 200,
    rateLimitScale: 10,
    accounts: [
      { accessKey: 'ak-a', secretKey: 'sk-a', krw: '1000000', holdings: { XRP: '100' } },
      { accessKey: 'ak-b', secretKey: 'sk-b', krw: '1000000', holdings: { XRP: '100' } },
    ],
  });
  a = specClient(sim.baseUrl, 'ak-a', 'sk-a');
  b = specClient(sim.baseUrl, 'ak-b', 'sk-b');
});
afterAll(async () => {
  await sim?.close();
});

const book = () => sim.markets.get(M)!;
const order = async (c: typeof a, uuid: string) => (await c.call('GET', '/v1/order', { uuid })).data;
const place = async (c: typeof a, body: Record<string, string>) => {
  const r = await c.call('POST', '/v1/orders', { market: M, ...body });
  expect(r.status, JSON.stringify(r.data)).toBe(201);
  return r.data;
};

describe('matching between simulator accounts', () => {
  it('price-time priority: the better price first, then the earlier order; the taker gets maker prices', async () => {
    const inside = book().asks[0].price; // resting asks strictly inside the outside book
    const bestBid = book().bids[0].price;
    expect(inside - bestBid).toBeGreaterThan(0);
    // Both accounts rest asks above the bid; A first at the higher price, B later at the same price, then A again lower.
    const high = String(book().asks[1].price);
    const a1 = await place(a, { side: 'ask', ord_type: 'limit', price: high, volume: '3' });
    const b1 = await place(b, { side: 'ask', ord_type: 'limit', price: high, volume: '3' });
    const a2 = await place(a, { side: 'ask', ord_type: 'limit', price: String(inside), volume: '2' });
    // The synthetic level at `inside` and at `high` come first at equal price; empty them so only our orders match.
    for (const l of book().asks) l.size = 0;
    const taker = await place(b, { side: 'bid', ord_type: 'limit', price: high, volume: '4', time_in_force: 'ioc' });
    const t = await order(b, taker.uuid);
    expect(t.executed_volume).toBe('4');
    expect(t.trades.map((x: { price: string; volume: string }) => [x.price, x.volume])).toEqual([
      [String(inside), '2'],
      [high, '2'],
    ]);
    expect((await order(a, a2.uuid)).state).toBe('done');
    expect((await order(a, a1.uuid)).executed_volume).toBe('2');
    expect((await order(b, b1.uuid)).executed_volume).toBe('0');
    // The taker paid the maker prices plus fee, and nothing stays locked once the IOC ends.
    const funds = new Decimal(inside).mul(2).plus(new Decimal(high).mul(2));
    expect(t.executed_funds).toBe(funds.toFixed());
    expect(t.paid_fee).toBe(funds.mul('0.0005').toFixed());
    await a.call('DELETE', '/v1/order', { uuid: a1.uuid });
    await b.call('DELETE', '/v1/order', { uuid: b1.uuid });
    expect((await b.balances()).KRW.locked).toBe('0');
  });

  it('fok that cannot fill completely is cancelled with no trade and nothing locked', async () => {
    const before = await a.balances();
    const price = String(book().asks[0].price);
    book().asks[0].size = 5;
    const o = await place(a, { side: 'bid', ord_type: 'limit', price, volume: '200', time_in_force: 'fok' });
    const got = await order(a, o.uuid);
    expect(got.state).toBe('cancel');
    expect(got.trades).toEqual([]);
    expect(await a.balances()).toEqual(before);
  });

  it('post_only that would take is cancelled instead of taking', async () => {
    for (const l of book().asks) l.size = 1000;
    const o = await place(a, {
      side: 'bid',
      ord_type: 'limit',
      price: String(book().asks[0].price),
      volume: '2',
      time_in_force: 'post_only',
    });
    const got = await order(a, o.uuid);
    expect(got.state).toBe('cancel');
    expect(got.executed_volume).toBe('0');
    expect((await a.balances()).KRW.locked).toBe('0');
  });

  it('self-match prevention: cancel_maker (the default) drops the resting own order, cancel_taker the new one', async () => {
    const ask = String(book().asks[0].price);
    for (const l of book().asks) l.size = 0;
    const resting = await place(a, { side: 'ask', ord_type: 'limit', price: ask, volume: '2' });
    const taker = await place(a, { side: 'bid', ord_type: 'limit', price: ask, volume: '2', time_in_force: 'ioc' });
    expect((await order(a, resting.uuid)).state).toBe('cancel');
    const t = await order(a, taker.uuid);
    expect([t.state, t.executed_volume]).toEqual(['cancel', '0']);

    const resting2 = await place(a, { side: 'ask', ord_type: 'limit', price: ask, volume: '2' });
    const taker2 = await place(a, {
      side: 'bid',
      ord_type: 'limit',
      price: ask,
      volume: '2',
      smp_type: 'cancel_taker',
    });
    expect((await order(a, taker2.uuid)).state).toBe('cancel');
    expect((await order(a, resting2.uuid)).state).toBe('wait');
    await a.call('DELETE', '/v1/order', { uuid: resting2.uuid });
    const after = await a.balances();
    expect([after.KRW.locked, after.XRP.locked]).toEqual(['0', '0']);
  });

  it('market sell, best ioc bid, cancel_and_new, batch and open cancels, closed list, test orders', async () => {
    for (const l of [...book().asks, ...book().bids]) l.size = 1000;
    const sell = await place(a, { side: 'ask', ord_type: 'market', volume: '5' });
    const s = await order(a, sell.uuid);
    expect(s.state).toBe('done');
    expect(s.price).toBeNull();
    expect(s.trades[0].price).toBe(String(book().bids[0].price));

    const best = await place(a, { side: 'bid', ord_type: 'best', price: '10000', time_in_force: 'ioc' });
    const bo = await order(a, best.uuid);
    expect(Number(bo.executed_funds)).toBeLessThanOrEqual(10000);
    expect(Number(bo.executed_volume)).toBeGreaterThan(0);
    expect(bo.trades.every((x: { price: string }) => x.price === String(book().asks[0].price))).toBe(true);

    const low = String(book().bids[10].price);
    const lower = String(book().bids[12].price);
    const first = await place(a, { side: 'bid', ord_type: 'limit', price: low, volume: '3', identifier: 'cn-1' });
    const cn = await a.call('POST', '/v1/orders/cancel_and_new', {
      prev_order_uuid: first.uuid,
      new_ord_type: 'limit',
      new_price: lower,
      new_volume: 'remain_only',
      new_identifier: 'cn-2',
    });
    expect(cn.status).toBe(201);
    expect(cn.data.uuid).toBe(first.uuid);
    expect(cn.data.new_order_identifier).toBe('cn-2');
    const replaced = await order(a, cn.data.new_order_uuid);
    expect([replaced.price, replaced.volume, replaced.state]).toEqual([lower, '3', 'wait']);
    expect((await order(a, first.uuid)).state).toBe('cancel');

    const other = await place(a, { side: 'bid', ord_type: 'limit', price: lower, volume: '2', identifier: 'batch-1' });
    const batch = await a.call('DELETE', '/v1/orders/uuids', 'identifiers[]=batch-1&identifiers[]=nope');
    expect(batch.data.success).toEqual({ count: 1, orders: [{ uuid: other.uuid, market: M, identifier: 'batch-1' }] });
    expect(batch.data.failed.count).toBe(1);
    const all = await a.call('DELETE', '/v1/orders/open', { pairs: M });
    expect(all.data.success.count).toBe(1);
    expect((await a.call('GET', '/v1/orders/open', { market: M })).data).toEqual([]);
    const closed = await a.call('GET', '/v1/orders/closed', { market: M, limit: '100' });
    expect(closed.data.length).toBeGreaterThanOrEqual(5);
    expect(closed.data.every((o: { state: string }) => o.state === 'done' || o.state === 'cancel')).toBe(true);
    const uuids = await a.call('GET', '/v1/orders/uuids', `uuids[]=${sell.uuid}&uuids[]=${best.uuid}`);
    expect(uuids.data.map((o: { uuid: string }) => o.uuid).sort()).toEqual([sell.uuid, best.uuid].sort());

    const before = await a.balances();
    const test = await a.call('POST', '/v1/orders/test', {
      market: M,
      side: 'bid',
      ord_type: 'limit',
      price: lower,
      volume: '2',
    });
    expect(test.status).toBe(201);
    expect((await a.call('GET', '/v1/order', { uuid: test.data.uuid })).data.error.name).toBe('order_not_found');
    expect(await a.balances()).toEqual(before);
    expect(new Decimal(before.KRW.locked).isZero()).toBe(true);
  });
});
