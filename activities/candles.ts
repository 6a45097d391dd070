// The candle collector's activity (on the `data` task queue): keeps the 1-minute candles of every market of the
// current universe, plus the benchmark markets, current in the `candles` table. The first run backfills the history
// window; later runs fetch only the minutes after the newest stored candle. Progress is what is stored (see
// downloadCandles), so a worker killed mid-backfill resumes where it stopped. Requests go through the mode's Upbit
// client, whose Remaining-Req-driven limiter is shared with the trading activities of the same worker, so the
// collector waits rather than making a trading call meet a 429. Minutes Upbit does not serve are no-trade minutes:
// they are recorded as gaps (candle_quality_issues, with the spikes the quality pass finds) and never filled.
import { Context, heartbeat } from '@temporalio/activity';
import type { TradingMode } from '../core/session/config';
import { downloadCandles } from '../exchange/marketdata/download';
import { checkNewCandles } from '../exchange/marketdata/quality-report';
import type { ActivityDeps } from './deps';
import { latestUniverse } from './universe';

/** Markets collected whatever the universe: what strategies and reports compare against. */
export const BENCHMARK_MARKETS = ['KRW-BTC', 'KRW-ETH'];
const DAY_MS = 86_400_000;

export interface CollectInput {
  mode: TradingMode;
  historyDays: number;
}

export interface CollectedMarket {
  market: string;
  pages: number;
  inserted: number;
  /** Missing minutes (no trades on the exchange) in what this run fetched: [first missing minute UTC ms, count]. */
  gaps: [number, number][];
  /** Open times of the bars this run flagged as spikes. */
  spikes: number[];
}

export interface CollectSummary {
  markets: CollectedMarket[];
  pages: number;
  inserted: number;
}

/** The universe's markets (newest snapshot of the mode) and the benchmarks, benchmarks first. */
export async function collectedMarkets(deps: Pick<ActivityDeps, 'db'>, mode: TradingMode): Promise<string[]> {
  const universe = await latestUniverse(deps.db, mode);
  return [...new Set([...BENCHMARK_MARKETS, ...(universe?.selected.map((r) => r.market) ?? [])])];
}

export async function collectCandles(deps: ActivityDeps, input: CollectInput): Promise<CollectSummary> {
  const client = deps.exchange(input.mode);
  const now = Date.now();
  const from = now - input.historyDays * DAY_MS;
  const summary: CollectSummary = { markets: [], pages: 0, inserted: 0 };
  for (const market of await collectedMarkets(deps, input.mode)) {
    heartbeat(market);
    const r = await downloadCandles({
      client,
      db: deps.db,
      market,
      timeframe: 'minute1',
      from,
      to: now,
      source: input.mode === 'live' ? 'upbit' : input.mode,
      now: () => now,
      // Every page is a sign of life: a killed worker is noticed by its heartbeat timeout, not the run's. A worker
      // shutting down cancels the activity: stop after the page just stored, which is where the retry resumes.
      onProgress: () => {
        heartbeat(market);
        Context.current().cancellationSignal.throwIfAborted();
      },
    });
    // The quality pass over what is stored and not checked yet (this run's candles, and those of a run cut short):
    // gaps and spikes go to candle_quality_issues.
    const gaps: [number, number][] = [];
    const spikes: number[] = [];
    for (const issue of await checkNewCandles(deps.db, { market, timeframe: 'minute1', from, to: now })) {
      if (issue.kind === 'gap') gaps.push([issue.ts, issue.size]);
      else spikes.push(issue.ts);
    }
    summary.markets.push({ market, pages: r.pages, inserted: r.inserted, gaps, spikes });
    summary.pages += r.pages;
    summary.inserted += r.inserted;
  }
  return summary;
}

export function createCandleActivities(deps: ActivityDeps) {
  return {
    async collectCandles(input: CollectInput): Promise<CollectSummary> {
      return collectCandles(deps, input);
    },
  };
}
