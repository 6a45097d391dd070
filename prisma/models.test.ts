// Every model against a freshly migrated database: embedded PGlite always, and a real PostgreSQL
// server when TEST_DATABASE_URL is set (each run in a fresh schema, dropped afterwards).
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDatabase, type Database, openDatabase, Prisma } from './db';
import { MIGRATIONS_DIR } from './migrate';

const serverUrl = process.env.TEST_DATABASE_URL;

/** A URL for a schema no earlier run used. */
function freshSchemaUrl(base: string): string {
  const url = new URL(base);
  url.searchParams.set('schema', `test_${Date.now()}_${randomBytes(4).toString('hex')}`);
  return url.toString();
}

async function migrationFolders(): Promise<{ name: string; checksum: string }[]> {
  const entries = await readdir(MIGRATIONS_DIR, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => ({
      name,
      checksum: createHash('sha256')
        .update(await readFile(join(MIGRATIONS_DIR, name, 'migration.sql')))
        .digest('hex'),
    })),
  );
}

/** Runs `fn` expecting Prisma's known-request error with this code (P2002 unique, P2003 foreign key). */
async function expectPrismaError(fn: () => Promise<unknown>, code: string): Promise<void> {
  const err = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected Prisma error ${code}`).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
  expect((err as Prisma.PrismaClientKnownRequestError).code).toBe(code);
}

// Extremes of DECIMAL(38,18): 20 integer digits, 18 fraction digits.
const MAX_MONEY = '99999999999999999999.999999999999999999';
const TINY = '0.000000000000000001';

const targets = [
  { name: 'PGlite (in memory)', url: 'memory://', kind: 'pglite' as const, enabled: true },
  {
    name: 'PostgreSQL (TEST_DATABASE_URL)',
    url: serverUrl ? freshSchemaUrl(serverUrl) : '',
    kind: 'postgres' as const,
    enabled: Boolean(serverUrl),
  },
];

for (const target of targets) {
  describe.skipIf(!target.enabled)(`every model on ${target.name}`, () => {
    let db: Database;
    let prisma: Database['prisma'];

    beforeAll(async () => {
      db = await openDatabase({ databaseUrl: target.url });
      prisma = db.prisma;
    });

    afterAll(async () => {
      if (!db) return;
      if (db.kind === 'postgres') {
        const schema = new URL(target.url).searchParams.get('schema');
        await prisma.$executeRawUnsafe(`DROP SCHEMA "${schema}" CASCADE`);
      }
      await db.close();
    });

    it('opens the expected kind, migrated, and reports healthy', async () => {
      expect(db.kind).toBe(target.kind);
      expect(await checkDatabase(db)).toBe('ok');
      const folders = await migrationFolders();
      expect(db.appliedMigrations).toEqual(folders.map((f) => f.name));
      const rows = await prisma.$queryRaw<{ migration_name: string; checksum: string; applied_steps_count: number }[]>`
        SELECT migration_name, checksum, applied_steps_count FROM _prisma_migrations
        WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`;
      expect(rows).toEqual(
        folders.map((f) => ({ migration_name: f.name, checksum: f.checksum, applied_steps_count: 1 })),
      );
      if (target.kind === 'postgres') {
        const [{ schema }] = await prisma.$queryRaw<{ schema: string }[]>`SELECT current_schema() AS schema`;
        expect(schema).toBe(new URL(target.url).searchParams.get('schema'));
      }
    });

    it('stores money as exact decimals and time with time zone, never float or naive timestamps', async () => {
      const columns = await prisma.$queryRaw<{ table_name: string; column_name: string; data_type: string }[]>`
        SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name <> '_prisma_migrations'`;
      expect(columns.length).toBeGreaterThan(100);
      const naive = columns.filter((c) => c.data_type === 'timestamp without time zone');
      expect(naive).toEqual([]);
      const floats = columns
        .filter((c) => c.data_type === 'double precision' || c.data_type === 'real')
        .map((c) => `${c.table_name}.${c.column_name}`)
        .sort();
      // ratios and scores only (a quality issue's size: bars missing, or a move in log-return units)
      expect(floats).toEqual(['backtest_runs.progress', 'candle_quality_issues.size', 'decisions.score']);
      const numerics = await prisma.$queryRaw<{ precision: number; scale: number }[]>`
        SELECT DISTINCT numeric_precision AS precision, numeric_scale AS scale FROM information_schema.columns
        WHERE table_schema = current_schema() AND data_type = 'numeric'`;
      expect(numerics).toEqual([{ precision: 38, scale: 18 }]);
    });

    it('Market: round-trips names, warning flags and caution JSON; code is unique', async () => {
      const caution = { PRICE_FLUCTUATIONS: true, TRADING_VOLUME_SOARING: false, DEPOSIT_AMOUNT_SOARING: false };
      await prisma.market.create({
        data: { code: 'KRW-BTC', koreanName: '비트코인', englishName: 'Bitcoin', warning: true, caution, quote: 'KRW' },
      });
      const got = await prisma.market.findUniqueOrThrow({ where: { code: 'KRW-BTC' } });
      expect(got).toMatchObject({
        koreanName: '비트코인',
        englishName: 'Bitcoin',
        warning: true,
        caution,
        quote: 'KRW',
      });
      expect(got.updatedAt).toBeInstanceOf(Date);
      const plain = await prisma.market.create({
        data: { code: 'KRW-ETH', koreanName: '이더리움', englishName: 'Ethereum', quote: 'KRW' },
      });
      expect(plain.warning).toBe(false);
      expect(plain.caution).toEqual({});
      await expectPrismaError(
        () => prisma.market.create({ data: { code: 'KRW-BTC', koreanName: 'x', englishName: 'x', quote: 'KRW' } }),
        'P2002',
      );
    });

    it('UniverseSnapshot: the newest refresh of a mode comes first, with its rows and reasons', async () => {
      const selected = [{ market: 'KRW-BTC', value24hKrw: 1e11, avgDailyValueKrw: 9e10, spreadPct: 0.01 }];
      await prisma.universeSnapshot.create({ data: { mode: 'sim', selected: [], excluded: [] } });
      const newer = await prisma.universeSnapshot.create({
        data: { mode: 'sim', selected, excluded: [{ market: 'KRW-XYZ', reason: 'warning' }] },
      });
      await prisma.universeSnapshot.create({ data: { mode: 'live', selected: [], excluded: [] } });
      const got = await prisma.universeSnapshot.findFirstOrThrow({
        where: { mode: 'sim' },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      });
      expect(got.id).toBe(newer.id);
      expect(got.selected).toEqual(selected);
      expect(got.excluded).toEqual([{ market: 'KRW-XYZ', reason: 'warning' }]);
    });

    it('Candle: exact decimals, millisecond timestamps, range reads in order; (market, timeframe, ts) is unique', async () => {
      const t0 = Date.UTC(2026, 0, 2, 3, 4, 5, 123);
      const bars = [0, 1, 2].map((i) => ({
        market: 'KRW-BTC',
        timeframe: '1m',
        ts: new Date(t0 + i * 60_000),
        open: '143210000',
        high: MAX_MONEY,
        low: TINY,
        close: `1432${i}0000.5`,
        volume: '0.123456789012345678',
        value: '17681234.987654321',
        source: 'test',
      }));
      expect((await prisma.candle.createMany({ data: bars })).count).toBe(3);
      const got = await prisma.candle.findMany({
        where: { market: 'KRW-BTC', timeframe: '1m', ts: { gte: new Date(t0 + 60_000) } },
        orderBy: { ts: 'asc' },
      });
      expect(got.map((c) => c.ts.getTime())).toEqual([t0 + 60_000, t0 + 120_000]);
      const c = got[0];
      expect(c.high.toFixed()).toBe(MAX_MONEY);
      expect(c.low.toFixed()).toBe(TINY);
      expect(c.close.toFixed()).toBe('143210000.5');
      expect(c.volume.toFixed()).toBe('0.123456789012345678');
      expect(c.value?.toFixed()).toBe('17681234.987654321');
      await expectPrismaError(() => prisma.candle.create({ data: bars[0] }), 'P2002');
      // same ts in another timeframe is a different bar; a source without traded value stores null
      await prisma.candle.create({ data: { ...bars[0], timeframe: '5m', value: null } });
      expect(await prisma.candle.count({ where: { ts: bars[0].ts } })).toBe(2);
      const noValue = await prisma.candle.findUniqueOrThrow({
        where: { market_timeframe_ts: { market: 'KRW-BTC', timeframe: '5m', ts: bars[0].ts } },
      });
      expect(noValue.value).toBeNull();
    });

    it('Session and ConfigHistory: enum mode, config JSON, history linked; bad mode and unknown session rejected', async () => {
      const config = {
        markets: ['KRW-BTC', 'KRW-ETH'],
        risk: { maxPositions: 3, perTradeKrw: '30000', stop: 0.015 },
        note: '한글 설정',
        paused: false,
        cap: null,
      };
      await prisma.session.create({
        data: { id: 'ses-1', name: 'main', mode: 'paper', strategy: 'ensemble', status: 'running', config },
      });
      const got = await prisma.session.findUniqueOrThrow({ where: { id: 'ses-1' } });
      expect(got).toMatchObject({ mode: 'paper', strategy: 'ensemble', status: 'running', config, stoppedAt: null });
      expect(got.createdAt.getTime()).toBe(got.updatedAt.getTime());

      const stoppedAt = new Date(Date.UTC(2026, 5, 1, 0, 0, 0, 999));
      const stopped = await prisma.session.update({ where: { id: 'ses-1' }, data: { status: 'stopped', stoppedAt } });
      expect(stopped.stoppedAt?.getTime()).toBe(stoppedAt.getTime());
      expect(stopped.updatedAt.getTime()).toBeGreaterThanOrEqual(got.updatedAt.getTime());

      await prisma.configHistory.create({ data: { sessionId: 'ses-1', config, reason: 'start' } });
      await prisma.configHistory.create({
        data: { sessionId: 'ses-1', config: { ...config, paused: true }, reason: 'pause' },
      });
      const history = await prisma.configHistory.findMany({ where: { sessionId: 'ses-1' }, orderBy: { id: 'asc' } });
      expect(history.map((h) => h.reason)).toEqual(['start', 'pause']);
      expect(history[1].config).toEqual({ ...config, paused: true });
      expect(history[0].id).toMatch(/^[0-9a-f-]{36}$/);

      await expect(
        prisma.session.create({
          // @ts-expect-error: not a SessionMode
          data: { id: 'ses-bad', name: 'x', mode: 'real', strategy: 's', status: 'x', config: {} },
        }),
      ).rejects.toThrow(/mode/);
      await expectPrismaError(
        () => prisma.configHistory.create({ data: { sessionId: 'no-such-session', config: {}, reason: 'x' } }),
        'P2003',
      );
    });

    it('Position: defaults to zero amounts, stores exit plan JSON and exact PnL', async () => {
      await prisma.session.create({
        data: { id: 'ses-pos', name: 'p', mode: 'sim', strategy: 's', status: 'running', config: {} },
      });
      const exitPlan = { stop: '98000000', takeProfit: [{ at: '103000000', fraction: '0.5' }], trailing: '0.01' };
      const opened = await prisma.position.create({
        data: { id: 'pos-ses-pos-KRW-BTC-1', sessionId: 'ses-pos', market: 'KRW-BTC', status: 'entering', exitPlan },
      });
      expect(opened.volume.isZero()).toBe(true);
      expect(opened.realizedPnl.isZero()).toBe(true);
      expect(opened.entryPrice).toBeNull();
      const closedAt = new Date(Date.UTC(2026, 0, 3));
      await prisma.position.update({
        where: { id: opened.id },
        data: {
          status: 'closed',
          entryPrice: '100000000',
          volume: '0.00029999',
          remainingVolume: '0',
          avgExitPrice: '101234000',
          realizedPnl: '-1234.567890123456789012',
          fees: '30.123456789',
          exitReason: 'take_profit',
          closedAt,
        },
      });
      const got = await prisma.position.findUniqueOrThrow({ where: { id: opened.id } });
      expect(got.exitPlan).toEqual(exitPlan);
      expect(got.entryPrice?.toFixed()).toBe('100000000');
      expect(got.volume.toFixed()).toBe('0.00029999');
      expect(got.avgExitPrice?.toFixed()).toBe('101234000');
      expect(got.realizedPnl.toFixed()).toBe('-1234.567890123456789012');
      expect(got.fees.toFixed()).toBe('30.123456789');
      expect(got.closedAt?.getTime()).toBe(closedAt.getTime());
      expect(await prisma.position.count({ where: { sessionId: 'ses-pos', status: 'closed' } })).toBe(1);
    });

    it('Order and Fill: exact amounts (decimal.js in, exact out), unique identifier and trade uuid, linked fills', async () => {
      await prisma.session.create({
        data: { id: 'ses-ord', name: 'o', mode: 'live', strategy: 's', status: 'running', config: {} },
      });
      await prisma.position.create({
        data: { id: 'pos-ord-1', sessionId: 'ses-ord', market: 'KRW-ETH', status: 'open', exitPlan: {} },
      });
      // the project's decimal.js values go in as they are
      const price = new Decimal('5123000');
      const volume = new Decimal('0.1').plus('0.2');
      const order = await prisma.order.create({
        data: {
          id: 'ord-pos-ord-1-1',
          sessionId: 'ses-ord',
          positionId: 'pos-ord-1',
          market: 'KRW-ETH',
          side: 'bid',
          ordType: 'limit',
          timeInForce: 'ioc',
          price,
          volume,
          identifier: 'ord-pos-ord-1-1.a1',
          state: 'wait',
        },
      });
      expect(order.volume?.toFixed()).toBe('0.3');
      expect(order.funds).toBeNull();
      expect(order.executedVolume.isZero()).toBe(true);

      const fills = [
        { tradeUuid: 'tr-1', price: '5123000', volume: '0.1', funds: '512300', fee: '256.15', isMaker: true },
        { tradeUuid: 'tr-2', price: '5123000', volume: '0.2', funds: '1024600', fee: '512.3', isMaker: false },
      ];
      for (const f of fills) await prisma.fill.create({ data: { orderId: order.id, ...f } });
      await prisma.order.update({
        where: { id: order.id },
        data: {
          state: 'done',
          exchangeUuid: 'cdd92199-2897-4e14-9448-f923320408ad',
          executedVolume: '0.3',
          avgPrice: '5123000',
          paidFee: '768.45',
        },
      });
      const got = await prisma.order.findUniqueOrThrow({
        where: { identifier: 'ord-pos-ord-1-1.a1' },
        include: { fills: { orderBy: { tradeUuid: 'asc' } } },
      });
      expect(got).toMatchObject({ side: 'bid', ordType: 'limit', timeInForce: 'ioc', state: 'done', reason: null });
      expect(got.price?.toFixed()).toBe('5123000');
      expect(got.paidFee.toFixed()).toBe('768.45');
      expect(got.fills.map((f) => [f.tradeUuid, f.volume.toFixed(), f.fee.toFixed(), f.isMaker])).toEqual([
        ['tr-1', '0.1', '256.15', true],
        ['tr-2', '0.2', '512.3', false],
      ]);
      const feeSum = got.fills.reduce((sum, f) => sum.plus(f.fee.toFixed()), new Decimal(0));
      expect(feeSum.toFixed()).toBe(got.paidFee.toFixed());
      expect(
        await prisma.order.findFirst({ where: { exchangeUuid: 'cdd92199-2897-4e14-9448-f923320408ad' } }),
      ).not.toBeNull();

      // a market buy: funds, no price or volume, no position
      const marketBuy = await prisma.order.create({
        data: {
          id: 'ord-x-2',
          sessionId: 'ses-ord',
          market: 'KRW-ETH',
          side: 'bid',
          ordType: 'price',
          funds: '30000',
          identifier: 'ord-x-2.a1',
          state: 'cancel',
          reason: 'market buy ends in cancel with dust',
        },
      });
      expect(marketBuy.positionId).toBeNull();
      expect(marketBuy.funds?.toFixed()).toBe('30000');

      await expectPrismaError(
        () =>
          prisma.order.create({
            data: {
              id: 'ord-other',
              sessionId: 'ses-ord',
              market: 'KRW-ETH',
              side: 'ask',
              ordType: 'market',
              identifier: 'ord-pos-ord-1-1.a1',
              state: 'wait',
            },
          }),
        'P2002',
      );
      await expectPrismaError(
        () => prisma.fill.create({ data: { orderId: order.id, ...fills[0], isMaker: null } }),
        'P2002',
      );
      await expectPrismaError(
        () => prisma.fill.create({ data: { orderId: 'no-such-order', ...fills[0], tradeUuid: 'tr-9' } }),
        'P2003',
      );
      // a failing transaction leaves nothing behind
      await expect(
        prisma.$transaction(async (tx) => {
          await tx.fill.create({ data: { orderId: order.id, ...fills[0], tradeUuid: 'tr-3' } });
          await tx.fill.create({ data: { orderId: order.id, ...fills[0], tradeUuid: 'tr-1' } });
        }),
      ).rejects.toThrow();
      expect(await prisma.fill.count({ where: { orderId: order.id } })).toBe(2);
    });

    it('AccountSnapshot: exact balances, with or without a session', async () => {
      const takenAt = new Date(Date.UTC(2026, 0, 4, 1, 2, 3, 456));
      await prisma.accountSnapshot.create({
        data: { currency: 'KRW', balance: '1000000.12345678', locked: '30015', avgBuyPrice: '0', takenAt },
      });
      await prisma.session.create({
        data: { id: 'ses-acc', name: 'a', mode: 'sim', strategy: 's', status: 'running', config: {} },
      });
      await prisma.accountSnapshot.create({
        data: {
          sessionId: 'ses-acc',
          currency: 'BTC',
          balance: TINY,
          locked: '0',
          avgBuyPrice: '143000000.5',
          takenAt,
        },
      });
      const rows = await prisma.accountSnapshot.findMany({ where: { takenAt }, orderBy: { currency: 'asc' } });
      expect(
        rows.map((r) => [r.currency, r.sessionId, r.balance.toFixed(), r.locked.toFixed(), r.avgBuyPrice.toFixed()]),
      ).toEqual([
        ['BTC', 'ses-acc', TINY, '0', '143000000.5'],
        ['KRW', null, '1000000.12345678', '30015', '0'],
      ]);
      expect(rows[0].takenAt.getTime()).toBe(takenAt.getTime());
    });

    it('RiskEvent: severity enum, details JSON with default, optional session', async () => {
      const details = { limit: 'daily_loss', lossKrw: '-50000', positions: ['KRW-BTC'] };
      await prisma.riskEvent.create({
        data: { kind: 'halt', severity: 'critical', message: 'daily loss limit reached', details },
      });
      await prisma.riskEvent.create({ data: { kind: 'reconcile', severity: 'info', message: 'in sync' } });
      const rows = await prisma.riskEvent.findMany({ orderBy: { createdAt: 'asc' } });
      expect(rows.map((r) => [r.kind, r.severity, r.details, r.sessionId])).toEqual([
        ['halt', 'critical', details, null],
        ['reconcile', 'info', {}, null],
      ]);
      await expect(
        // @ts-expect-error: not a Severity
        prisma.riskEvent.create({ data: { kind: 'x', severity: 'fatal', message: 'x' } }),
      ).rejects.toThrow(/severity/);
    });

    it('Decision: action enum, optional float score, reasons and snapshot JSON, read by session in time order', async () => {
      await prisma.session.create({
        data: { id: 'ses-dec', name: 'd', mode: 'sim', strategy: 's', status: 'running', config: {} },
      });
      const snapshot = { close: '143210000', rsi14: 28.51, atr: '1234567.5', tf: { '5m': { ema20: 1.5e8 } } };
      await prisma.decision.create({
        data: {
          sessionId: 'ses-dec',
          market: 'KRW-BTC',
          action: 'entry',
          score: 0.7321,
          reasons: ['rsi oversold', 'volume surge'],
          snapshot,
          createdAt: new Date(1_800_000_000_000),
        },
      });
      await prisma.decision.create({
        data: {
          sessionId: 'ses-dec',
          market: 'KRW-XRP',
          action: 'skip',
          reasons: { why: 'spread too wide' },
          snapshot: {},
          createdAt: new Date(1_800_000_000_001),
        },
      });
      const rows = await prisma.decision.findMany({ where: { sessionId: 'ses-dec' }, orderBy: { createdAt: 'desc' } });
      expect(rows.map((r) => [r.market, r.action, r.score])).toEqual([
        ['KRW-XRP', 'skip', null],
        ['KRW-BTC', 'entry', 0.7321],
      ]);
      expect(rows[1].snapshot).toEqual(snapshot);
      expect(rows[1].reasons).toEqual(['rsi oversold', 'volume surge']);
    });

    it('BacktestRun, BacktestTrade, BacktestEquity: JSON results, nullable metrics, exact curve; deleting a run deletes its rows', async () => {
      const params = { strategy: 'ensemble', grid: { rsi: [14, 21] }, markets: ['KRW-BTC'] };
      const run = await prisma.backtestRun.create({
        data: { id: 'bt-1', kind: 'optimize', status: 'running', params },
      });
      expect(run.progress).toBe(0);
      expect(run.metrics).toBeNull();
      await prisma.backtestRun.update({
        where: { id: 'bt-1' },
        data: {
          status: 'done',
          progress: 1,
          metrics: { sharpe: 1.42, maxDrawdown: '0.083', trades: 2 },
          result: { best: { rsi: 14 } },
          finishedAt: new Date(),
        },
      });
      const t = Date.UTC(2025, 6, 1);
      await prisma.backtestTrade.createMany({
        data: [0, 1].map((i) => ({
          runId: 'bt-1',
          market: 'KRW-BTC',
          entryTs: new Date(t + i * 3_600_000),
          exitTs: new Date(t + i * 3_600_000 + 1_800_000),
          entryPrice: '100000000',
          exitPrice: '101500000',
          volume: '0.0003',
          pnl: '434.85',
          fees: '30.15',
          entryReason: 'score>0.7',
          exitReason: 'take_profit',
          paramSet: i,
        })),
      });
      await prisma.backtestEquity.createMany({
        data: [
          { runId: 'bt-1', ts: new Date(t), equity: '1000000', drawdown: '0' },
          { runId: 'bt-1', ts: new Date(t + 60_000), equity: '999000.5', drawdown: '0.0009995' },
        ],
      });
      const got = await prisma.backtestRun.findUniqueOrThrow({
        where: { id: 'bt-1' },
        include: { trades: { orderBy: { entryTs: 'asc' } }, equity: { orderBy: { ts: 'asc' } } },
      });
      expect(got).toMatchObject({ kind: 'optimize', status: 'done', progress: 1, error: null, params });
      expect(got.metrics).toEqual({ sharpe: 1.42, maxDrawdown: '0.083', trades: 2 });
      expect(got.trades.map((x) => [x.paramSet, x.pnl.toFixed(), x.exitTs.getTime() - x.entryTs.getTime()])).toEqual([
        [0, '434.85', 1_800_000],
        [1, '434.85', 1_800_000],
      ]);
      expect(got.equity.map((e) => [e.equity.toFixed(), e.drawdown.toFixed()])).toEqual([
        ['1000000', '0'],
        ['999000.5', '0.0009995'],
      ]);
      await expectPrismaError(
        () => prisma.backtestEquity.create({ data: { runId: 'bt-1', ts: new Date(t), equity: '1', drawdown: '0' } }),
        'P2002',
      );
      await prisma.backtestRun.update({ where: { id: 'bt-1' }, data: { metrics: Prisma.DbNull } });
      expect((await prisma.backtestRun.findUniqueOrThrow({ where: { id: 'bt-1' } })).metrics).toBeNull();

      await prisma.backtestRun.delete({ where: { id: 'bt-1' } });
      expect(await prisma.backtestTrade.count({ where: { runId: 'bt-1' } })).toBe(0);
      expect(await prisma.backtestEquity.count({ where: { runId: 'bt-1' } })).toBe(0);
    });

    it('User: role enum, username unique', async () => {
      const user = await prisma.user.create({
        data: { username: 'admin', role: 'admin', passwordHash: '$argon2id$v=19$m=65536,t=3,p=4$abc$def' },
      });
      const got = await prisma.user.findUniqueOrThrow({ where: { username: 'admin' } });
      expect(got).toEqual(user);
      await expectPrismaError(
        () => prisma.user.create({ data: { username: 'admin', role: 'viewer', passwordHash: 'x' } }),
        'P2002',
      );
    });

    it('ExchangeKey: encrypted blobs round-trip byte for byte; label unique', async () => {
      const accessKeyEnc = randomBytes(60);
      const secretKeyEnc = new Uint8Array([0, 255, 1, 254, 0, 0, 128]);
      await prisma.exchangeKey.create({ data: { label: 'main', accessKeyEnc, secretKeyEnc } });
      const got = await prisma.exchangeKey.findUniqueOrThrow({ where: { label: 'main' } });
      expect(Buffer.from(got.accessKeyEnc).equals(accessKeyEnc)).toBe(true);
      expect([...got.secretKeyEnc]).toEqual([...secretKeyEnc]);
      await expectPrismaError(
        () => prisma.exchangeKey.create({ data: { label: 'main', accessKeyEnc, secretKeyEnc } }),
        'P2002',
      );
    });

    it('AlertChannel: kind enum, target JSON, enabled and min severity defaults', async () => {
      const target = { webhookUrl: 'https://hooks.example.invalid/T000/B000', channel: '#trading' };
      const created = await prisma.alertChannel.create({ data: { kind: 'slack', target } });
      expect(created.enabled).toBe(true);
      expect(created.minSeverity).toBe('warn');
      await prisma.alertChannel.create({
        data: { kind: 'telegram', target: { chatId: -100123 }, enabled: false, minSeverity: 'critical' },
      });
      const rows = await prisma.alertChannel.findMany({ orderBy: { kind: 'asc' } });
      expect(rows.map((r) => [r.kind, r.target, r.enabled, r.minSeverity])).toEqual([
        ['telegram', { chatId: -100123 }, false, 'critical'],
        ['slack', target, true, 'warn'],
      ]);
    });
  });
}

describe('embedded PGlite on disk', () => {
  it('keeps data across close and reopen, and reopening applies no migration twice', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'upbit-db-'));
    try {
      const first = await openDatabase({ databaseUrl: '', dataDir });
      expect(first.kind).toBe('pglite');
      expect(first.appliedMigrations).toEqual((await migrationFolders()).map((f) => f.name));
      await first.prisma.market.create({
        data: { code: 'KRW-SOL', koreanName: '솔라나', englishName: 'Solana', quote: 'KRW' },
      });
      // a second owner would corrupt it
      await expect(openDatabase({ databaseUrl: '', dataDir })).rejects.toThrow(
        new RegExp(`already open in process ${process.pid} \\(this one\\)`),
      );
      await first.close();
      await first.close(); // second close is harmless
      const health = await checkDatabase(first);
      expect(health).not.toBe('ok');
      expect(health.length).toBeGreaterThan(0);
      expect(existsSync(join(dataDir, 'pg.lock'))).toBe(false);

      // a lock left behind by a process that is gone does not block
      const gone = spawnSync(process.execPath, ['-e', '']);
      await writeFile(join(dataDir, 'pg.lock'), String(gone.pid));
      const second = await openDatabase({ databaseUrl: '', dataDir });
      try {
        expect(second.appliedMigrations).toEqual([]);
        const got = await second.prisma.market.findUniqueOrThrow({ where: { code: 'KRW-SOL' } });
        expect(got.koreanName).toBe('솔라나');
        const [{ n }] = await second.prisma.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM _prisma_migrations`;
        expect(n).toBe(first.appliedMigrations.length);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('embedded PGlite lock', () => {
  it('refuses a data directory another live process holds, naming it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'upbit-db-'));
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await mkdir(join(dataDir, 'pg'));
      await writeFile(join(dataDir, 'pg.lock'), String(holder.pid));
      await expect(openDatabase({ databaseUrl: '', dataDir })).rejects.toThrow(
        new RegExp(`already open in process ${holder.pid}[^(]*; PGlite allows one owner`),
      );
      expect(await readFile(join(dataDir, 'pg.lock'), 'utf8')).toBe(String(holder.pid));
    } finally {
      holder.kill();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('openDatabase input errors', () => {
  it('rejects a URL it cannot use, naming what it accepts', async () => {
    await expect(openDatabase({ databaseUrl: 'mysql://root:pw@127.0.0.1/x' })).rejects.toThrow(
      /postgres:\/\/ or postgresql:\/\/ URL, memory:\/\/, or unset/,
    );
    await expect(openDatabase({ databaseUrl: 'postgres://u@127.0.0.1/db?schema=a;drop' })).rejects.toThrow(
      /plain identifier/,
    );
  });

  it('reports an unreachable server without leaking the password', async () => {
    const err = await openDatabase({ databaseUrl: 'postgres://trader:s3cret@127.0.0.1:1/upbit' }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err?.message).toContain('127.0.0.1:1');
    expect(err?.message).not.toContain('s3cret');
  });
});

describe.skipIf(!serverUrl)('PostgreSQL server: concurrent start-up', () => {
  it('two openers on separate connections, starting at once on a fresh schema, apply each migration exactly once', async () => {
    const url = freshSchemaUrl(serverUrl ?? '');
    const [a, b] = await Promise.all([openDatabase({ databaseUrl: url }), openDatabase({ databaseUrl: url })]);
    try {
      const names = (await migrationFolders()).map((f) => f.name);
      expect([a.appliedMigrations, b.appliedMigrations].sort((x, y) => y.length - x.length)).toEqual([names, []]);
      const [{ n }] = await a.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM _prisma_migrations`;
      expect(n).toBe(names.length);
      const c = await openDatabase({ databaseUrl: url });
      expect(c.appliedMigrations).toEqual([]);
      await c.close();
    } finally {
      await a.prisma.$executeRawUnsafe(`DROP SCHEMA "${new URL(url).searchParams.get('schema')}" CASCADE`);
      await Promise.all([a.close(), b.close()]);
    }
  });
});
