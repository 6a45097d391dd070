// The account-wide and per-session money limits the submit activity enforces, on a real database.
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../prisma/db';
import { entryRefusal, kstDayStart } from './account-limits';

let db: Database;
const now = Date.parse('2026-03-10T03:00:00Z'); // 12:00 KST

beforeAll(async () => {
  db = await openDatabase({ databaseUrl: 'memory://' });
  for (const [id, risk] of [
    ['a', { maxOrderKrw: 100_000, maxCapitalKrw: 300_000 }],
    ['b', {}],
  ] as const)
    await db.prisma.session.create({
      data: { id, name: id, mode: 'sim', strategy: 'probe', status: 'running', config: { risk } },
    });
  // Session a holds 250,000 KRW of coins; session b 500,000 KRW, and has a resting bid of 100,000 KRW.
  await db.prisma.position.create({
    data: {
      id: 'pa',
      sessionId: 'a',
      market: 'KRW-XRP',
      status: 'open',
      entryPrice: '2000',
      remainingVolume: '125',
      exitPlan: {},
    },
  });
  await db.prisma.position.create({
    data: {
      id: 'pb',
      sessionId: 'b',
      market: 'KRW-SOL',
      status: 'open',
      entryPrice: '250000',
      remainingVolume: '2',
      exitPlan: {},
    },
  });
  await db.prisma.order.create({
    data: {
      id: 'ob',
      identifier: 'ob',
      sessionId: 'b',
      market: 'KRW-ETH',
      side: 'bid',
      ordType: 'limit',
      state: 'wait',
      price: '5000000',
      volume: '0.02',
      executedVolume: '0',
    },
  });
});

afterAll(async () => {
  await db?.close();
});

const check = (sessionId: string, totalKrw: number, limits = {}) =>
  entryRefusal(db, limits, { sessionId, mode: 'sim', totalKrw: new Decimal(totalKrw), now });

describe('entryRefusal', () => {
  it("refuses an order above the session's own caps, and passes one within them", async () => {
    expect(await check('a', 150_000)).toMatch(/maxOrderKrw 100000/);
    expect(await check('a', 100_001)).toMatch(/maxOrderKrw/);
    expect(await check('a', 50_001)).toMatch(/session capital would be 300001 KRW, above its maxCapitalKrw 300000/);
    expect(await check('a', 50_000)).toBeNull(); // 250,000 held + 50,000 = the cap: allowed
  });

  it('adds up every session of the mode against the account exposure cap, resting bids included', async () => {
    // 250,000 + 500,000 + 100,000 = 850,000 already committed.
    expect(await check('b', 200_000, { maxExposureKrw: 1_000_000 })).toMatch(/account exposure would be 1050000/);
    expect(await check('b', 150_000, { maxExposureKrw: 1_000_000 })).toBeNull();
  });

  it("stops entries once the account's realised loss of the KST day reaches the limit, whichever sessions lost it", async () => {
    const dayStart = kstDayStart(now);
    expect(dayStart.toISOString()).toBe('2026-03-09T15:00:00.000Z');
    const closed = (id: string, sessionId: string, pnl: string, at: Date) =>
      db.prisma.position.create({
        data: { id, sessionId, market: 'KRW-DOGE', status: 'closed', realizedPnl: pnl, closedAt: at, exitPlan: {} },
      });
    await closed('y1', 'a', '-40000', new Date(dayStart.getTime() - 60_000)); // yesterday (KST): not today's
    await closed('t1', 'a', '-30000', new Date(dayStart.getTime() + 60_000));
    expect(await check('b', 10_000, { dailyLossLimitKrw: 50_000 })).toBeNull();
    await closed('t2', 'b', '-25000', new Date(dayStart.getTime() + 120_000));
    expect(await check('b', 10_000, { dailyLossLimitKrw: 50_000 })).toMatch(/lost 55000 KRW today/);
    // The drawdown of the realised curve: 0 -> -40,000 -> -70,000 -> -95,000, peak 0.
    expect(await check('b', 10_000, { maxDrawdownKrw: 100_000 })).toBeNull();
    expect(await check('b', 10_000, { maxDrawdownKrw: 95_000 })).toMatch(/95000 KRW below its 30-day peak/);
  });
});
