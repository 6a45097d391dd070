// `npm run backtest -- --strategy <id> --markets KRW-ETH --timeframe minute15 --from 2024-07-01 --to 2024-12-31
//   [--optimize grid|random|tpe --budget N --objective sharpe] [--monte-carlo N] [--csv-dir DIR]
//   [--cash KRW] [--fee 0.0005] [--slippage-bps 5] [--entry market|limit] [--params JSON] [--risk JSON] [--seed N]
//   [--db] [--temporal]`
// Loads candles, runs core/backtest and prints a report a trader can read in a terminal.
// Candles come from the database (`--db`; also the default when it holds the request's candles) or from CSV files
// (`--csv-dir`, default the sample of real candles shipped in samples/candles). `--temporal` runs the request as a backtest workflow on the workers at TEMPORAL_ADDRESS instead and
// prints its progress and summary (the full result is in the database and at GET /api/backtests/<id>).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { type BacktestConfig, type BacktestResult, runBacktest } from '../core/backtest/engine';
import { monteCarlo } from '../core/backtest/montecarlo';
import { optimizeStrategy, warmupMs } from '../core/backtest/research';
import { OBJECTIVES, type Objective } from '../core/backtest/search';
import { type Candle, isEngineTimeframe, newCandle, type Timeframe } from '../core/market';
import { DEFAULT_STRATEGY_ID, getStrategy } from '../core/strategy';
import { loadCandles as loadStoredCandles } from '../exchange/marketdata/load';
import { SAMPLE_CANDLE_DIR } from '../exchange/marketdata/sample';
import { storedSpan } from '../exchange/marketdata/store';
import { openDatabase } from '../prisma/db';

const CSV_SUFFIX: Partial<Record<Timeframe, string>> = {
  minute1: '1m',
  minute5: '5m',
  minute15: '15m',
  minute60: '60m',
  minute240: '240m',
  day: '1d',
};

/** The `.csv` or `.csv.gz` files in `dir`, as a sentence for error messages. */
function filesIn(dir: string): string {
  const names = readdirSync(dir).filter((f) => /\.csv(\.gz)?$/.test(f));
  return names.length ? `it has ${names.sort().join(', ')}` : 'it has no candle files';
}

/**
 * Candles per market from `<dir>/<MARKET>_<tf>.csv` or `.csv.gz` (header ts_utc_ms,open,high,low,close,volume,value),
 * bars with from <= ts < to. The database loader (exchange/marketdata/load.ts) returns the same shape.
 */
export function loadCandles(dir: string, markets: string[], timeframe: Timeframe, from: number, to: number) {
  const out: Record<string, Candle[]> = {};
  for (const market of markets) {
    const plain = join(dir, `${market}_${CSV_SUFFIX[timeframe]}.csv`);
    const file = existsSync(plain) ? plain : `${plain}.gz`;
    if (!existsSync(file)) throw new Error(`no ${timeframe} candles of ${market} in ${dir} (${filesIn(dir)})`);
    const bytes = readFileSync(file);
    const lines = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8').split('\n');
    if (lines[0].trim() !== 'ts_utc_ms,open,high,low,close,volume,value')
      throw new Error(`${file}: unexpected header ${JSON.stringify(lines[0])}`);
    const candles: Candle[] = [];
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (let i = 1; i < lines.length; i++) {
      if (lines[i].trim() === '') continue;
      const [ts, open, high, low, close, volume, value] = lines[i].split(',');
      const c = newCandle(
        Number(ts),
        Number(open),
        Number(high),
        Number(low),
        Number(close),
        Number(volume),
        value ? Number(value) : undefined,
      );
      if (![c.ts, c.open, c.high, c.low, c.close, c.volume].every(Number.isFinite))
        throw new Error(`${file}:${i + 1}: not a number in ${JSON.stringify(lines[i])}`);
      first = Math.min(first, c.ts);
      last = Math.max(last, c.ts);
      if (c.ts >= from && c.ts < to) candles.push(c);
    }
    if (candles.length === 0)
      throw new Error(
        `${file}: no candles between ${iso(from)} and ${iso(to)}` +
          (first <= last ? ` (it covers ${iso(first)} to ${iso(last)})` : ' (it has none)'),
      );
    out[market] = candles;
  }
  return out;
}

const iso = (ts: number) => new Date(ts).toISOString().replace('T', ' ').slice(0, 16);
const pct = (x: number, d = 2) => (Number.isFinite(x) ? `${(x * 100).toFixed(d)}%` : String(x));
const num = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
const krw = (x: number) => Math.round(x).toLocaleString('en-US');
const duration = (ms: number) => {
  const h = ms / 3_600_000;
  return h >= 48 ? `${(h / 24).toFixed(1)}d` : `${h.toFixed(1)}h`;
};

