// Backtests: launch (validated here, run by the backtest workflow), list, inspect, cancel.
import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyPluginAsync } from 'fastify';
import { OBJECTIVES, type Objective, searchSpaceOf } from '../../core/backtest/research';
import { gridSize, planOptimization } from '../../core/backtest/search';
import { walkForwardFolds } from '../../core/backtest/walkforward';
import { DAY_MS, isEngineTimeframe } from '../../core/market';
import { validateRiskConfig } from '../../core/risk';
import { getStrategy, strategies, validateParams } from '../../core/strategy';
import { storedSpan } from '../../exchange/marketdata/store';
import type { Database } from '../../prisma/db';
import {
  BACKTEST_KINDS,
  type BacktestRequest,
  type backtestWorkflow,
  type OptimizeRequest,
} from '../../workflows/backtest';
import { TASK_QUEUE_BACKTEST } from '../../workflows/ids';
import { type ApiContext, HttpError } from '../context';

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

const bad = (message: string) => new HttpError(400, message);

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
 * normalised (defaults filled in). Throws an HttpError naming the field. Stored candles are checked separately.
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

/** Markets without stored candles of the timeframe in the range (the engine has nothing to replay for them). */
async function marketsWithoutCandles(db: Database, r: BacktestRequest): Promise<string[]> {
  const missing: string[] = [];
  for (const m of r.markets) if (!(await storedSpan(db, m, r.timeframe, { from: r.from, to: r.to }))) missing.push(m);
  return missing;
}

const bodySchema = {
  type: 'object',
  required: ['strategy', 'markets', 'timeframe', 'from', 'to'],
  additionalProperties: false,
  properties: {
    kind: { type: 'string', default: 'backtest', description: 'backtest (default), optimize, walkforward, montecarlo' },
    strategy: { type: 'string' },
    params: { type: 'object' },
    markets: { type: 'array', minItems: 1, maxItems: 50, items: { type: 'string' } },
    timeframe: { type: 'string' },
    from: { type: ['string', 'integer'] },
    to: { type: ['string', 'integer'] },
    optimize: {
      type: 'object',
      additionalProperties: false,
      properties: {
        method: { type: 'string' },
        budget: { type: 'integer' },
        objective: { type: 'string' },
        seed: { type: 'integer' },
        minTrades: { type: 'integer', minimum: 0 },
        params: { type: 'array', items: { type: 'string' } },
      },
    },
    walkforward: {
      type: 'object',
      additionalProperties: false,
      properties: {
        mode: { type: 'string' },
        trainDays: { type: 'number' },
        testDays: { type: 'number' },
        stepDays: { type: 'number' },
      },
    },
    montecarlo: {
      type: 'object',
      additionalProperties: false,
      properties: { runs: { type: 'integer' }, seed: { type: 'integer' } },
    },
    capitalKrw: { type: ['string', 'number'] },
    feeRate: { type: ['string', 'number'] },
    slippageBps: { type: 'number', minimum: 0, maximum: 500 },
    risk: { type: 'object' },
    chunkSize: { type: 'integer', minimum: 1, maximum: 100 },
    concurrency: { type: 'integer', minimum: 1, maximum: 64 },
  },
} as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^bt-[a-z0-9]{1,24}$' } },
} as const;

type RunRow = Awaited<ReturnType<Database['prisma']['backtestRun']['findUniqueOrThrow']>>;

/** What the list and the detail share: the run without its curves and trades. */
function summaryOf(row: RunRow) {
  const request = (row.params as { request?: BacktestRequest } | null)?.request;
  const result = (row.result ?? {}) as { bestParams?: Record<string, number | boolean> };
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    progress: row.progress,
    params: result.bestParams ?? request?.params ?? null,
    strategy: request?.strategy,
    markets: request?.markets,
    timeframe: request?.timeframe,
    from: request ? new Date(request.from).toISOString() : undefined,
    to: request ? new Date(request.to).toISOString() : undefined,
    createdAt: row.createdAt,
    finishedAt: row.finishedAt,
    ...(row.metrics != null && { metrics: row.metrics }),
    ...(row.error != null && { error: row.error }),
  };
}

