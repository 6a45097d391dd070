// The session's evaluation engine is built for the session's strategy (featureEngineFor: only the features it reads),
// on the simulator and a real database. A strategy changed mid-session gets an engine and memories of its own:
// evaluated on the old one it would read features that engine never computes, or the old strategy's memories.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSessionConfig } from '../core/session/config';
import { type Simulator, startSimulator } from '../exchange/sim/server';
import { UpbitClient } from '../exchange/upbit/client';
import { type Database, openDatabase } from '../prisma/db';
import type { ActivityDeps } from './deps';
import { PriceFeed } from './price-feed';
import { createSignalActivities } from './signals';

const KEYS = { accessKey: 'signals-access-key', secretKey: 'signals-secret-key' };
const SESSION = 'signals-test';

describe('evaluation engine per strategy', () => {
  let sim: Simulator;
  let db: Database;
  let evaluate: ReturnType<typeof createSignalActivities>['evaluateSession'];

  beforeAll(async () => {
    sim = await startSimulator({
      port: 0,
      seed: 9,
      tickMs: 200,
      historyMinutes: 600,
      accounts: [{ ...KEYS, krw: '1000000' }],
    });
    db = await openDatabase({ databaseUrl: 'memory://' });
    const client = new UpbitClient({ baseUrl: sim.baseUrl, keys: async () => KEYS, maxRetries: 0 });
    const exchange = () => client;
    const deps: ActivityDeps = { db, exchange, prices: new PriceFeed(exchange) };
    evaluate = createSignalActivities(deps).evaluateSession;
    await db.prisma.session.create({
      data: { id: SESSION, name: SESSION, mode: 'sim', strategy: 'pullback', status: 'running', config: {} },
    });
  }, 60_000);

  afterAll(async () => {
    await sim?.close();
    await db?.close();
  });

  const run = (strategy: string, ts = Date.now()) =>
    evaluate({
      sessionId: SESSION,
      config: { ...defaultSessionConfig(SESSION, strategy), markets: ['KRW-BTC', 'KRW-ETH'] },
      openMarkets: [],
      ts,
    });

  it('a strategy changed mid-session is evaluated on its own timeframe, then the first one again', async () => {
    const ts = Date.now();
    const quarter = await run('pullback', ts);
    // pullback judges 15-minute bars; its engine computes no 1-minute features.
    expect(quarter.bars?.['KRW-BTC'] ?? 0).toBeGreaterThan(ts - 30 * 60_000);
    expect((quarter.bars?.['KRW-BTC'] ?? 1) % (15 * 60_000)).toBe(0);

    // probe reads 1-minute bars: on pullback's engine that read throws (UndeclaredTimeframeError).
    const minute = await run('probe');
    expect(minute.bars?.['KRW-BTC'] ?? 0).toBeGreaterThanOrEqual(quarter.bars?.['KRW-BTC'] ?? Infinity);
    expect(Object.keys(minute.bars ?? {}).sort()).toEqual(['KRW-BTC', 'KRW-ETH']);

    // And back: pullback's memories start again from its own initial state, not probe's.
    const again = await run('pullback');
    expect(again.bars?.['KRW-BTC']).toBeGreaterThanOrEqual(quarter.bars?.['KRW-BTC'] ?? Infinity);
  }, 60_000);
});
