import { randomUUID } from 'node:crypto';
import axios, { type AxiosResponse } from 'axios';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from './server';
import { specClient } from './spec-client';

const AK = 'test-access';
const SK = 'test-secret';
let sim: Simulator;
let token: ReturnType<typeof specClient>['token'];
let call: ReturnType<typeof specClient>['call'];
let balances: ReturnType<typeof specClient>['balances'];

beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    seed: 7,
    tickMs: 60_000,
    accounts: [{ accessKey: AK, secretKey: SK, krw: '1000000', holdings: { XRP: '100' } }],
    historyMinutes: 1200,
  });
  ({ token, call, balances } = specClient(sim.baseUrl, AK, SK));
});
afterAll(async () => {
  await sim?.close();
});

describe('authentication', () => {
  it('rejects a missing token with no_authorization_token', async () => {
    const r = await axios.get(`${sim.baseUrl}/v1/accounts`, { validateStatus: () => true });
    expect(r.status).toBe(401);
    expect(r.data).toEqual({ error: { name: 'no_authorization_token', message: expect.any(String) } });
  });
  it('carries Remaining-Req even on refused requests', async () => {
    const r = await axios.get(`${sim.baseUrl}/v1/accounts`, { validateStatus: () => true });
    expect(r.headers['remaining-req']).toMatch(/^group=default; min=1800; sec=\d+$/);
  });
  it('rejects a malformed JWT and a wrong secret with jwt_verification', async () => {
    for (const auth of ['Bearer not.a.jwt', `Bearer ${token(null, { secret: 'wrong' })}`]) {
      const r = await axios.get(`${sim.baseUrl}/v1/accounts`, {
        headers: { Authorization: auth },
        validateStatus: () => true,
      });
      expect(r.status).toBe(401);
      expect(r.data.error.name).toBe('jwt_verification');
    }
  });
  it('accepts HS256 and HS512; rejects a reused nonce', async () => {
    const nonce = randomUUID();
    expect((await call('GET', '/v1/accounts', undefined, { alg: 'HS256', nonce })).status).toBe(200);
    const again = await call('GET', '/v1/accounts', undefined, { nonce });
    expect(again.status).toBe(401);
    expect(again.data.error.name).toBe('nonce_used');
  });
  it('rejects a wrong or missing query hash with invalid_query_payload', async () => {
    const wrong = await call('GET', '/v1/orders/chance', { market: 'KRW-BTC' }, { hash: 'ab'.repeat(64) });
    expect(wrong.status).toBe(401);
    expect(wrong.data.error.name).toBe('invalid_query_payload');
    const r = await axios.get(`${sim.baseUrl}/v1/orders/chance?market=KRW-BTC`, {
      headers: { Authorization: `Bearer ${token(null)}` },
      validateStatus: () => true,
    });
    expect(r.data.error.name).toBe('invalid_query_payload');
  });
  it('hashes array parameters unencoded, brackets and all', async () => {
    const r = await call('GET', '/v1/orders/open', 'states[]=wait&states[]=watch');
    expect(r.status).toBe(200);
    expect(Array.isArray(r.data)).toBe(true);
  });
});

