// The candle collector end to end: its Temporal Schedule, the `data` queue worker, the simulator's candle API at
// Upbit's budget (10 requests/s for candles) and PGlite. Two days of history for the
// benchmarks and the screened universe make a backfill of about 40 s, long enough to stop midway.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectSummary, collectedMarkets } from '../../activities/candles';
import { minuteBucket } from '../../exchange/sim/candles';
import { candleCollectorScheduleId } from '../../workflows/ids';
import { eventually, type Stack, startStack } from '../stack';

const HISTORY_DAYS = 2;
const MINUTE = 60_000;
const BENCHMARKS = ['KRW-BTC', 'KRW-ETH'];

describe('candle collector', () => {
  let stack: Stack;
  let gapMinute: number;
  let spikeMinute: number;
  let collectedPerSecond = 0;

  beforeAll(async () => {
    stack = await startStack({
      sim: { historyMinutes: 3 * 1440 },
      candleHistoryDays: HISTORY_DAYS,
    });
    // The exchange has no candle for a minute two hours ago (no trades then): the collector must leave it missing.
    const eth = stack.sim.markets.get('KRW-ETH')!.minuteLayer.candles;
    const i = eth.findIndex((c) => c.t >= minuteBucket(Date.now()) - 120 * MINUTE);
    gapMinute = eth[i].t;
    eth.splice(i, 1);
    // A bar three hours ago whose high is 20% above the previous close: real data to keep, and flag.
    const btc = stack.sim.markets.get('KRW-BTC')!.minuteLayer.candles;
    const j = btc.findIndex((c) => c.t >= minuteBucket(Date.now()) - 180 * MINUTE);
    spikeMinute = btc[j].t;
    btc[j] = { ...btc[j], h: btc[j - 1].c * 1.2 };
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  const stored = (market: string) =>
    stack.db.prisma.candle.findMany({ where: { market, timeframe: 'minute1' }, orderBy: { ts: 'asc' } });
  const storedCount = () => stack.db.prisma.candle.count({ where: { timeframe: 'minute1' } });
  const schedule = () => stack.client.schedule.getHandle(candleCollectorScheduleId('sim'));

  it('backfills the history window, resuming after the worker is stopped mid-backfill, with no 429', async () => {
    const workers = await stack.startWorkers();
    // Interrupt once a good part, but not all, of the benchmarks' history is stored.
    const fullBenchmarks = BENCHMARKS.length * HISTORY_DAYS * 1440;
    const started = await eventually(async () => ((await storedCount()) > 0 ? Date.now() : 0), 60_000, 'first rows');
    const atStop = await eventually(
      async () => {
        const n = await storedCount();
        return n > fullBenchmarks / 4 ? n : 0;
      },
      60_000,
      'a quarter of the backfill',
    );
    collectedPerSecond = atStop / ((Date.now() - started) / 1000);
    // The run to stop is the newest one, while it runs. The first can be short: started before the universe is
    // screened, it backfills the two benchmarks alone (about 3 s) and ends, and the next minute's run backfills the
    // universe. Reading the first run only (recentActions[0]) then found it completed.
    const running = await eventually(
      async () => {
        const actions = (await schedule().describe()).info.recentActions;
        const id = actions[actions.length - 1]?.action.workflow.workflowId;
        return id && (await stack.client.workflow.getHandle(id).describe()).status.name === 'RUNNING' ? id : '';
      },
      90_000,
      'a collector run running',
    );
    await workers.stop();
    const afterStop = await storedCount();
    // Stopped before the whole history window of every market it collects was stored.
    const collected = await collectedMarkets({ db: stack.db }, 'sim');
    expect(afterStop).toBeLessThan(collected.length * HISTORY_DAYS * 1440);

    await stack.startWorkers();
    const result = (await stack.client.workflow.getHandle(running).result()) as CollectSummary;
    const fullPages = result.markets.length * Math.ceil((HISTORY_DAYS * 1440) / 200);
    // The attempt that finished fetched only what was not stored yet.
    expect(result.pages).toBeLessThan(fullPages);

    const now = Date.now();
    for (const market of BENCHMARKS) {
      const rows = await stored(market);
      const sim = stack.sim.markets
        .get(market)!
        .minuteLayer.candles.filter((c) => c.t >= rows[0].ts.getTime() && c.t <= rows[rows.length - 1].ts.getTime());
      // The history window reached back, and exactly the exchange's candles are stored (no gap filled, none lost).
      expect(rows[0].ts.getTime()).toBeLessThanOrEqual(now - HISTORY_DAYS * 86_400_000 + 5 * MINUTE);
      expect(rows.map((r) => r.ts.getTime())).toEqual(sim.map((c) => c.t));
      expect(rows.map((r) => Number(r.close))).toEqual(sim.map((c) => c.c));
    }

    await stack.health.flush();
    const degraded = await stack.db.prisma.riskEvent.findMany({ where: { kind: 'exchange_degraded' } });
    expect(degraded.map((e) => e.message).filter((m) => m.includes('429'))).toEqual([]);
    console.log(
      `candle collector: ${collectedPerSecond.toFixed(0)} minutes of candles stored per second ` +
        `(Upbit's candle budget of 10 requests/s, price feed polling alongside)`,
    );
    // Generous: at the candle budget the backfill takes ~40 s, but a loaded CI machine runs it several times slower.
  }, 360_000);

  it('records the gap and the spike in the exchange data and does not fill the gap', async () => {
    const eth = await stored('KRW-ETH');
    expect(eth.some((r) => r.ts.getTime() === gapMinute)).toBe(false);
    const issues = await stack.db.prisma.candleQualityIssue.findMany({
      where: { market: { in: BENCHMARKS }, timeframe: 'minute1' },
    });
    const found = (market: string, kind: string, ts: number) =>
      issues.some((i) => i.market === market && i.kind === kind && i.ts.getTime() === ts);
    expect(found('KRW-ETH', 'gap', gapMinute), JSON.stringify(issues)).toBe(true);
    expect(found('KRW-BTC', 'spike', spikeMinute), JSON.stringify(issues)).toBe(true);
    // The spike is flagged, not changed.
    const btcSpike = (await stored('KRW-BTC')).find((r) => r.ts.getTime() === spikeMinute);
    expect(Number(btcSpike?.high)).toBe(
      stack.sim.markets.get('KRW-BTC')!.minuteLayer.candles.find((c) => c.t === spikeMinute)?.h,
    );
    const res = await fetch(`${stack.apiUrl}/api/candles/coverage`, { headers: await stack.authHeaders() });
    expect(res.status).toBe(200);
    const coverage = (await res.json()) as {
      market: string;
      timeframe: string;
      missing?: number;
      spikes?: number;
    }[];
    const ethCoverage = coverage.find((c) => c.market === 'KRW-ETH' && c.timeframe === 'minute1');
    expect(ethCoverage?.missing, JSON.stringify(coverage)).toBeGreaterThanOrEqual(1);
    const btcCoverage = coverage.find((c) => c.market === 'KRW-BTC' && c.timeframe === 'minute1');
    expect(btcCoverage?.spikes, JSON.stringify(coverage)).toBeGreaterThanOrEqual(1);
  });

  it('stays current: the minute that closes next is stored by the next run', async () => {
    const closing = minuteBucket(Date.now());
    await eventually(
      async () => {
        const newest = await stack.db.prisma.candle.findFirst({
          where: { market: 'KRW-BTC', timeframe: 'minute1' },
          orderBy: { ts: 'desc' },
        });
        return newest && newest.ts.getTime() >= closing;
      },
      100_000,
      `the candle of ${new Date(closing).toISOString()}`,
    );
  }, 120_000);
});
