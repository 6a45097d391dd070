// The session's evaluation step: candles from the exchange into the streaming feature engine, the
// strategy on every market of the universe, and the account figures the risk engine sizes from.
// The feature engines live in the worker between calls (a cache: a new worker rebuilds them from
// history), so each evaluation fetches only the newest candles. A warm-up reads the history from the database the
// candle collector keeps current and asks the exchange only for what is newer.

import type { DecisionView } from '../core/contract';
import { type EntryEvaluation, withCorrelations } from '../core/decision';
import type { FeatureEngine } from '../core/indicators/engine';
import type { Timeframe } from '../core/market';
import { minimumOrderTotal, quoteOf, roundToTick, stepTicks } from '../core/market';
import type { AccountValue } from '../core/risk/account-value';
import { type SessionConfig, sessionRiskConfig } from '../core/session/config';
import { evaluateMarket, getStrategy, validateParams } from '../core/strategy';
import { featureEngineFor } from '../core/strategy/feature-engine';
import { fetchRecentCandles } from '../exchange/marketdata/download';
import { recentClosedCandles } from '../exchange/marketdata/recent';
import type { UpbitClient } from '../exchange/upbit/client';
import { openPositionsIn } from '../prisma/repositories/positions';
import { sessionAccountValue } from './account-value';
import type { ActivityDeps } from './deps';
import { latestUniverse, refreshUniverse, UNIVERSE_MAX_AGE_MS } from './universe';

/** An entry candidate as the session's decision step (core/decision) takes it. */
export type EntryCandidateView = EntryEvaluation;

export interface ExitSignalView {
  market: string;
  score: number;
  reasons: string[];
}

export interface EvaluationResult {
  candidates: EntryCandidateView[];
  /** Strategy exit signals for markets the session holds. */
  exits?: ExitSignalView[];
  /** Last KRW-BTC price, for the volatility halt. */
  btcPrice?: number | null;
  skipped: DecisionView[];
  account: AccountValue;
  /** Per market: the inputs and scores behind its decision (stored with the decision). */
  inputs: Record<string, Record<string, unknown>>;
  /** Per market evaluated: open time of the entry-timeframe bar it was judged on. */
  bars?: Record<string, number>;
}

const HISTORY_COUNT = 200;
const TIMEFRAMES: Timeframe[] = ['minute1', 'minute5', 'minute15', 'minute60', 'minute240', 'day'];

interface SessionCache {
  /** The strategy the engine computes features for and the memories belong to. */
  strategyId: string;
  engine: FeatureEngine;
  warmed: Set<string>;
  memory: Record<string, unknown>;
  rules: Map<string, { minTotal: string; feeRate: string }>;
}