describe('quotation', () => {
  it('serves candles newest first with numbers, and a Remaining-Req header', async () => {
    const r = await axios.get(`${sim.baseUrl}/v1/candles/minutes/1?market=KRW-BTC&count=200`);
    expect(r.headers['remaining-req']).toMatch(/^group=candle; min=\d+; sec=\d+$/);
    expect(r.data).toHaveLength(200);
    expect(typeof r.data[0].trade_price).toBe('number');
    expect(r.data[0].candle_date_time_utc > r.data[1].candle_date_time_utc).toBe(true);
  });
  it('keeps 1,000+ one-minute candles of history per market', async () => {
    let to = '';
    let total = 0;
    for (let i = 0; i < 6; i++) {
      const r = await axios.get(`${sim.baseUrl}/v1/candles/minutes/1?market=KRW-PEPE&count=200${to}`);
      total += r.data.length;
      to = `&to=${encodeURIComponent(`${r.data[r.data.length - 1].candle_date_time_utc}Z`)}`;
      await new Promise((res) => setTimeout(res, 120));
    }
    expect(total).toBe(1200);
  });
  it('answers an unknown market with 404 Code not found and a bad count with 400', async () => {
    const r = await axios.get(`${sim.baseUrl}/v1/ticker?markets=KRW-NOPE`, { validateStatus: () => true });
    expect(r.status).toBe(404);
    expect(r.data).toEqual({ error: { name: 404, message: 'Code not found' } });
    const c = await axios.get(`${sim.baseUrl}/v1/candles/minutes/1?market=KRW-BTC&count=201`, {
      validateStatus: () => true,
    });
    expect(c.status).toBe(400);
    expect(c.data.error.name).toBe(400);
  });
  it('allows browsers (an Origin header) one quotation request per 10 seconds', async () => {
    const headers = { Origin: 'http://localhost:5173' };
    const first = await axios.get(`${sim.baseUrl}/v1/market/all`, { headers, validateStatus: () => true });
    const second = await axios.get(`${sim.baseUrl}/v1/market/all`, { headers, validateStatus: () => true });
    expect([first.status, second.status]).toEqual([200, 429]);
  });
  it('returns 429 once a group spends its per-second budget', async () => {
    await new Promise((res) => setTimeout(res, 1000 - (Date.now() % 1000)));
    const replies = await Promise.all(
      Array.from({ length: 14 }, () =>
        axios.get(`${sim.baseUrl}/v1/orderbook?markets=KRW-BTC`, { validateStatus: () => true }),
      ),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(4);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(10);
  });
});

describe('orders', () => {
  // The `order` group allows 12 requests a second: start each test on a fresh second.
  beforeEach(async () => {
    await new Promise((res) => setTimeout(res, 1000 - (Date.now() % 1000)));
  });
  const expectError = (r: AxiosResponse, status: number, name: string) => {
    expect(r.status).toBe(status);
    expect(r.data).toEqual({ error: { name, message: expect.any(String) } });
  };

  it('rejects every invalid order with the Upbit error and leaves balances alone', async () => {
    const before = await balances();
    const bid = { market: 'KRW-BTC', side: 'bid', ord_type: 'limit' };
    expectError(
      await call('POST', '/v1/orders', { ...bid, price: '100000500', volume: '0.001' }),
      400,
      'invalid_price_bid',
    );
    expectError(
      await call('POST', '/v1/orders', { ...bid, price: '1000000', volume: '0.001' }),
      400,
      'under_min_total_bid',
    );
    expectError(
      await call('POST', '/v1/orders', { ...bid, price: '100000000', volume: '1' }),
      400,
      'insufficient_funds_bid',
    );
    expectError(
      await call('POST', '/v1/orders', { ...bid, price: '100000000', volume: 'NaN' }),
      400,
      'validation_error',
    );
    expectError(
      await call('POST', '/v1/orders', { ...bid, price: '100000000', volume: '-0.001' }),
      400,
      'validation_error',
    );
    expectError(
      await call('POST', '/v1/orders', { ...bid, market: 'KRW-NOPE', price: '100', volume: '100' }),
      400,
      'notfoundmarket',
    );
    expectError(
      await call('POST', '/v1/orders', {
        market: 'KRW-XRP',
        side: 'ask',
        ord_type: 'limit',
        price: '10000',
        volume: '101',
      }),
      400,
      'insufficient_funds_ask',
    );
    expectError(
      await call('POST', '/v1/orders', { market: 'KRW-XRP', side: 'ask', ord_type: 'price', price: '10000' }),
      400,
      'create_ask_error',
    );
    expectError(
      await call('POST', '/v1/orders', {
        ...bid,
        price: '100000000',
        volume: '0.001',
        time_in_force: 'post_only',
        smp_type: 'reduce',
      }),
      400,
      'invalid_post_only',
    );
    expectError(
      await call('POST', '/v1/orders', { ...bid, ord_type: 'best', price: '10000' }),
      400,
      'invalid_time_in_force',
    );
    const big = await axios.post(
      `${sim.baseUrl}/v1/orders`,
      { ...bid, price: '100000000', volume: '0.001', pad: 'x'.repeat(20_000) },
      {
        headers: { Authorization: `Bearer ${token('x')}` },
        validateStatus: () => true,
      },
    );
    expect(big.status).toBe(413);
    expect(big.data.error.name).toBe('validation_error');
    expect(await balances()).toEqual(before);
  });

  it('never takes an identifier twice, even after a rejected request', async () => {
    const id = `id-${randomUUID()}`;
    const bad = await call('POST', '/v1/orders', {
      market: 'KRW-BTC',
      side: 'bid',
      ord_type: 'limit',
      price: '100000000',
      volume: '1',
      identifier: id,
    });
    expectError(bad, 400, 'insufficient_funds_bid');
    const again = await call('POST', '/v1/orders', {
      market: 'KRW-BTC',
      side: 'bid',
      ord_type: 'limit',
      price: '1000',
      volume: '10',
      identifier: id,
    });
    expectError(again, 400, 'duplicated_identifier');
  });

  it('locks price x volume + fee on a resting bid and releases it exactly on cancel', async () => {
    const m = sim.markets.get('KRW-XRP')!;
    const price = String(m.bids[5].price);
    const before = await balances();
    const r = await call('POST', '/v1/orders', {
      market: 'KRW-XRP',
      side: 'bid',
      ord_type: 'limit',
      price,
      volume: '10',
      identifier: `lock-${randomUUID()}`,
    });
    expect(r.status).toBe(201);
    expect(r.data.state).toBe('wait');
    const locked = new Decimal(price).mul(10).mul('1.0005');
    expect(r.data.locked).toBe(locked.toFixed());
    expect(r.data.reserved_fee).toBe(new Decimal(price).mul(10).mul('0.0005').toFixed());
    const during = await balances();
    expect(new Decimal(during.KRW.locked).minus(before.KRW.locked).toFixed()).toBe(locked.toFixed());
    expect(new Decimal(before.KRW.balance).minus(during.KRW.balance).toFixed()).toBe(locked.toFixed());
    const got = await call('GET', '/v1/order', { uuid: r.data.uuid });
    expect(got.data.trades).toEqual([]);
    const c = await call('DELETE', '/v1/order', { uuid: r.data.uuid });
    expect(c.status).toBe(200);
    expect(c.data.uuid).toBe(r.data.uuid);
    expect(await balances()).toEqual(before);
    const after = await call('GET', '/v1/order', { identifier: r.data.identifier });
    expect(after.data.state).toBe('cancel');
  });

  it('fills a resting ask in parts as the market trades through it, then fully on a forced price', async () => {
    const m = sim.markets.get('KRW-XRP')!;
    const before = await balances();
    const price = m.asks[3].price;
    const r = await call('POST', '/v1/orders', {
      market: 'KRW-XRP',
      side: 'ask',
      ord_type: 'limit',
      price: String(price),
      volume: '20',
    });
    expect(r.status).toBe(201);
    expect((await balances()).XRP.locked).toBe('20');
    // A thin buyer-initiated print above the ask takes part of it.
    sim.engine.matchPrint({ market: 'KRW-XRP', price: price + 5, volume: 7.5, askBid: 'BID' });
    const part = await call('GET', '/v1/order', { uuid: r.data.uuid });
    expect(part.data.state).toBe('wait');
    expect(part.data.executed_volume).toBe('7.5');
    expect(part.data.remaining_volume).toBe('12.5');
    expect(part.data.trades).toHaveLength(1);
    sim.setPrice('KRW-XRP', price);
    const done = await call('GET', '/v1/order', { uuid: r.data.uuid });
    expect(done.data.state).toBe('done');
    expect(done.data.executed_volume).toBe('20');
    const after = await balances();
    const proceeds = new Decimal(price).mul(20);
    const fee = proceeds.mul('0.0005');
    expect(after.KRW.balance).toBe(new Decimal(before.KRW.balance).plus(proceeds).minus(fee).toFixed());
    expect(done.data.paid_fee).toBe(fee.toFixed());
    expect(after.XRP.balance).toBe('80');
    expect(after.XRP.locked).toBe('0');
  });

  it('a limit bid at or above the best ask takes at once, walking the book', async () => {
    const m = sim.markets.get('KRW-SAND')!;
    const limit = m.asks[2].price;
    const volume = Math.ceil((m.asks[0].size + m.asks[1].size) * 1.2);
    const r = await call('POST', '/v1/orders', {
      market: 'KRW-SAND',
      side: 'bid',
      ord_type: 'limit',
      price: String(limit),
      volume: String(volume),
      time_in_force: 'ioc',
    });
    expect(r.status).toBe(201);
    const o = await call('GET', '/v1/order', { uuid: r.data.uuid });
    expect(o.data.trades.length).toBeGreaterThanOrEqual(2);
    expect(Number(o.data.executed_volume)).toBeGreaterThan(0);
    expect(new Set(o.data.trades.map((t: { price: string }) => t.price)).size).toBeGreaterThanOrEqual(2);
    const b = await balances();
    expect(b.KRW.locked).toBe('0');
  });

  it('a market buy spends its KRW and ends cancel with dust, or done', async () => {
    const r = await call('POST', '/v1/orders', { market: 'KRW-BTC', side: 'bid', ord_type: 'price', price: '10000' });
    expect(r.status).toBe(201);
    expect(r.data.volume).toBeNull();
    const o = await call('GET', '/v1/order', { uuid: r.data.uuid });
    expect(['cancel', 'done']).toContain(o.data.state);
    expect(Number(o.data.executed_volume)).toBeGreaterThan(0);
    expect(Number(o.data.executed_funds)).toBeLessThanOrEqual(10000);
  });
});
