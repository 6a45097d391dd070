// The account figures an evaluation hands the risk engine, on the simulator and a real database: every
// coin valued from its own market's price, a coin without a KRW market reported once and left out by
// name, and a failed price read failing the evaluation instead of reporting the coins as worth nothing.
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSessionConfig } from '../core/session/config';
import { type Simulator, startSimulator } from '../exchange/sim/server';
import { UpbitClient } from '../exchange/upbit/client';
import { type Database, openDatabase } from '../prisma/db';
import type { ActivityDeps } from './deps';
import { PriceFeed } from './price-feed';
import { createSignalActivities } from './signals';

const KEYS = { accessKey: 'value-access-key', secretKey: 'value-secret-key' };
const SESSION = 'value-test';

describe('account value of an evaluation', () => {
  let sim: Simulator;
  let db: Database;
  let client: UpbitClient;
  let evaluate: ReturnType<typeof createSignalActivities>['evaluateSession'];

  beforeAll(async () => {
    // No market ticks: prices move only when the test sets them.
    sim = await startSimulator({
      port: 0,
      seed: 5,
      tickMs: 3_600_000,
      historyMinutes: 300,
      accounts: [{ ...KEYS, krw: '1000000', holdings: { BTC: '0.01', ETH: '0.1', LOSTCOIN: '1000' } }],
    });
    db = await openDatabase({ databaseUrl: 'memory://' });
    client = new UpbitClient({ baseUrl: sim.baseUrl, keys: async () => KEYS, maxRetries: 0 });
    const exchange = () => client;
    const deps: ActivityDeps = { db, exchange, prices: new PriceFeed(exchange) };
    evaluate = createSignalActivities(deps).evaluateSession;
    await db.prisma.session.create({
      data: { id: SESSION, name: SESSION, mode: 'sim', strategy: 'pullback', status: 'running', config: {} },
    });
    for (const [market, price] of [
      ['KRW-BTC', 140_000_000],
      ['KRW-ETH', 5_000_000],
    ] as const) {
      const r = await fetch(`${sim.baseUrl.replace(/\/v1$/, '')}/admin/price`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ market, price }),
      });
      expect(r.status).toBe(200);
    }
  }, 60_000);

  afterAll(async () => {
    await sim?.close();
    await db?.close();
  });

  const run = () =>
    evaluate({
      sessionId: SESSION,
      config: { ...defaultSessionConfig(SESSION, 'pullback'), markets: ['KRW-BTC'] },
      openMarkets: [],
      ts: Date.now(),
    });

  it('values each coin at its own market price and names the coin that has no KRW market', async () => {
    const first = await run();
    // 1,000,000 KRW + 0.01 BTC x 140,000,000 + 0.1 ETH x 5,000,000; LOSTCOIN has no market to price it.
    expect(first.account.coinExposureKrw).toEqual({ 'KRW-BTC': '1400000', 'KRW-ETH': '500000' });
    expect(new Decimal(first.account.exposureKrw).toFixed()).toBe('1900000');
    expect(new Decimal(first.account.equityKrw).toFixed()).toBe('2900000');
    expect(first.account.unpriced).toEqual([{ currency: 'LOSTCOIN', volume: '1000' }]);

    // Reported once, not at every evaluation.
    await run();
    const events = await db.prisma.riskEvent.findMany({ where: { sessionId: SESSION, kind: 'unpriced_holding' } });
    expect(events).toHaveLength(1);
    expect(events[0].message).toMatch(/LOSTCOIN/);
  }, 60_000);

  it('fails the evaluation when the prices cannot be read, instead of valuing the coins at 0', async () => {
    // The client's own ban of the ticker group (as after a 418): every ticker read fails, nothing else does.
    client.limiter.ban('ticker', Date.now() + 3_600_000);
    await expect(run()).rejects.toThrow(/ticker/);
  }, 60_000);
});