export const backtestRoutes =
  (ctx: ApiContext): FastifyPluginAsync =>
  async (app) => {
    const prisma = ctx.db.prisma;

    async function findRun(id: string) {
      const row = await prisma.backtestRun.findUnique({ where: { id } });
      if (!row || row.status === 'chunk') throw new HttpError(404, `no backtest ${id}`);
      return row;
    }

    app.post<{ Body: BacktestBody }>(
      '/api/backtests',
      {
        config: { quota: 'backtests' },
        schema: {
          summary: 'Launch a backtest, optimisation, walk-forward or Monte Carlo run over stored candles',
          body: bodySchema,
        },
      },
      async (req, reply) => {
        const request = parseBacktestRequest(req.body);
        const missing = await marketsWithoutCandles(ctx.db, request);
        if (missing.length)
          throw new HttpError(
            422,
            `markets: no ${request.timeframe} candles stored for ${missing.join(', ')} between ${new Date(request.from).toISOString()} and ${new Date(request.to).toISOString()}; GET /api/candles/coverage lists what is stored; load more with npm run data:import (CSV files) or npm run data:download`,
          );
        const id = `bt-${randomBytes(6).toString('hex')}`;
        await prisma.backtestRun.create({
          data: { id, kind: request.kind, status: 'running', params: { request } as object },
        });
        try {
          await ctx.temporal.workflow.start<typeof backtestWorkflow>('backtestWorkflow', {
            workflowId: id,
            taskQueue: TASK_QUEUE_BACKTEST,
            args: [{ runId: id, request }],
            staticSummary: `Backtest ${request.kind} of ${request.strategy} on ${request.markets.join(',')}`,
          });
        } catch (err) {
          await prisma.backtestRun.update({
            where: { id },
            data: { status: 'failed', error: `could not start: ${(err as Error).message}`, finishedAt: new Date() },
          });
          throw err;
        }
        return reply.status(202).send({ id });
      },
    );

    app.get('/api/backtests', { schema: { summary: 'Backtest runs, newest first' } }, async () => {
      const rows = await prisma.backtestRun.findMany({
        where: { status: { not: 'chunk' } },
        orderBy: { createdAt: 'desc' },
        take: 200,
      });
      return rows.map(summaryOf);
    });

    app.get<{ Params: { id: string } }>(
      '/api/backtests/:id',
      {
        schema: {
          summary: 'A backtest run with its metrics, equity curve, trades and research results',
          params: idParams,
        },
      },
      async (req) => {
        const row = await findRun(req.params.id);
        const [equity, trades] = await Promise.all([
          prisma.backtestEquity.findMany({ where: { runId: row.id }, orderBy: { ts: 'asc' } }),
          prisma.backtestTrade.findMany({ where: { runId: row.id }, orderBy: [{ entryTs: 'asc' }, { market: 'asc' }] }),
        ]);
        const result = (row.result ?? {}) as Record<string, unknown>;
        return {
          ...summaryOf(row),
          request: (row.params as { request?: BacktestRequest } | null)?.request,
          ...(equity.length > 0 && {
            equity: equity.map((p) => ({
              ts: p.ts.getTime(),
              equity: p.equity.toNumber(),
              drawdown: p.drawdown.toNumber(),
            })),
          }),
          ...((row.status === 'completed' || trades.length > 0) && {
            trades: trades.map((t) => ({
              market: t.market,
              entryTs: t.entryTs.getTime(),
              exitTs: t.exitTs.getTime(),
              entryPrice: t.entryPrice.toString(),
              exitPrice: t.exitPrice.toString(),
              volume: t.volume.toString(),
              pnl: t.pnl.toString(),
              fees: t.fees.toString(),
              entryReason: t.entryReason,
              exitReason: t.exitReason,
            })),
          }),
          ...(result.ranking !== undefined && { ranking: result.ranking }),
          ...(result.bands != null && { bands: result.bands }),
          ...(result.folds !== undefined && { folds: result.folds }),
          ...(result.monthlyReturns !== undefined && { monthlyReturns: result.monthlyReturns }),
        };
      },
    );

    app.post<{ Params: { id: string } }>(
      '/api/backtests/:id/cancel',
      { schema: { summary: 'Cancel a running backtest (finished chunks stay stored)', params: idParams } },
      async (req, reply) => {
        const row = await findRun(req.params.id);
        if (row.status !== 'running') throw new HttpError(409, `backtest ${row.id} is ${row.status}, not running`);
        try {
          await ctx.temporal.workflow.getHandle(row.id).cancel();
        } catch (err) {
          if (err instanceof WorkflowNotFoundError)
            throw new HttpError(409, `backtest ${row.id} has no running workflow`);
          throw err;
        }
        return reply.status(202).send({ id: row.id, status: 'cancelling' });
      },
    );
  };
