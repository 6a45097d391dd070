// Reconciliation against the simulator and a real database: a failed read changes no record, only the
// exchange's own "order not found" (by uuid and by identifier) ends one; only the session's own orders
// are touched; fills come with the order; every open order page is read; and the account's coins are
// compared with the open positions of every session of the mode (orphans listed, shortfalls flagged).
import { randomUUID } from 'node:crypto';
import Decimal from 'decimal.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { floorVolume, roundToTick } from '../core/market';
import type { TradingMode } from '../core/session/config';
import { type Simulator, startSimulator } from '../exchange/sim/server';
import { UpbitClient } from '../exchange/upbit/client';
import { type Database, openDatabase } from '../prisma/db';
import type { ActivityDeps } from './deps';
import { recordExchangeOrder } from './order-records';
import { PriceFeed } from './price-feed';
import { createReconcileActivities } from './reconcile';

let sim: Simulator;
let db: Database;
let accounts = 0;

async function admin(path: string, body?: object, method = 'POST') {
  const r = await fetch(`${sim.baseUrl.replace(/\/v1$/, '')}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
}

/** A fresh simulator account, and the reconcile activity of a worker whose exchange is that account. */
async function account(holdings: Record<string, string> = {}, krw = '10000000') {
  accounts += 1;
  const keys = { accessKey: `rec-${accounts}-${Date.now()}`, secretKey: `rec-secret-${accounts}` };
  await admin('/admin/keys', { ...keys, krw, holdings });
  const client = new UpbitClient({ baseUrl: sim.baseUrl, keys: async () => keys, maxRetries: 1, retryBaseMs: 50 });
  const exchange = () => client;
  const deps: ActivityDeps = { db, exchange, prices: new PriceFeed(exchange) };
  return { client, deps, reconcile: createReconcileActivities(deps).reconcileSession };
}

async function session(id: string, mode: TradingMode = 'sim') {
  await db.prisma.session.create({ data: { id, name: id, mode, strategy: 'pullback', status: 'running', config: {} } });
}

async function position(sessionId: string, market: string, remainingVolume: string, n = 1) {
  const id = `pos-${sessionId}-${market}-${n}`;
  await db.prisma.position.create({
    data: {
      id,
      sessionId,
      market,
      status: 'open',
      entryPrice: '1',
      volume: remainingVolume,
      remainingVolume,
      exitPlan: {},
    },
  });
  return id;
}

/** A KRW-BTC limit bid 10 % under the market (it rests), worth about `krw`. */
async function restingBid(client: UpbitClient, identifier: string, krw = 10_000) {
  const [book] = await client.orderbook(['KRW-BTC'], { count: 1 });
  const price = roundToTick('KRW', new Decimal(book.orderbook_units[0].bid_price).mul('0.9'), 'bid');
  const volume = floorVolume(new Decimal(krw).div(price));
  const placed = await client.createOrder({
    market: 'KRW-BTC',
    side: 'bid',
    ord_type: 'limit',
    price: price.toFixed(),
    volume: volume.toFixed(),
    identifier,
  });
  return { placed, price, volume };
}

/** What the Order workflow writes when its order is accepted. */
async function recorded(deps: ActivityDeps, client: UpbitClient, sessionId: string, uuid: string) {
  const order = await client.getOrder({ uuid });
  await recordExchangeOrder(deps, { orderId: order.identifier ?? uuid, sessionId, positionId: null }, order);
  return order.identifier ?? uuid;
}

const stateOf = async (identifier: string) =>
  (await db.prisma.order.findUniqueOrThrow({ where: { identifier } })).state;

beforeAll(async () => {
  // No market ticks: prices move only when a test moves them.
  sim = await startSimulator({ port: 0, seed: 9, tickMs: 3_600_000, historyMinutes: 120 });
}, 60_000);
afterAll(async () => {
  await sim?.close();
});
afterEach(async () => {
  await admin('/admin/faults', undefined, 'DELETE');
});

describe('reconcileSession: orders', () => {
  // One database: each session reads only its own orders, which is what these tests check.
  beforeAll(async () => {
    db = await openDatabase({ databaseUrl: 'memory://' });
  }, 60_000);
  afterAll(async () => {
    await db?.close();
  });

  it('changes no record on a failed read; cancels only what the exchange does not know by uuid or identifier', async () => {
    const { client, deps, reconcile } = await account();
    await session('s-read');
    const live = await restingBid(client, `ord-pos-s-read-KRW-BTC-1-1-s1`);
    const liveId = await recorded(deps, client, 's-read', live.placed.uuid);
    // A record whose order never reached the exchange (neither its uuid nor its identifier exist).
    await db.prisma.order.create({
      data: {
        id: 'ord-pos-s-read-KRW-BTC-2-1-s1',
        identifier: 'ord-pos-s-read-KRW-BTC-2-1-s1',
        exchangeUuid: randomUUID(),
        sessionId: 's-read',
        market: 'KRW-BTC',
        side: 'bid',
        ordType: 'limit',
        state: 'wait',
      },
    });

    await admin('/admin/faults', { errorRate: 1 });
    await expect(reconcile({ sessionId: 's-read', mode: 'sim' })).rejects.toThrow();
    expect(await stateOf(liveId)).toBe('wait');
    expect(await stateOf('ord-pos-s-read-KRW-BTC-2-1-s1')).toBe('wait');

    await admin('/admin/faults', undefined, 'DELETE');
    const report = await reconcile({ sessionId: 's-read', mode: 'sim' });
    expect(report.ordersChecked).toBe(2);
    expect(await stateOf(liveId)).toBe('wait');
    expect(await stateOf('ord-pos-s-read-KRW-BTC-2-1-s1')).toBe('cancel');
  }, 60_000);

  it('finds by identifier an order whose uuid the record has wrong, and keeps it', async () => {
    const { client, reconcile } = await account();
    await session('s-ident');
    const identifier = 'ord-pos-s-ident-KRW-BTC-1-1-s1';
    const { placed } = await restingBid(client, identifier);
    await db.prisma.order.create({
      data: {
        id: identifier,
        identifier,
        exchangeUuid: randomUUID(),
        sessionId: 's-ident',
        market: 'KRW-BTC',
        side: 'bid',
        ordType: 'limit',
        state: 'wait',
      },
    });
    await reconcile({ sessionId: 's-ident', mode: 'sim' });
    const row = await db.prisma.order.findUniqueOrThrow({ where: { identifier } });
    expect(row.state).toBe('wait');
    expect(row.exchangeUuid).toBe(placed.uuid);
  }, 60_000);

  it("touches only the session's own orders, not those of another session of the mode", async () => {
    const { reconcile } = await account();
    await session('s-mine');
    await session('s-theirs');
    // The other session's order is not visible to this account: reading it would "not find" it.
    const theirs = 'ord-pos-s-theirs-KRW-BTC-1-1-s1';
    await db.prisma.order.create({
      data: {
        id: theirs,
        identifier: theirs,
        exchangeUuid: randomUUID(),
        sessionId: 's-theirs',
        market: 'KRW-BTC',
        side: 'bid',
        ordType: 'limit',
        state: 'wait',
      },
    });
    const report = await reconcile({ sessionId: 's-mine', mode: 'sim' });
    expect(report.ordersChecked).toBe(0);
    expect(await stateOf(theirs)).toBe('wait');
  }, 60_000);

  it('records the fills and average price of an order that filled while nobody watched', async () => {
    const { client, deps, reconcile } = await account();
    await session('s-fills');
    const { placed, price, volume } = await restingBid(client, 'ord-pos-s-fills-KRW-BTC-1-1-s1');
    const identifier = await recorded(deps, client, 's-fills', placed.uuid);
    // The market trades through the bid: it fills in full at its own price.
    await admin('/admin/price', { market: 'KRW-BTC', price: price.mul('0.99').toNumber() });
    const report = await reconcile({ sessionId: 's-fills', mode: 'sim' });
    expect(report.differences.join('\n')).toMatch(/database wait\/0 vs exchange done/);
    const row = await db.prisma.order.findUniqueOrThrow({ where: { identifier }, include: { fills: true } });
    expect(row.state).toBe('done');
    expect(row.executedVolume.toString()).toBe(volume.toFixed());
    expect(new Decimal(row.avgPrice?.toString() ?? 'NaN').eq(price)).toBe(true);
    expect(row.fills.length).toBeGreaterThan(0);
    const filled = row.fills.reduce((sum, f) => sum.plus(f.volume.toString()), new Decimal(0));
    expect(filled.eq(volume)).toBe(true);
    // Back where the other tests expect the market.
    await admin('/admin/price', { market: 'KRW-BTC', price: price.div('0.9').toNumber() });
  }, 60_000);

  it('reads every page of open orders, not only the first 100', async () => {
    const { client, reconcile } = await account();
    await session('s-pages');
    // 101 resting bids this session placed but never recorded (a crash between placing and recording).
    for (let i = 1; i <= 101; i++) await restingBid(client, `ord-pos-s-pages-KRW-BTC-${i}-1-s1`, 6_000);
    const report = await reconcile({ sessionId: 's-pages', mode: 'sim' });
    const missing = report.differences.filter((d) => /open on the exchange.*missing from the database/.test(d));
    expect(missing).toHaveLength(101);
    const events = await db.prisma.riskEvent.count({ where: { sessionId: 's-pages', severity: 'critical' } });
    expect(events).toBe(101);
  }, 120_000);
});

describe('reconcileSession: coins', () => {
  // Each test its own database: the positions and orders of one never count in another.
  beforeEach(async () => {
    db = await openDatabase({ databaseUrl: 'memory://' });
  }, 60_000);
  afterEach(async () => {
    await db?.close();
  });

  it('lists coins no open position of any session on the account holds, and flags positions the account cannot cover', async () => {
    await admin('/admin/price', { market: 'KRW-BTC', price: 140_000_000 });
    await admin('/admin/price', { market: 'KRW-ETH', price: 5_000_000 });
    const { reconcile } = await account({ BTC: '0.01', XRP: '40', ETH: '0.0001', LOSTCOIN: '1000' });
    await session('s-a');
    await session('s-b');
    await session('s-paper', 'paper');
    await session('s-live', 'live');
    await position('s-a', 'KRW-BTC', '0.004');
    await position('s-b', 'KRW-BTC', '0.002');
    // Paper sessions trade the simulator's account too; live positions are another account's coins.
    await position('s-paper', 'KRW-BTC', '0.001');
    await position('s-live', 'KRW-BTC', '0.003');
    await position('s-a', 'KRW-XRP', '100');

    const report = await reconcile({ sessionId: 's-a', mode: 'sim' });
    // 0.003 BTC (420,000 KRW) is nobody's; 0.0001 ETH (500 KRW) is under the minimum total: dust.
    expect(report.orphans).toEqual([{ market: 'KRW-BTC', currency: 'BTC', volume: '0.003', avgBuyPrice: '0' }]);
    const text = report.differences.join('\n');
    expect(text).toMatch(/KRW-XRP: open positions hold 100, the account has 40/);
    expect(text).toMatch(/1000 LOSTCOIN held with no KRW market/);
    expect(text).not.toMatch(/ETH/);
    const critical = await db.prisma.riskEvent.findMany({
      where: { sessionId: 's-a', severity: 'critical' },
      orderBy: { kind: 'asc' },
    });
    expect(critical.map((e) => e.kind)).toEqual(['orphan_holding', 'position_mismatch']);
    expect(critical[0].details).toMatchObject({ market: 'KRW-BTC', volume: '0.003', valueKrw: '420000' });

    // Handed to s-a: a second session of the account starting now does not get the same coins to adopt.
    const second = await reconcile({ sessionId: 's-b', mode: 'sim' });
    expect(second.orphans).toEqual([]);
    expect(second.differences.join('\n')).toMatch(/KRW-BTC: 0.003 BTC .* already handed to session s-a/);
    expect((await reconcile({ sessionId: 's-a', mode: 'sim' })).orphans).toHaveLength(1);
  }, 60_000);

  it('leaves a market with an order in flight out of the comparison', async () => {
    const { client, reconcile } = await account({ BTC: '0.01' });
    await session('s-flight');
    // An entry bid resting for this session: the coins it buys are not yet in any position's record.
    await restingBid(client, 'ord-pos-s-flight-KRW-BTC-1-1-s1');
    const report = await reconcile({ sessionId: 's-flight', mode: 'sim' });
    expect(report.orphans).toEqual([]);
    expect(report.unsettledMarkets).toEqual(['KRW-BTC']);
  }, 60_000);
});
