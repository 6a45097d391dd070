import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../prisma/db';
import { PrismaSimStore } from './prisma-store';
import { type Simulator, startSimulator } from './server';
import { specClient } from './spec-client';
import { MemorySimStore, type SimStore } from './store';

const AK = 'store-access';
const SK = 'store-secret';
const seeds = [{ accessKey: AK, secretKey: SK, krw: '3000000', holdings: { XRP: '40' } }];

/** Runs a few orders on one simulator, restarts it on the same store, and checks nothing was lost. */
async function restartKeepsEverything(store: () => SimStore) {
  const start = () =>
    startSimulator({ port: 0, seed: 3, tickMs: 60_000, historyMinutes: 300, store: store(), accounts: seeds });
  let sim: Simulator = await start();
  let api = specClient(sim.baseUrl, AK, SK);
  const xrp = sim.markets.get('KRW-XRP')!;
  const bidPrice = String(xrp.bids[6].price);
  const askPrice = xrp.asks[2].price;
  const restingId = `rest-${randomUUID()}`;
  const rejectedId = `rejected-${randomUUID()}`;
  const bid = await api.call('POST', '/v1/orders', {
    market: 'KRW-XRP',
    side: 'bid',
    ord_type: 'limit',
    price: bidPrice,
    volume: '7',
    identifier: restingId,
  });
  expect(bid.status).toBe(201);
  const ask = await api.call('POST', '/v1/orders', {
    market: 'KRW-XRP',
    side: 'ask',
    ord_type: 'limit',
    price: String(askPrice),
    volume: '30',
  });
  expect(ask.status).toBe(201);
  sim.engine.matchPrint({ market: 'KRW-XRP', price: askPrice + 1, volume: 12.5, askBid: 'BID' });
  const rejected = await api.call('POST', '/v1/orders', {
    market: 'KRW-XRP',
    side: 'bid',
    ord_type: 'limit',
    price: bidPrice,
    volume: '100000',
    identifier: rejectedId,
  });
  expect(rejected.data.error.name).toBe('insufficient_funds_bid');

  const before = {
    accounts: (await api.call('GET', '/v1/accounts')).data,
    open: (await api.call('GET', '/v1/orders/open', { market: 'KRW-XRP' })).data,
    ask: (await api.call('GET', '/v1/order', { uuid: ask.data.uuid })).data,
  };
  expect(before.ask.executed_volume).toBe('12.5');
  expect(before.open).toHaveLength(2);
  await sim.close();

  sim = await start();
  api = specClient(sim.baseUrl, AK, SK);
  try {
    // Same accounts (the starting KRW is not credited twice), same open orders, same fills.
    expect((await api.call('GET', '/v1/accounts')).data).toEqual(before.accounts);
    expect((await api.call('GET', '/v1/orders/open', { market: 'KRW-XRP' })).data).toEqual(before.open);
    expect((await api.call('GET', '/v1/order', { uuid: ask.data.uuid })).data).toEqual(before.ask);
    // Identifiers stay burned, the rejected one included.
    const again = await api.call('POST', '/v1/orders', {
      market: 'KRW-XRP',
      side: 'bid',
      ord_type: 'limit',
      price: bidPrice,
      volume: '7',
      identifier: rejectedId,
    });
    expect(again.data.error.name).toBe('duplicated_identifier');
    // The restored book still matches: the rest of the ask fills, the bid cancels back to its funds.
    sim.setPrice('KRW-XRP', askPrice);
    expect((await api.call('GET', '/v1/order', { uuid: ask.data.uuid })).data.state).toBe('done');
    const cancel = await api.call('DELETE', '/v1/order', { identifier: restingId });
    expect(cancel.status).toBe(200);
    const after = await api.balances();
    expect(after.KRW.locked).toBe('0');
    expect(after.XRP.locked).toBe('0');
    expect(after.XRP.balance).toBe('10');
  } finally {
    await sim.close();
  }
}

describe('restart', () => {
  it('keeps accounts, orders, fills and identifiers with the in-memory store', async () => {
    const store = new MemorySimStore();
    await restartKeepsEverything(() => store);
  });

  describe('with the Prisma store', () => {
    let db: Database;
    beforeAll(async () => {
      db = await openDatabase({ databaseUrl: 'memory://' });
    });
    afterAll(async () => {
      await db?.close();
    });
    it('keeps accounts, orders, fills and identifiers in the sim_* tables', async () => {
      await restartKeepsEverything(() => new PrismaSimStore(db.prisma));
      expect(await db.prisma.simOrder.count()).toBe(2);
      expect(await db.prisma.simIdentifier.count()).toBe(2);
      expect(await db.prisma.simTrade.count()).toBe(2);
    });
  });
});
