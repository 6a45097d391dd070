// The orders repository on a real (in-memory PGlite) database: recording the same order again leaves
// one order, one row per trade and one alert per trade; the exchange's fields follow the newest view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../db';
import {
  knownTradeUuids,
  listOrders,
  markOrderCancelled,
  type OrderRecord,
  restingBids,
  saveOrderWithFills,
  workingOrders,
} from './orders';

let db: Database;

const order = (over: Partial<OrderRecord> = {}): OrderRecord => ({
  identifier: 'ord-1',
  sessionId: 's1',
  positionId: null,
  market: 'KRW-BTC',
  side: 'bid',
  ordType: 'limit',
  timeInForce: null,
  price: '100000000',
  funds: null,
  volume: '0.002',
  exchangeUuid: 'u-1',
  state: 'wait',
  executedVolume: '0',
  avgPrice: null,
  paidFee: '0',
  ...over,
});
const fill = (uuid: string, fee: string) => ({
  tradeUuid: uuid,
  price: '100000000',
  volume: '0.001',
  funds: '100000',
  fee,
});
const alertOf = (uuid: string) => ({
  sessionId: 's1',
  kind: 'fill',
  severity: 'info' as const,
  message: `trade ${uuid}`,
  dedupeKey: `fill:${uuid}`,
});

beforeAll(async () => {
  db = await openDatabase({ databaseUrl: 'memory://' });
  await db.prisma.session.create({
    data: { id: 's1', name: 's1', mode: 'sim', strategy: 'probe', status: 'running', config: {} },
  });
});
afterAll(async () => {
  await db?.close();
});

describe('orders repository', () => {
  it('records an order once however often its view is written, with one fill and one alert per trade', async () => {
    await saveOrderWithFills(db.prisma, order(), []);
    expect(await workingOrders(db.prisma, 's1')).toHaveLength(1);
    const partly = order({ state: 'wait', executedVolume: '0.001', avgPrice: '100000000', paidFee: '50' });
    await saveOrderWithFills(db.prisma, partly, [fill('t1', '50')], [alertOf('t1')]);
    // A retry of the same step, then the order's end with a second trade (the fee split anew).
    await saveOrderWithFills(db.prisma, partly, [fill('t1', '50')], [alertOf('t1')]);
    const done = order({
      state: 'done',
      executedVolume: '0.002',
      avgPrice: '100000000',
      paidFee: '100.000000000000000001',
    });
    await saveOrderWithFills(db.prisma, done, [fill('t1', '50'), fill('t2', '50.000000000000000001')], [alertOf('t2')]);

    const [row] = await listOrders(db.prisma, { sessionId: 's1', limit: 10 });
    expect(row.state).toBe('done');
    expect(row.executedVolume.toString()).toBe('0.002');
    // Exact decimals in and out: 18 places are kept.
    expect(row.paidFee.toFixed(18)).toBe('100.000000000000000001');
    expect(row.fills.map((f) => f.tradeUuid)).toEqual(['t1', 't2']);
    expect(row.fills[1].fee.toFixed(18)).toBe('50.000000000000000001');
    expect((await db.prisma.alertOutbox.findMany()).map((a) => a.dedupeKey).sort()).toEqual(['fill:t1', 'fill:t2']);
    expect(await knownTradeUuids(db.prisma, ['t1', 't2', 't3'])).toEqual(new Set(['t1', 't2']));
    expect(await workingOrders(db.prisma, 's1')).toEqual([]);
  });

  it('a later view does not move the order to another session or position', async () => {
    await saveOrderWithFills(db.prisma, order({ identifier: 'ord-2', exchangeUuid: 'u-2' }), []);
    await db.prisma.session.create({
      data: { id: 's2', name: 's2', mode: 'sim', strategy: 'probe', status: 'running', config: {} },
    });
    await saveOrderWithFills(db.prisma, order({ identifier: 'ord-2', exchangeUuid: 'u-2', sessionId: 's2' }), []);
    expect((await db.prisma.order.findUniqueOrThrow({ where: { id: 'ord-2' } })).sessionId).toBe('s1');
  });

  it('counts resting bids by session and by mode; a cancelled order rests no more', async () => {
    expect(await restingBids(db.prisma, { sessionId: 's1' })).toHaveLength(1);
    expect(await restingBids(db.prisma, { mode: 'sim' })).toHaveLength(1);
    expect(await restingBids(db.prisma, { mode: 'paper' })).toHaveLength(0);
    await markOrderCancelled(db.prisma, 'ord-2', 'gone');
    expect(await restingBids(db.prisma, { mode: 'sim' })).toHaveLength(0);
    expect((await db.prisma.order.findUniqueOrThrow({ where: { id: 'ord-2' } })).reason).toBe('gone');
  });
});
