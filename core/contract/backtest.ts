// A backtest, a parameter search, a walk-forward analysis or Monte Carlo bands: the request as the dashboard and
// the CLI send it, its validator, and the validated request the backtest workflow runs.
import {
  gridSize,
  OBJECTIVES,
  type Objective,
  type ParamSet,
  planOptimization,
  searchSpaceOf,
} from '../backtest/search';
import { walkForwardFolds } from '../backtest/walkforward';
import { DAY_MS, isEngineTimeframe, type Timeframe } from '../market';
import { validateRiskConfig } from '../risk';
import { getStrategy, strategies, validateParams } from '../strategy';

export const BACKTEST_KINDS = ['backtest', 'optimize', 'walkforward', 'montecarlo'] as const;
export type BacktestKind = (typeof BACKTEST_KINDS)[number];
export type BacktestStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface OptimizeRequest {
  method: 'grid' | 'random' | 'tpe';
  budget: number;
  objective: Objective;
  seed: number;
  /** Runs with fewer trades rank last. */
  minTrades: number;
  /** Parameters to search (default: all of the strategy's). */
  searchParams?: string[];
}

/** A validated request (the API and the CLI build it); times are UTC ms. */
export interface BacktestRequest {
  kind: BacktestKind;
  strategy: string;
  /** Complete strategy parameters (defaults filled in); a search varies some of them. */
  params: Record<string, number | boolean>;
  markets: string[];
  timeframe: Timeframe;
  from: number;
  /** Exclusive. */
  to: number;
  capitalKrw: string;
  feeRate?: string;
  slippageBps?: number;
  risk?: Record<string, unknown>;
  optimize?: OptimizeRequest;
  walkforward?: { mode: 'rolling' | 'anchored'; trainMs: number; testMs: number; stepMs?: number };
  montecarlo?: { runs: number; seed: number };
  /** Parameter sets per chunk activity (they share one pass over the data); default 4. */
  chunkSize: number;
  /** Chunk activities in flight at once; default 4. */
  concurrency: number;
}

export interface BacktestInput {
  runId: string;
  request: BacktestRequest;
}

export interface BacktestProgress {
  phase: string;
  /** Units (chunks, fold tests, runs) finished and planned. */
  done: number;
  total: number;
  progress: number;
  /** Keys of the finished chunks. */
  doneKeys: string[];
}

/** A chunk's answer to the workflow: the scores only (null = no score, e.g. too few trades). */
export interface ScoredParams {
  params: ParamSet;
  score: number | null;
}

/** The request body as the dashboard sends it (times as ISO strings or ms). */
export interface BacktestBody {
  /** `backtest` (the default), `optimize`, `walkforward` or `montecarlo`. */
  kind?: string;
  strategy: string;
  params?: Record<string, unknown>;
  markets: string[];
  timeframe: string;
  from: string | number;
  to: string | number;
  optimize?: {
    method?: string;
    budget?: number;
    objective?: string;
    seed?: number;
    minTrades?: number;
    params?: string[];
  };
  walkforward?: { mode?: string; trainDays?: number; testDays?: number; stepDays?: number };
  montecarlo?: { runs?: number; seed?: number };
  capitalKrw?: string | number;
  feeRate?: string | number;
  slippageBps?: number;
  risk?: Record<string, unknown>;
  chunkSize?: number;
  concurrency?: number;
}

/** A request that fails validation; the message names the field. The API answers it with 400 (its statusCode). */
export class InvalidRequest extends Error {
  readonly statusCode = 400;
}

const bad = (message: string) => new InvalidRequest(message);

function timeOf(field: string, v: string | number): number {
  const ms = typeof v === 'number' ? v : /^\d{4}-\d{2}-\d{2}$/.test(v) ? Date.parse(`${v}T00:00:00Z`) : Date.parse(v);
  // Beyond ±8.64e15 ms a Date is invalid (toISOString throws).
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) throw bad(`${field}: not a date or time: ${JSON.stringify(v)}`);
  return ms;
}