function table(title: string, head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) =>
    `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const sep = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [`\n${title}`, line(head), sep, ...cells.slice(1).map(line)].join('\n');
}

function report(r: BacktestResult): string {
  const m = r.metrics;
  const out: string[] = [];
  const byMarket = new Map<string, typeof r.trades>();
  for (const t of r.trades) byMarket.set(t.market, [...(byMarket.get(t.market) ?? []), t]);
  const tradeRows = (name: string, ts: typeof r.trades) => {
    const pnl = ts.reduce((s, t) => s + Number(t.pnl), 0);
    const wins = ts.filter((t) => Number(t.pnl) > 0).length;
    const avg = ts.length ? ts.reduce((s, t) => s + t.returnPct, 0) / ts.length : 0;
    const hold = ts.length ? ts.reduce((s, t) => s + t.exitTs - t.entryTs, 0) / ts.length : 0;
    return [
      name,
      ts.length,
      pct(avg),
      krw(pnl),
      pct(pnl / m.initialEquity),
      duration(hold),
      `${wins}/${ts.length - wins}`,
    ];
  };
  const head = ['market', 'trades', 'avg profit', 'total KRW', 'total %', 'avg hold', 'win/loss'];
  out.push(
    table('BACKTEST RESULT BY MARKET', head, [
      ...[...byMarket].sort().map(([k, v]) => tradeRows(k, v)),
      tradeRows('TOTAL', r.trades),
    ]),
  );
  const byReason = new Map<string, typeof r.trades>();
  for (const t of r.trades) {
    const reason = t.exitReason.split(':')[0];
    byReason.set(reason, [...(byReason.get(reason) ?? []), t]);
  }
  out.push(
    table(
      'EXIT REASONS',
      ['exit reason', ...head.slice(1)],
      [...byReason].map(([k, v]) => tradeRows(k, v)),
    ),
  );
  out.push(
    table(
      'SUMMARY METRICS',
      ['metric', 'value'],
      [
        ['period', `${iso(r.startTs)} -> ${iso(r.endTs)}`],
        ['strategy', r.strategyId],
        ['starting balance', `${krw(m.initialEquity)} KRW`],
        ['final balance', `${krw(m.finalEquity)} KRW`],
        ['total return', pct(m.totalReturn)],
        ['annualised return', pct(m.annualisedReturn)],
        ['max drawdown', pct(m.maxDrawdown)],
        ['Sharpe / Sortino / Calmar', `${num(m.sharpe)} / ${num(m.sortino)} / ${num(m.calmar)}`],
        ['trades (per day)', `${m.trades} (${num(m.tradesPerDay, 3)})`],
        ['win rate', pct(m.winRate)],
        ['avg win / avg loss', `${krw(m.averageWin)} / ${krw(m.averageLoss)} KRW`],
        ['profit factor / reward:risk', `${num(m.profitFactor)} / ${num(m.rewardToRisk)}`],
        ['longest losing streak', m.longestLosingStreak],
        ['avg holding time', duration(m.averageHoldingMs)],
        ['avg slippage', `${num(m.averageSlippageBps)} bps`],
        ['exposure', pct(m.exposure)],
        ['fees paid', `${krw(r.fills.reduce((s, f) => s + Number(f.fee), 0))} KRW`],
        [
          'entries stopped',
          Object.entries(r.rejections)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ') || 'none',
        ],
      ],
    ),
  );
  out.push(`\nparameters: ${JSON.stringify(r.params)}`);
  const skipped = Object.entries(r.skipped).sort((a, b) => b[1] - a[1]);
  if (skipped.length)
    out.push(
      table(
        `EVALUATIONS SKIPPED (${skipped.reduce((s, [, n]) => s + n, 0)} of ${r.evaluations})`,
        ['reason', 'count'],
        skipped.slice(0, 8),
      ),
    );
  out.push(
    table(
      'MONTHLY RETURNS',
      ['month', 'return'],
      m.monthlyReturns.map((p) => [p.period, pct(p.return)]),
    ),
  );
  return out.join('\n');
}

function dayMs(s: string, name: string): number {
  const t = Date.parse(`${s}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || !Number.isFinite(t))
    throw new Error(`--${name}: expected YYYY-MM-DD, got ${s}`);
  return t;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      strategy: { type: 'string', default: DEFAULT_STRATEGY_ID },
      // Defaults that trade on the shipped sample (samples/candles): the default strategy decides on 15-minute bars.
      markets: { type: 'string', default: 'KRW-ETH' },
      timeframe: { type: 'string', default: 'minute15' },
      from: { type: 'string', default: '2024-07-01' },
      to: { type: 'string', default: '2024-12-31' },
      cash: { type: 'string', default: '10000000' },
      fee: { type: 'string' },
      'slippage-bps': { type: 'string', default: '5' },
      entry: { type: 'string', default: 'market' },
      params: { type: 'string' },
      risk: { type: 'string' },
      optimize: { type: 'string' },
      budget: { type: 'string', default: '50' },
      objective: { type: 'string', default: 'sharpe' },
      seed: { type: 'string', default: '1' },
      'monte-carlo': { type: 'string', default: '1000' },
      'csv-dir': { type: 'string' },
      db: { type: 'boolean', default: false },
      temporal: { type: 'boolean', default: false },
    },
  });
  const timeframe = values.timeframe;
  if (!isEngineTimeframe(timeframe) || !CSV_SUFFIX[timeframe])
    throw new Error(`--timeframe: one of ${Object.keys(CSV_SUFFIX).join(', ')}, got ${timeframe}`);
  const strategy = getStrategy(values.strategy); // unknown ids fail here with the list of known ones
  const from = dayMs(values.from, 'from');
  const to = dayMs(values.to, 'to') + 86_400_000; // --to is inclusive
  const markets = values.markets
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  if (values.temporal) return runOnTemporal(values, markets, timeframe, from, to);
  const { candles, dir } = await candleSource(values, markets, timeframe, from - warmupMs(strategy, timeframe), to);
  const data = { candles, timeframe };
  const parseJson = (name: string, s?: string) => {
    if (s === undefined) return undefined;
    try {
      return JSON.parse(s);
    } catch {
      throw new Error(`--${name}: not JSON: ${s}`);
    }
  };
  const base: BacktestConfig = {
    strategyId: values.strategy,
    params: parseJson('params', values.params),
    risk: parseJson('risk', values.risk),
    initialCashKrw: values.cash,
    feeRate: values.fee,
    fill: { slippage: { kind: 'fixed', bps: Number(values['slippage-bps']) }, limitVolumeCap: 0.1 },
    entryOrder:
      values.entry === 'limit' ? { type: 'limit', timeoutBars: 1, fallbackToMarket: true } : { type: 'market' },
    tradeFrom: from,
    tradeTo: to,
  };
  if (values.entry !== 'market' && values.entry !== 'limit')
    throw new Error(`--entry: market or limit, got ${values.entry}`);
  const bars = Object.values(candles).reduce((s, c) => s + c.length, 0);
  console.log(`${markets.join(', ')} ${timeframe}: ${bars} bars from ${dir} (warm-up included)`);

  if (values.optimize) {
    const method = values.optimize;
    if (method !== 'grid' && method !== 'random' && method !== 'tpe')
      throw new Error(`--optimize: grid, random or tpe, got ${method}`);
    const objective = values.objective as Objective;
    if (!OBJECTIVES.includes(objective)) throw new Error(`--objective: one of ${OBJECTIVES.join(', ')}`);
    const started = performance.now();
    const trials = optimizeStrategy(
      base,
      { method, budget: Number(values.budget), seed: Number(values.seed), objective },
      data,
    );
    console.log(
      table(
        `OPTIMISATION (${method}, ${trials.length} parameter sets, objective ${objective}, ${((performance.now() - started) / 1000).toFixed(1)} s) - in-sample, top 10`,
        ['#', 'score', 'trades', 'return', 'max DD', 'win rate', 'params'],
        trials
          .slice(0, 10)
          .map((t, i) => [
            i + 1,
            num(t.score, 3),
            t.metrics.trades,
            pct(t.metrics.totalReturn),
            pct(t.metrics.maxDrawdown),
            pct(t.metrics.winRate),
            JSON.stringify(t.params),
          ]),
      ),
    );
    base.params = { ...base.params, ...(trials[0].params as Record<string, number | boolean>) };
    console.log('\nBest parameters, full report (in-sample: judge them with a walk-forward run):');
  }
  const result = runBacktest(base, data);
  console.log(report(result));
  const runs = Number(values['monte-carlo']);
  if (runs > 0 && result.trades.length > 1) {
    const rows = (['shuffle', 'bootstrap'] as const).map((method) => {
      const b = monteCarlo(result.trades, {
        method,
        runs,
        seed: Number(values.seed),
        initialEquity: result.metrics.initialEquity,
      });
      return [
        method,
        krw(b.finalEquity.p5),
        krw(b.finalEquity.p50),
        krw(b.finalEquity.p95),
        pct(b.maxDrawdown.p5),
        pct(b.maxDrawdown.p50),
        pct(b.maxDrawdown.p95),
        pct(b.lossProbability),
      ];
    });
    console.log(
      table(
        `MONTE CARLO (${runs} runs over ${result.trades.length} trades)`,
        ['method', 'final p5', 'final p50', 'final p95', 'DD p5', 'DD p50', 'DD p95', 'P(loss)'],
        rows,
      ),
    );
  }
}

