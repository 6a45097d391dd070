// `npm run data:download -- --market KRW-BTC --timeframe minute1 --days 90 [--base-url URL]`
// Downloads closed candles into the candle store, then prints the data-quality report of what is stored.
import { parseArgs } from 'node:util';
import { downloadCandles } from '../exchange/marketdata/download';
import { formatQualityReport, qualityReport } from '../exchange/marketdata/quality-report';
import { bucketStart, CANDLE_TIMEFRAMES, parseTimeframe } from '../exchange/marketdata/timeframes';
import { UpbitClient } from '../exchange/upbit/client';
import { openDatabase } from '../prisma/db';

const UPBIT_REST = 'https://api.upbit.com';
const SIM_REST = 'http://127.0.0.1:7780';

const USAGE = `usage: npm run data:download -- --market KRW-BTC[,KRW-ETH...] --timeframe minute1 --days 90 [options]

Downloads closed candles from Upbit's public REST API (no keys needed) into the database and prints a
data-quality report. Reruns only fetch what is missing, so an interrupted download resumes.

  --market      one or more markets, comma separated (KRW-BTC,KRW-ETH)
  --timeframe   ${CANDLE_TIMEFRAMES.join(' | ')}
  --days        how many days back from --to (default 30)
  --to          end of the range, ISO 8601 UTC (default: now)
  --base-url    REST base URL (default ${UPBIT_REST}, Upbit's public API).
                Offline, start the simulator (npm run sim) and pass ${SIM_REST}
  --source      value of the candles' source column (default: upbit, or sim when --base-url is given)

The database is the one of the app: DATABASE_URL if set, else embedded PGlite under DATA_DIR (default ./data).`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      market: { type: 'string' },
      timeframe: { type: 'string' },
      days: { type: 'string', default: '30' },
      to: { type: 'string' },
      'base-url': { type: 'string' },
      source: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.market || !values.timeframe) {
    console.error(USAGE);
    return 2;
  }
  const markets = values.market.split(',').map((m) => m.trim().toUpperCase());
  const timeframe = parseTimeframe(values.timeframe);
  const days = Number(values.days);
  if (!(days > 0)) throw new Error(`--days must be a positive number, got "${values.days}"`);
  const to = values.to ? Date.parse(values.to) : Date.now();
  if (Number.isNaN(to)) throw new Error(`--to must be an ISO 8601 time, got "${values.to}"`);
  const from = bucketStart(timeframe, to - days * 86_400_000);
  const baseUrl = values['base-url'] ?? UPBIT_REST;
  const source = values.source ?? (values['base-url'] ? 'sim' : 'upbit');

  const client = new UpbitClient({ baseUrl });
  const db = await openDatabase();
  try {
    for (const market of markets) {
      const started = Date.now();
      const result = await downloadCandles({
        client,
        db,
        market,
        timeframe,
        from,
        to,
        source,
        onProgress: (p) =>
          process.stderr.write(
            `\r${market} ${timeframe}: ${(p.fraction * 100).toFixed(1)}%  pages ${p.pages}  received ${p.received}  new ${p.inserted}   `,
          ),
      });
      process.stderr.write('\n');
      const seconds = (Date.now() - started) / 1000;
      const missing = result.ranges.map(([a, b]) => `${new Date(a).toISOString()} → ${new Date(b).toISOString()}`);
      console.log(
        `${market} ${timeframe}: ${result.inserted} new candles (${result.received} received, ${result.pages} requests, ${seconds.toFixed(1)} s)` +
          (missing.length ? `; fetched ${missing.join(', ')}` : '; nothing missing'),
      );
      const report = await qualityReport(db, { market, timeframe, from, to });
      // Reported, not fixed: gaps at exchange maintenance or spikes in a crash are real market history.
      console.log(formatQualityReport(report));
    }
  } finally {
    await db.close();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? `error: ${err.message}` : err);
    process.exit(1);
  },
);
