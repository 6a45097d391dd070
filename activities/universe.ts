// The tradable universe: the exchange's market list (names and warnings into `markets`), 24h traded value,
// spreads and 30-day traded value, screened by core/strategy/universe and stored as a `universe_snapshots`
// row. Run by the universe workflow on a Temporal Schedule; sessions read the newest snapshot.
import type { TradingMode } from '../core/session/config';
import { screenUniverse } from '../core/strategy/universe';
import { fetchRecentCandles } from '../exchange/marketdata/download';
import type { UpbitClient } from '../exchange/upbit/client';
import type { Database } from '../prisma/db';
import { latestUniverse, saveMarkets, saveUniverse } from '../prisma/repositories/universe';
import type { ActivityDeps } from './deps';

/** Markets kept in a snapshot, most traded first; a session takes the first `universeSize` of them. */
export const UNIVERSE_MAX_SIZE = 100;
/** Markets whose 30 days of daily value are fetched (one request each): the most traded that pass the rest. */
const DAILY_VALUE_CHECKS = 30;
/** Markets per ticker or order-book request. */
const QUOTES_PER_REQUEST = 100;
/** A snapshot older than this is refreshed on demand by the session that needs it. */
export const UNIVERSE_MAX_AGE_MS = 36 * 3_600_000;

export interface UniverseSummary {
  snapshotId: string;
  mode: TradingMode;
  selected: string[];
  excluded: number;
}

/** Screens the exchange's KRW markets and stores the result; also refreshes the `markets` table. */
export async function refreshUniverse(db: Database, client: UpbitClient, mode: TradingMode): Promise<UniverseSummary> {
  const markets = await client.markets({ details: true });
  await saveMarkets(
    db,
    markets.map((m) => ({
      code: m.market,
      koreanName: m.korean_name,
      englishName: m.english_name,
      warning: m.market_event?.warning ?? false,
      caution: m.market_event?.caution ?? {},
      quote: m.market.split('-')[0],
    })),
  );
  const krw = markets.filter((m) => m.market.startsWith('KRW-')).map((m) => m.market);
  const tickers = [];
  const orderbooks = [];
  for (let i = 0; i < krw.length; i += QUOTES_PER_REQUEST) {
    const chunk = krw.slice(i, i + QUOTES_PER_REQUEST);
    tickers.push(...(await client.ticker(chunk)));
    orderbooks.push(...(await client.orderbook(chunk, { count: 1 })));
  }
  // The 30-day filter needs a request per market: asked only of the most traded that pass every other test.
  const first = screenUniverse({ markets, tickers, orderbooks, size: DAILY_VALUE_CHECKS });
  const dailyValues: Record<string, number[]> = {};
  for (const row of first.selected) {
    const days = await fetchRecentCandles(client, row.market, 'day', 31);
    // The newest day is still trading: the average is over closed days.
    dailyValues[row.market] = days.slice(0, -1).map((d) => d.value ?? 0);
  }
  const screen = screenUniverse({ markets, tickers, orderbooks, dailyValues, size: UNIVERSE_MAX_SIZE });
  const snapshotId = await saveUniverse(db, { mode, selected: screen.selected, excluded: screen.excluded });
  return {
    snapshotId,
    mode,
    selected: screen.selected.map((r) => r.market),
    excluded: screen.excluded.length,
  };
}

export { latestUniverse };

export function createUniverseActivities({ db, exchange }: ActivityDeps) {
  return {
    async refreshUniverse(input: { mode: TradingMode }): Promise<UniverseSummary> {
      return refreshUniverse(db, exchange(input.mode), input.mode);
    },
  };
}
