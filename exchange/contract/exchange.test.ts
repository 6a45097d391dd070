// Exchange REST: accounts, order entry, queries and every cancel, with exact money checks and each
// documented rejection mapped to its typed error. Our client against the simulator.
import Decimal from 'decimal.js';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bidLocked, feeOn, floorVolume, orderTotal, roundToTick, stepTicks } from '../../core/market';
import type { UpbitClient } from '../upbit/client';
import {
  DuplicatedIdentifier,
  errorFromResponse,
  InsufficientFundsAsk,
  InsufficientFundsBid,
  InvalidPriceBid,
  JwtVerification,
  NoAuthorizationToken,
  NonceUsed,
  OrderNotFound,
  UnderMinTotalBid,
  UpbitError,
  UpbitRejected,
} from '../upbit/errors';
import { fetchMarketRules } from '../upbit/market-rules';
import { authorizationHeader, encodedQueryString, jwtPayload } from '../upbit/signing';
import type { Order } from '../upbit/types';
import { SIM_KEYS, type SimHandle, startSim } from './simulator';

const MARKET = 'KRW-BTC';
let sim: SimHandle;
let client: UpbitClient;
let runId = 0;
/** Identifiers are unique per account forever; each run of the suite uses fresh ones. */
const ident = (name: string) => `contract-${runId}-${name}`;

beforeAll(async () => {
  sim = await startSim();
  client = sim.client();
  runId = Date.now();
});
afterAll(async () => {
  await sim?.close();
});

async function bestPrices(market = MARKET): Promise<{ bid: Decimal; ask: Decimal }> {
  const [book] = await client.orderbook([market]);
  return { bid: new Decimal(book.orderbook_units[0].bid_price), ask: new Decimal(book.orderbook_units[0].ask_price) };
}

/** A limit bid far enough below the market to rest, worth about `krw`. */
async function restingBid(
  krw: number,
  identifier?: string,
  market = MARKET,
): Promise<{ order: Order; price: Decimal; volume: Decimal }> {
  const { bid } = await bestPrices(market);
  const price = roundToTick('KRW', bid.mul('0.9'), 'bid');
  const volume = floorVolume(new Decimal(krw).div(price));
  const order = await client.createOrder({
    market,
    side: 'bid',
    ord_type: 'limit',
    price: price.toFixed(),
    volume: volume.toFixed(),
    identifier,
  });
  return { order, price, volume };
}

function krwRow(accounts: Awaited<ReturnType<UpbitClient['accounts']>>) {
  const row = accounts.find((a) => a.currency === 'KRW');
  if (!row) throw new Error('no KRW row in /v1/accounts');
  return { balance: new Decimal(row.balance), locked: new Decimal(row.locked) };
}

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('accounts and market rules', () => {
  it('accounts: decimal strings, KRW row present', async () => {
    const accounts = await client.accounts();
    const krw = accounts.find((a) => a.currency === 'KRW');
    expect(krw).toBeDefined();
    for (const field of ['balance', 'locked', 'avg_buy_price'] as const) {
      expect(typeof krw?.[field]).toBe('string');
      expect(new Decimal(krw![field]).isFinite()).toBe(true);
    }
    expect(krw?.unit_currency).toBe('KRW');
    expect(new Decimal(krw!.balance).gt(100_000)).toBe(true);
  });

  it('chance: fees, totals and state read into Decimal rules', async () => {
    const chance = await client.chance(MARKET);
    expect(chance.market.id).toBe(MARKET);
    expect(chance.market.bid.currency).toBe('KRW');
    expect(chance.market.ask.currency).toBe('BTC');
    expect(chance.bid_account.currency).toBe('KRW');
    const rules = await fetchMarketRules(client, MARKET);
    expect(rules.bidFee.toFixed()).toBe('0.0005');
    expect(rules.askFee.toFixed()).toBe('0.0005');
    expect(rules.minTotal.toFixed()).toBe('5000');
    expect(rules.maxTotal.toFixed()).toBe('1000000000');
    expect(rules.state).toBe('active');
  });
});