function decimalText(field: string, v: string | number | undefined, min: number, max: number): string | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (String(v).trim() === '' || !Number.isFinite(n) || n < min || n > max)
    throw bad(`${field}: must be a number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return String(v);
}

/**
 * Checks every field of a backtest request against the strategy's schema and the engine's limits and returns it
 * normalised (defaults filled in). Throws an InvalidRequest naming the field. Stored candles are checked separately.
 */
export function parseBacktestRequest(body: BacktestBody): BacktestRequest {
  const kindText = body.kind ?? 'backtest';
  if (!(BACKTEST_KINDS as readonly string[]).includes(kindText))
    throw bad(`kind: must be one of ${BACKTEST_KINDS.join(', ')}, got ${JSON.stringify(body.kind)}`);
  const kind = kindText as BacktestRequest['kind'];
  if (!Object.hasOwn(strategies, body.strategy))
    throw bad(
      `strategy: unknown strategy ${JSON.stringify(body.strategy)}; known: ${Object.keys(strategies).join(', ')}`,
    );
  const strategy = getStrategy(body.strategy);
  const params = validateParams(strategy, body.params);
  if (!params.ok) throw bad(params.errors.map((e) => `params.${e}`).join('; '));
  if (!isEngineTimeframe(body.timeframe))
    throw bad(
      `timeframe: must be one of minute1, minute5, minute15, minute60, minute240, day; got ${JSON.stringify(body.timeframe)}`,
    );
  const markets = [...new Set(body.markets)];
  for (const m of markets)
    if (!/^KRW-[A-Z0-9]{1,15}$/.test(m)) throw bad(`markets: ${JSON.stringify(m)} is not a KRW market code`);
  const from = timeOf('from', body.from);
  const to = timeOf('to', body.to);
  if (from >= to)
    throw bad(`from: must be before to (${new Date(from).toISOString()} >= ${new Date(to).toISOString()})`);
  if (body.risk !== undefined) {
    const risk = validateRiskConfig(body.risk);
    if (!risk.ok) throw bad(risk.errors.map((e) => `risk.${e}`).join('; '));
  }
  const request: BacktestRequest = {
    kind,
    strategy: strategy.id,
    params: params.params as Record<string, number | boolean>,
    markets,
    timeframe: body.timeframe,
    from,
    to,
    capitalKrw: decimalText('capitalKrw', body.capitalKrw ?? '1000000', 30_000, 1e13) as string,
    chunkSize: body.chunkSize ?? 4,
    concurrency: body.concurrency ?? 4,
    ...(body.feeRate !== undefined && { feeRate: decimalText('feeRate', body.feeRate, 0, 0.01) }),
    ...(body.slippageBps !== undefined && { slippageBps: body.slippageBps }),
    ...(body.risk !== undefined && { risk: body.risk }),
  };
  if (kind === 'optimize' || kind === 'walkforward') request.optimize = parseOptimize(body, strategy.id);
  if (kind === 'walkforward') {
    // Without settings (the dashboard sends none): train on half the range, test on sixths, so three folds.
    const wf = body.walkforward ?? {
      mode: 'rolling',
      trainDays: (to - from) / 2 / DAY_MS,
      testDays: (to - from) / 6 / DAY_MS,
    };
    if (wf.mode !== 'rolling' && wf.mode !== 'anchored')
      throw bad(`walkforward.mode: must be rolling or anchored, got ${JSON.stringify(wf.mode)}`);
    for (const f of ['trainDays', 'testDays', 'stepDays'] as const) {
      const v = wf[f];
      if ((v !== undefined || f !== 'stepDays') && !(typeof v === 'number' && v > 0))
        throw bad(`walkforward.${f}: must be a positive number of days, got ${JSON.stringify(v)}`);
    }
    request.walkforward = {
      mode: wf.mode,
      trainMs: Math.floor((wf.trainDays as number) * DAY_MS),
      testMs: Math.floor((wf.testDays as number) * DAY_MS),
      ...(wf.stepDays !== undefined && { stepMs: Math.floor(wf.stepDays * DAY_MS) }),
    };
    try {
      walkForwardFolds({ from, to }, request.walkforward);
    } catch (err) {
      throw bad(`walkforward: ${(err as Error).message}`);
    }
  }
  if (kind === 'montecarlo') {
    const mc = body.montecarlo ?? {};
    const runs = mc.runs ?? 1000;
    if (!Number.isInteger(runs) || runs < 10 || runs > 100_000)
      throw bad(`montecarlo.runs: must be an integer from 10 to 100000, got ${JSON.stringify(mc.runs)}`);
    request.montecarlo = { runs, seed: mc.seed ?? 1 };
  }
  return request;
}

function parseOptimize(body: BacktestBody, strategyId: string): OptimizeRequest {
  const o = body.optimize;
  if (!o) throw bad(`optimize: required for kind ${body.kind} ({method, budget, objective})`);
  const method = o.method ?? 'random';
  if (method !== 'grid' && method !== 'random' && method !== 'tpe')
    throw bad(`optimize.method: must be grid, random or tpe, got ${JSON.stringify(o.method)}`);
  const objective = (o.objective ?? 'sharpe') as Objective;
  if (!OBJECTIVES.includes(objective))
    throw bad(`optimize.objective: must be one of ${OBJECTIVES.join(', ')}, got ${JSON.stringify(o.objective)}`);
  if (!Number.isInteger(o.budget) || (o.budget as number) < 1 || (o.budget as number) > 10_000)
    throw bad(`optimize.budget: must be an integer from 1 to 10000, got ${JSON.stringify(o.budget)}`);
  const budget = o.budget as number;
  let space: ReturnType<typeof searchSpaceOf>;
  try {
    space = searchSpaceOf(getStrategy(strategyId).params, o.params);
  } catch (err) {
    throw bad(`optimize.params: ${(err as Error).message}`);
  }
  if (method === 'grid' && gridSize(space) > budget)
    throw bad(
      `optimize.budget: the grid has ${gridSize(space)} parameter sets, more than the budget ${budget}; raise it or use random/tpe`,
    );
  const seed = o.seed ?? 1;
  if (method !== 'tpe') planOptimization({ space, method, budget, seed });
  return { method, budget, objective, seed, minTrades: o.minTrades ?? 1, ...(o.params && { searchParams: o.params }) };
}