/**
 * The database's candles when `--db` is given or, without `--csv-dir`, when it holds every market's candles for the
 * range; else the CSV files. `dir` names the source for the report.
 */
async function candleSource(
  values: { db?: boolean; 'csv-dir'?: string },
  markets: string[],
  timeframe: Timeframe,
  from: number,
  to: number,
): Promise<{ candles: Record<string, Candle[]>; dir: string }> {
  if (values.db && values['csv-dir']) throw new Error('--db and --csv-dir: pick one source of candles');
  if (!values['csv-dir']) {
    let db: Awaited<ReturnType<typeof openDatabase>> | undefined;
    try {
      db = await openDatabase();
    } catch (err) {
      if (values.db) throw err;
    }
    if (db) {
      try {
        const missing: string[] = [];
        for (const m of markets) if (!(await storedSpan(db, m, timeframe, { from, to }))) missing.push(m);
        if (missing.length === 0)
          return { candles: await loadStoredCandles(db, { markets, timeframe, from, to }), dir: 'the database' };
        if (values.db)
          throw new Error(
            `--db: no ${timeframe} candles stored for ${missing.join(', ')} in the range; load them with npm run data:import or npm run data:download`,
          );
      } finally {
        await db.close();
      }
    }
  }
  const dir = values['csv-dir'] ?? SAMPLE_CANDLE_DIR;
  if (!existsSync(dir)) throw new Error(`candle directory ${dir} not found`);
  return { candles: loadCandles(dir, markets, timeframe, from, to), dir };
}

