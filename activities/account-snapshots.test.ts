// The account snapshot the schedule records every minute, on the simulator and a real database: equity and free
// KRW from the account-value reading, unrealised PnL against the average buy price, and today's realised PnL of
// the mode's positions closed since 00:00 KST (yesterday's and another mode's left out).
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../exchange/sim/server';
import { UpbitClient } from '../exchange/upbit/client';
import { type Database, openDatabase } from '../prisma/db';
import { equityCurve, latestAccountValueSnapshot } from '../prisma/repositories/account-snapshots';
import { kstDayStart } from './account-limits';
import { createAccountSnapshotActivities, unrealizedPnlKrw } from './account-snapshots';

const KEYS = { accessKey: 'snapshot-access-key', secretKey: 'snapshot-secret-key' };

describe('unrealised PnL', () => {
  it('is (price - average buy price) x (balance + locked) over the priced coins', () => {
    const lines = [
      { currency: 'KRW', balance: '500000', locked: '10000', avg_buy_price: '0' },
      { currency: 'BTC', balance: '0.01', locked: '0.005', avg_buy_price: '100000000' },
      { currency: 'ETH', balance: '0.3', locked: '0', avg_buy_price: '5000000' },
      { currency: 'LOSTCOIN', balance: '1000', locked: '0', avg_buy_price: '10' },
    ];
    const prices = new Map([
      ['KRW-BTC', '110000000'],
      ['KRW-ETH', '4500000.5'],
    ]);
    // BTC: 0.015 x 10,000,000 = 150,000; ETH: 0.3 x -499,999.5 = -149,999.85; LOSTCOIN has no price: left out.
    expect(unrealizedPnlKrw(lines, prices)).toBe('0.15');
    expect(unrealizedPnlKrw(lines.slice(0, 1), prices)).toBe('0');
  });
});

describe('account snapshot activity', () => {
  let sim: Simulator;
  let db: Database;
  let client: UpbitClient;

  beforeAll(async () => {
    sim = await startSimulator({
      port: 0,
      seed: 5,
      tickMs: 3_600_000,
      historyMinutes: 300,
      accounts: [{ ...KEYS, krw: '1000000', holdings: { BTC: '0.01', LOSTCOIN: '1000' } }],
    });
    sim.setPrice('KRW-BTC', 140_000_000);
    db = await openDatabase({ databaseUrl: 'memory://' });
    client = new UpbitClient({ baseUrl: sim.baseUrl, keys: async () => KEYS, maxRetries: 0 });
    for (const mode of ['sim', 'paper'] as const)
      await db.prisma.session.create({
        data: { id: mode, name: mode, mode, strategy: 'probe', status: 'running', config: {} },
      });
    const today = kstDayStart(Date.now()).getTime();
    const closed = [
      ['today-win', 'sim', '1200.5', today + 1000],
      ['today-loss', 'sim', '-300.25', Date.now() - 1000],
      ['yesterday', 'sim', '-5000', today - 1000],
      ['other-mode', 'paper', '777', Date.now() - 1000],
    ] as const;
    for (const [id, sessionId, pnl, at] of closed)
      await db.prisma.position.create({
        data: {
          id,
          sessionId,
          market: 'KRW-BTC',
          status: 'closed',
          realizedPnl: pnl,
          closedAt: new Date(at),
          exitPlan: {},
        },
      });
    // An open position's PnL is not realised.
    await db.prisma.position.create({
      data: { id: 'open', sessionId: 'sim', market: 'KRW-BTC', status: 'open', realizedPnl: '50', exitPlan: {} },
    });
  }, 60_000);

  afterAll(async () => {
    await sim?.close();
    await db?.close();
  });

  it("records equity, free KRW, unrealised and today's realised PnL of the mode", async () => {
    const { recordAccountSnapshot } = createAccountSnapshotActivities({ db, exchange: () => client });
    const before = Date.now();
    const result = await recordAccountSnapshot({ mode: 'sim' });
    const row = await latestAccountValueSnapshot(db, 'sim');
    expect(row).not.toBeNull();
    if (!row) return;
    expect(row.mode).toBe('sim');
    // 1,000,000 KRW + 0.01 BTC x 140,000,000; LOSTCOIN has no KRW market and is named instead.
    expect(row.equityKrw.toFixed()).toBe('2400000');
    expect(row.freeKrw.toFixed()).toBe('1000000');
    expect(row.unpriced).toEqual([{ currency: 'LOSTCOIN', volume: '1000' }]);
    // The simulator's starting coins cost nothing: all of their value is unrealised gain.
    expect(row.unrealizedPnlKrw.toFixed()).toBe('1400000');
    expect(row.todayRealizedPnlKrw.toFixed()).toBe(new Decimal('1200.5').minus('300.25').toFixed());
    expect(row.takenAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(result).toEqual({ takenAt: row.takenAt.getTime(), equityKrw: '2400000' });
    expect(await latestAccountValueSnapshot(db, 'paper')).toBeNull();

    // A second minute with BTC lower: the curve has both, oldest first.
    sim.setPrice('KRW-BTC', 130_000_000);
    await recordAccountSnapshot({ mode: 'sim' });
    const curve = await equityCurve(db, 'sim', new Date(before - 1), 100);
    expect(curve.map((p) => p.equityKrw.toFixed())).toEqual(['2400000', '2300000']);
  }, 60_000);

  it('thins a long curve to the points asked for, keeping the first and the newest', async () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    const figures = { freeKrw: '0', unrealizedPnlKrw: '0', todayRealizedPnlKrw: '0', unpriced: [] };
    await db.prisma.accountValueSnapshot.createMany({
      data: Array.from({ length: 100 }, (_, i) => ({
        ...figures,
        mode: 'paper' as const,
        equityKrw: String(i),
        takenAt: new Date(start + i * 60_000),
      })),
    });
    const curve = await equityCurve(db, 'paper', new Date(start), 10);
    expect(curve).toHaveLength(10);
    expect(curve[0].equityKrw.toFixed()).toBe('0');
    expect(curve.at(-1)?.equityKrw.toFixed()).toBe('99');
    const times = curve.map((p) => p.takenAt.getTime());
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect((await equityCurve(db, 'paper', new Date(start + 90 * 60_000), 10)).length).toBe(10);
  });
});