describe('order life cycle', () => {
  it('a resting limit bid locks price x volume + fee exactly, is found every way, and cancels', async () => {
    const before = krwRow(await client.accounts());
    const { order, price, volume } = await restingBid(20_000, ident('rest'));
    expect(order.state).toBe('wait');
    expect(order.side).toBe('bid');
    expect(order.ord_type).toBe('limit');
    expect(order.market).toBe(MARKET);
    expect(order.identifier).toBe(ident('rest'));
    expect(new Decimal(order.price!).eq(price)).toBe(true);
    expect(new Decimal(order.volume!).eq(volume)).toBe(true);
    expect(new Decimal(order.remaining_volume!).eq(volume)).toBe(true);
    expect(new Decimal(order.executed_volume).isZero()).toBe(true);
    expect(new Decimal(order.reserved_fee).eq(feeOn(orderTotal(price, volume)))).toBe(true);
    expect(new Decimal(order.locked).eq(bidLocked(price, volume))).toBe(true);
    expect(order.created_at).toMatch(/\+09:00$/);
    expect(order.trades_count).toBe(0);

    const after = krwRow(await client.accounts());
    expect(after.locked.minus(before.locked).eq(bidLocked(price, volume))).toBe(true);
    expect(before.balance.minus(after.balance).eq(bidLocked(price, volume))).toBe(true);

    const byUuid = await client.getOrder({ uuid: order.uuid });
    expect(byUuid.uuid).toBe(order.uuid);
    expect(byUuid.trades).toEqual([]);
    const byIdent = await client.getOrder({ identifier: ident('rest') });
    expect(byIdent.uuid).toBe(order.uuid);
    const open = await client.openOrders({ market: MARKET, states: ['wait'] });
    expect(open.map((o) => o.uuid)).toContain(order.uuid);
    const [listed] = await client.ordersByIds({ uuids: [order.uuid] });
    expect(listed.uuid).toBe(order.uuid);
    const [listedByIdent] = await client.ordersByIds({ identifiers: [ident('rest')] });
    expect(listedByIdent.uuid).toBe(order.uuid);

    const cancelled = await client.cancelOrder({ uuid: order.uuid });
    expect(cancelled.uuid).toBe(order.uuid);
    const done = await eventually(
      () => client.getOrder({ uuid: order.uuid }),
      (o) => o.state === 'cancel',
    );
    expect(done.state).toBe('cancel');
    const closed = await client.closedOrders({
      market: MARKET,
      states: ['cancel'],
      startTime: new Date(Date.now() - 60_000),
    });
    expect(closed.map((o) => o.uuid)).toContain(order.uuid);
    const released = krwRow(await client.accounts());
    expect(released.locked.eq(before.locked)).toBe(true);
    expect(released.balance.eq(before.balance)).toBe(true);
  });

  it('parameters with reserved characters are hashed raw and sent encoded', async () => {
    const identifier = ident('a:b+c d/é');
    const { order } = await restingBid(10_000, identifier);
    const found = await client.getOrder({ identifier });
    expect(found.uuid).toBe(order.uuid);
    // ISO time with an offset: `:` and `+` must stay literal in the hash and be encoded on the wire.
    const startTime = new Date(Date.now() - 3_600_000 + 9 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, '+09:00');
    const open = await client.openOrders({ market: MARKET });
    expect(open.map((o) => o.uuid)).toContain(order.uuid);
    await client.cancelOrder({ identifier });
    const closed = await eventually(
      () => client.closedOrders({ market: MARKET, startTime }),
      (list) => list.some((o) => o.uuid === order.uuid),
    );
    expect(closed.map((o) => o.uuid)).toContain(order.uuid);
  });

  it('amounts go out in fixed notation, whatever notation the caller has (Decimal writes 5e-8)', async () => {
    const keys = { accessKey: `tiny-${runId}`, secretKey: `tiny-secret-${runId}` };
    await sim.admin('/admin/keys', { ...keys, krw: '100000', holdings: { BTC: '0.0000001' } });
    const tiny = sim.client({ keys });
    // 0.00000005 BTC at 100,000,000,000 KRW is 5,000 KRW: the minimum total, far above the market.
    const volume = new Decimal('0.00000005').toString();
    expect(volume).toBe('5e-8');
    const ask = await tiny.createOrder({
      market: MARKET,
      side: 'ask',
      ord_type: 'limit',
      price: '100000000000',
      volume,
      identifier: ident('tiny-ask'),
    });
    expect(ask.volume).toBe('0.00000005');
    // A price under 1e-7 too: 50,000,000,000 BTC at 0.0000001 KRW is 5,000 KRW.
    const price = new Decimal('0.0000001').toString();
    expect(price).toBe('1e-7');
    const bid = await tiny.createOrder({
      market: MARKET,
      side: 'bid',
      ord_type: 'limit',
      price,
      volume: '50000000000',
      identifier: ident('tiny-bid'),
    });
    expect(bid.price).toBe('0.0000001');
    await tiny.cancelOrder({ uuid: ask.uuid });
    await tiny.cancelOrder({ uuid: bid.uuid });
  });

  it('cancel by identifiers in a batch, and every open order of a pair at once', async () => {
    await restingBid(10_000, ident('batch-a'));
    await restingBid(10_000, ident('batch-b'));
    const batch = await client.cancelOrders({ identifiers: [ident('batch-a'), ident('batch-b')] });
    expect(batch.success.count).toBe(2);
    expect(batch.success.orders.map((o) => o.identifier).sort()).toEqual([ident('batch-a'), ident('batch-b')]);
    expect(batch.failed.count).toBe(0);

    const { order: c } = await restingBid(10_000);
    const { order: d } = await restingBid(10_000);
    const all = await client.cancelOpenOrders({ cancelSide: 'bid', pairs: [MARKET] });
    const cancelledIds = all.success.orders.map((o) => o.uuid);
    expect(cancelledIds).toEqual(expect.arrayContaining([c.uuid, d.uuid]));
    const open = await eventually(
      () => client.openOrders({ market: MARKET }),
      (list) => list.length === 0,
    );
    expect(open).toEqual([]);
  });

  it('bulk cancel leaves excluded pairs alone', async () => {
    const { order: btc } = await restingBid(10_000, undefined, 'KRW-BTC');
    const { order: eth } = await restingBid(10_000, undefined, 'KRW-ETH');
    const result = await client.cancelOpenOrders({ excludedPairs: ['KRW-ETH'], count: 50 });
    const cancelled = result.success.orders.map((o) => o.uuid);
    expect(cancelled).toContain(btc.uuid);
    expect(cancelled).not.toContain(eth.uuid);
    expect((await client.getOrder({ uuid: eth.uuid })).state).toBe('wait');
    await client.cancelOrder({ uuid: eth.uuid });
  });

  it('cancel-and-new replaces the price and links the new order', async () => {
    const { order, price } = await restingBid(10_000, ident('cnn-old'));
    const newPrice = stepTicks('KRW', price, -2);
    const result = await client.cancelAndNew({
      prev_order_uuid: order.uuid,
      new_ord_type: 'limit',
      new_price: newPrice.toFixed(),
      new_volume: 'remain_only',
      new_identifier: ident('cnn-new'),
    });
    expect(result.uuid).toBe(order.uuid);
    expect(typeof result.new_order_uuid).toBe('string');
    expect(result.new_order_identifier).toBe(ident('cnn-new'));
    const fresh = await eventually(
      () => client.getOrder({ uuid: result.new_order_uuid }),
      (o) => o.state === 'wait',
    );
    expect(new Decimal(fresh.price!).eq(newPrice)).toBe(true);
    expect(fresh.volume).toBe(order.volume);
    const old = await eventually(
      () => client.getOrder({ uuid: order.uuid }),
      (o) => o.state === 'cancel',
    );
    expect(old.state).toBe('cancel');
    await client.cancelOrder({ identifier: ident('cnn-new') });
  });

  it('a market buy fills (executed volume > 0) and the coins can be sold back at market', async () => {
    const buy = await client.createOrder({ market: MARKET, side: 'bid', ord_type: 'price', price: '20000' });
    expect(buy.ord_type).toBe('price');
    const filled = await eventually(
      () => client.getOrder({ uuid: buy.uuid }),
      (o) => o.state !== 'wait',
    );
    // Market buys often end `cancel` with dust left: judge by executed volume.
    expect(['done', 'cancel']).toContain(filled.state);
    const bought = new Decimal(filled.executed_volume);
    expect(bought.gt(0)).toBe(true);
    expect(filled.trades.length).toBeGreaterThan(0);
    const tradedVolume = filled.trades.reduce((s, t) => s.plus(t.volume), new Decimal(0));
    expect(tradedVolume.eq(bought)).toBe(true);
    const funds = filled.trades.reduce((s, t) => s.plus(t.funds), new Decimal(0));
    expect(funds.lte(20_000)).toBe(true);
    expect(new Decimal(filled.paid_fee).eq(feeOn(funds))).toBe(true);

    const sell = await client.createOrder({
      market: MARKET,
      side: 'ask',
      ord_type: 'market',
      volume: bought.toFixed(),
    });
    const sold = await eventually(
      () => client.getOrder({ uuid: sell.uuid }),
      (o) => o.state !== 'wait',
    );
    expect(new Decimal(sold.executed_volume).eq(bought)).toBe(true);
  });

  it('test orders are validated and answered but never created', async () => {
    const { bid } = await bestPrices();
    const price = roundToTick('KRW', bid.mul('0.9'), 'bid');
    const reply = await client.testOrder({
      market: MARKET,
      side: 'bid',
      ord_type: 'limit',
      price: price.toFixed(),
      volume: floorVolume(new Decimal(10_000).div(price)).toFixed(),
    });
    expect(reply.state).toBe('wait');
    const lookup = await client.getOrder({ uuid: reply.uuid }).catch((e) => e);
    expect(lookup).toBeInstanceOf(OrderNotFound);
    const rejected = await client
      .testOrder({ market: MARKET, side: 'bid', ord_type: 'limit', price: price.toFixed(), volume: '0.00000001' })
      .catch((e) => e);
    expect(rejected).toBeInstanceOf(UnderMinTotalBid);
  });
});