/** Starts the request as a backtest workflow and prints its progress until it ends. */
async function runOnTemporal(
  values: Record<string, string | boolean | undefined>,
  markets: string[],
  timeframe: Timeframe,
  from: number,
  to: number,
): Promise<void> {
  const [
    { Client, Connection },
    { randomBytes },
    { parseBacktestRequest, TASK_QUEUE_BACKTEST },
    { readTemporalTarget },
    { backtestProgressQuery },
  ] = await Promise.all([
    import('@temporalio/client'),
    import('node:crypto'),
    import('../core/contract'),
    import('../core/environment'),
    import('../workflows/backtest'),
  ]);
  if (values.entry !== 'market') throw new Error('--entry limit: not available with --temporal');
  const json = (name: string) => (values[name] === undefined ? undefined : JSON.parse(String(values[name])));
  const runs = Number(values['monte-carlo']);
  const request = parseBacktestRequest({
    kind: values.optimize ? 'optimize' : runs >= 10 ? 'montecarlo' : 'backtest',
    strategy: String(values.strategy),
    params: json('params'),
    markets,
    timeframe,
    from,
    to,
    capitalKrw: String(values.cash),
    ...(values.fee !== undefined && { feeRate: String(values.fee) }),
    slippageBps: Number(values['slippage-bps']),
    ...(values.risk !== undefined && { risk: json('risk') }),
    ...(values.optimize && {
      optimize: {
        method: String(values.optimize),
        budget: Number(values.budget),
        objective: String(values.objective),
        seed: Number(values.seed),
      },
    }),
    ...(!values.optimize && runs >= 10 && { montecarlo: { runs, seed: Number(values.seed) } }),
  });
  const env = readTemporalTarget();
  const address = env.temporalAddress || 'localhost:7233';
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection, namespace: env.temporalNamespace });
    const id = `bt-${randomBytes(6).toString('hex')}`;
    const handle = await client.workflow.start('backtestWorkflow', {
      workflowId: id,
      taskQueue: TASK_QUEUE_BACKTEST,
      args: [{ runId: id, request }],
    });
    console.log(`started ${request.kind} ${id} on ${address}`);
    const poll = setInterval(() => {
      handle
        .query(backtestProgressQuery)
        .then((p) => console.log(`${id}: ${(p.progress * 100).toFixed(0)}% (${p.done}/${p.total}) ${p.phase}`))
        .catch(() => undefined);
    }, 2000);
    try {
      console.log(JSON.stringify(await handle.result(), null, 2));
    } finally {
      clearInterval(poll);
    }
  } finally {
    await connection.close();
  }
}

// Run only as a command; the benchmark imports loadCandles from here.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(`backtest: ${(e as Error).message}`);
    process.exit(1);
  });
}