export function createSignalActivities(deps: ActivityDeps) {
  const { db, exchange } = deps;
  const sessions = new Map<string, SessionCache>();

  /** The configured markets, or the top of the newest universe snapshot (refreshed here when missing or stale). */
  async function universeOf(client: UpbitClient, config: SessionConfig, now: number) {
    if (config.markets.length) return config.markets;
    const stored = await latestUniverse(db, config.mode);
    const markets =
      stored && now - stored.createdAt.getTime() < UNIVERSE_MAX_AGE_MS
        ? stored.selected.map((r) => r.market)
        : (await refreshUniverse(db, client, config.mode)).selected;
    return markets.slice(0, config.universeSize);
  }

  async function rulesOf(cache: SessionCache, client: UpbitClient, market: string) {
    let rules = cache.rules.get(market);
    if (!rules) {
      const chance = await client.chance(market);
      rules = { minTotal: minimumOrderTotal(chance.market.bid.min_total).toString(), feeRate: chance.bid_fee };
      cache.rules.set(market, rules);
    }
    return rules;
  }

  return {
    async evaluateSession(input: {
      sessionId: string;
      config: SessionConfig;
      openMarkets: string[];
      ts: number;
    }): Promise<EvaluationResult> {
      const { config } = input;
      const client = exchange(config.mode);
      const strategy = getStrategy(config.strategy);
      let cache = sessions.get(input.sessionId);
      // The engine computes only what this strategy reads, and the memories are this strategy's: a session whose
      // strategy was changed starts both again (warmed up from history like a new worker's).
      if (cache?.strategyId !== strategy.id) {
        cache = {
          strategyId: strategy.id,
          engine: featureEngineFor(strategy, { baseTimeframe: 'minute1', explained: true }),
          warmed: new Set(),
          memory: {},
          rules: cache?.rules ?? new Map(),
        };
        sessions.set(input.sessionId, cache);
      }
      const params = validateParams(strategy, config.strategyParams);
      if (!params.ok) throw new Error(`strategy params: ${params.errors.join('; ')}`);
      const risk = sessionRiskConfig(config);
      if (!risk.ok) throw new Error(`risk config: ${risk.errors.join('; ')}`);

      const markets = await universeOf(client, config, input.ts);
      // Candles are fetched now, after the workflow decided to evaluate: snapshots are taken as of
      // the fetch, so no bar that started after the decision time is half-seen as closed.
      const asOf = () => Math.max(input.ts, Date.now());
      const watched = [...new Set([...markets, ...input.openMarkets, 'KRW-BTC', 'KRW-ETH'])];
      for (const market of watched) {
        if (!cache.warmed.has(market)) {
          for (const tf of TIMEFRAMES) {
            const now = asOf();
            const recent = await recentClosedCandles({ db, client, market, timeframe: tf, count: HISTORY_COUNT, now });
            cache.engine.warmUp(market, tf, recent.candles, now);
          }
          cache.warmed.add(market);
        } else {
          for (const c of await fetchRecentCandles(client, market, 'minute1', 3)) cache.engine.ingest(market, c);
        }
      }

      const decisionTs = asOf();
      const context = cache.engine.context(decisionTs);
      const benchmark = cache.engine.snapshot('KRW-BTC', decisionTs);
      let candidates: EntryCandidateView[] = [];
      const exits: ExitSignalView[] = [];
      const skipped: DecisionView[] = [];
      const inputs: EvaluationResult['inputs'] = {};
      const bars: Record<string, number> = {};
      // Held positions are shown to the strategy so its exit rules can fire.
      const held = await openPositionsIn(db.prisma, input.sessionId, input.openMarkets);
      const positionOf = new Map(
        held.map((p) => [
          p.market,
          { market: p.market, entryPrice: Number(p.entryPrice ?? 0), openedTs: p.openedAt.getTime() },
        ]),
      );
      const evaluated = [...new Set([...markets, ...input.openMarkets])];
      const books = await client.orderbook(markets, { count: 1 });
      const bestBid = new Map(books.map((b) => [b.market, b.orderbook_units[0]?.bid_price]));
      for (const market of evaluated) {
        const snapshot = cache.engine.snapshot(market, decisionTs);
        const barTs = snapshot.timeframes[strategy.entryTimeframe].lastClosedTs ?? undefined;
        if (barTs !== undefined) bars[market] = barTs;
        const position = positionOf.get(market);
        const result = evaluateMarket({
          strategy,
          params: params.params,
          snapshot,
          context,
          position,
          benchmark,
          memory: cache.memory[market],
          ts: decisionTs,
          risk: risk.value,
        });
        cache.memory[market] = result.memory;
        const best = [...result.decisions].sort((a, b) => b.score - a.score)[0];
        if (best) inputs[market] = { ...best.inputs, factors: best.factors };
        if (result.skipped) continue;
        for (const d of result.decisions) {
          if (d.action === 'blocked')
            skipped.push({ market, action: 'skip', score: d.score, reasons: d.reasons, ts: input.ts });
        }
        const exit = result.intents.find((i) => i.kind === 'exit');
        if (exit && position) exits.push({ market, score: exit.score, reasons: exit.reasons });
        const entry = result.intents.find((i) => i.kind === 'entry');
        const bid = bestBid.get(market);
        // Held markets stay candidates: whether one may add to a position is the decision step's rule.
        if (!entry || !bid) continue;
        const rules = await rulesOf(cache, client, market);
        const quote = quoteOf(market);
        const price = stepTicks(quote, roundToTick(quote, bid, 'bid'), config.order.entryTicksAboveBid);
        candidates.push({
          market,
          score: entry.score,
          reasons: entry.reasons,
          entryPrice: price.toString(),
          barTs,
          atr: snapshot.timeframes[strategy.entryTimeframe].atr,
          correlations: {},
          minTotal: rules.minTotal,
          feeRate: rules.feeRate,
        });
      }
      // The correlation cap's input; ordering and every limit are the decision step's (core/decision).
      candidates = withCorrelations(candidates, input.openMarkets, (a, b) =>
        cache.engine.correlation(a, b, decisionTs),
      );

      const account = await sessionAccountValue(deps, client, input.sessionId);
      return {
        candidates,
        exits,
        btcPrice: benchmark.lastPrice,
        skipped: skipped.slice(0, 10),
        account,
        inputs,
        bars,
      };
    },
  };
}