describe('rejections map to typed, non-retryable errors that say what was sent', () => {
  it('insufficient funds, minimum total, off-tick price', async () => {
    const { bid } = await bestPrices();
    const price = roundToTick('KRW', bid.mul('0.9'), 'bid');
    const tooMuch = await client
      .createOrder({ market: MARKET, side: 'bid', ord_type: 'limit', price: price.toFixed(), volume: '100000' })
      .catch((e) => e);
    // 100,000 BTC is far above the max total, so either rule may trip first; it must be a rejection.
    expect(tooMuch).toBeInstanceOf(UpbitRejected);
    const funds = await client
      .createOrder({
        market: MARKET,
        side: 'bid',
        ord_type: 'limit',
        price: price.toFixed(),
        volume: floorVolume(new Decimal(900_000_000).div(price)).toFixed(),
      })
      .catch((e) => e);
    expect(funds).toBeInstanceOf(InsufficientFundsBid);
    expect(funds.retryable).toBe(false);
    expect(funds.httpStatus).toBe(400);
    expect(funds.message).toContain('POST /v1/orders');
    expect(funds.message).toContain(price.toFixed());
    expect(funds.message).not.toContain(SIM_KEYS.secretKey);
    expect(funds.message).not.toContain('Bearer');

    const ask = await client
      .createOrder({ market: MARKET, side: 'ask', ord_type: 'market', volume: '1000' })
      .catch((e) => e);
    expect(ask).toBeInstanceOf(InsufficientFundsAsk);

    const small = await client
      .createOrder({ market: MARKET, side: 'bid', ord_type: 'limit', price: price.toFixed(), volume: '0.00000001' })
      .catch((e) => e);
    expect(small).toBeInstanceOf(UnderMinTotalBid);

    // BTC trades in the 1,000 KRW tick band: one KRW above a tick is off the grid.
    const offTick = await client
      .createOrder({ market: MARKET, side: 'bid', ord_type: 'limit', price: price.plus(1).toFixed(), volume: '0.001' })
      .catch((e) => e);
    expect(offTick).toBeInstanceOf(InvalidPriceBid);
  });

  it('an identifier is taken once, even by a rejected order', async () => {
    const id = ident('dup');
    const first = await client
      .createOrder({ market: MARKET, side: 'bid', ord_type: 'limit', price: '1', volume: '1', identifier: id })
      .catch((e) => e);
    expect(first).toBeInstanceOf(UpbitRejected);
    const second = await restingBid(10_000, id).catch((e) => e);
    expect(second).toBeInstanceOf(DuplicatedIdentifier);
  });

  it('unknown orders are typed not-found errors', async () => {
    const err = await client.getOrder({ uuid: '00000000-0000-4000-8000-000000000000' }).catch((e) => e);
    expect(err).toBeInstanceOf(OrderNotFound);
    expect(err.httpStatus).toBe(404);
    const cancel = await client.cancelOrder({ identifier: ident('never-placed') }).catch((e) => e);
    expect(cancel).toBeInstanceOf(OrderNotFound);
  });

  it('authentication: wrong secret, missing token, reused nonce', async () => {
    const wrong = sim.client({ keys: { accessKey: SIM_KEYS.accessKey, secretKey: 'not-the-secret' } });
    const bad = await wrong.accounts().catch((e) => e);
    expect(bad).toBeInstanceOf(JwtVerification);
    expect(bad.retryable).toBe(false);

    const anonymous = await fetch(`${sim.origin}/v1/accounts`);
    const anonError = errorFromResponse(
      { method: 'GET', path: '/v1/accounts' },
      anonymous.status,
      await anonymous.text(),
    );
    expect(anonError).toBeInstanceOf(NoAuthorizationToken);

    // The same token twice: the nonce is spent by the first request.
    const token = jwt.sign(jwtPayload(SIM_KEYS.accessKey), SIM_KEYS.secretKey, {
      algorithm: 'HS512',
      noTimestamp: true,
    });
    const headers = { Authorization: `Bearer ${token}` };
    const firstUse = await fetch(`${sim.origin}/v1/accounts`, { headers });
    expect(firstUse.status).toBe(200);
    const again = await fetch(`${sim.origin}/v1/accounts`, { headers });
    const reused = errorFromResponse({ method: 'GET', path: '/v1/accounts' }, again.status, await again.text());
    expect(reused).toBeInstanceOf(NonceUsed);
  });

  it('a query hash over other parameters than those sent is refused', async () => {
    const signedFor = { market: 'KRW-ETH' };
    const sent = { market: MARKET };
    const res = await fetch(`${sim.origin}/v1/orders/chance?${encodedQueryString(sent)}`, {
      headers: { Authorization: authorizationHeader(SIM_KEYS, signedFor) },
    });
    const err = errorFromResponse({ method: 'GET', path: '/v1/orders/chance' }, res.status, await res.text());
    expect(err).toBeInstanceOf(UpbitError);
    expect(['invalid_query_payload', 'jwt_verification']).toContain(err.upbitName);
    expect(err.httpStatus).toBe(401);
  });
});
