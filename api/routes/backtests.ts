// Backtests: launch (validated here, run by the backtest workflow), list, inspect, cancel.
import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyPluginAsync } from 'fastify';
import {
  type BacktestBody,
  type BacktestRequest,
  parseBacktestRequest,
  TASK_QUEUE_BACKTEST,
} from '../../core/contract';
import type { BacktestCandlesBody } from '../../core/contract/api';
import { mergeCandles } from '../../core/market/candles';
import { loadCandles } from '../../exchange/marketdata/load';
import { storedSpan } from '../../exchange/marketdata/store';
import type { Database } from '../../prisma/db';
import {
  createRun,
  failRun,
  findRun as findRunRow,
  listRuns,
  runCurveAndTrades,
} from '../../prisma/repositories/backtest-runs';
import type { backtestWorkflow } from '../../workflows/backtest';
import { type ApiContext, HttpError } from '../context';

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
      const row = await findRunRow(prisma, id);
      if (!row) throw new HttpError(404, `no backtest ${id}`);
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
        await createRun(prisma, { id, kind: request.kind, request });
        try {
          await ctx.temporal.workflow.start<typeof backtestWorkflow>('backtestWorkflow', {
            workflowId: id,
            taskQueue: TASK_QUEUE_BACKTEST,
            args: [{ runId: id, request }],
            staticSummary: `Backtest ${request.kind} of ${request.strategy} on ${request.markets.join(',')}`,
          });
        } catch (err) {
          await failRun(prisma, id, `could not start: ${(err as Error).message}`);
          throw err;
        }
        return reply.status(202).send({ id });
      },
    );

    app.get('/api/backtests', { schema: { summary: 'Backtest runs, newest first' } }, async () => {
      const rows = await listRuns(prisma, 200);
      return rows.map(summaryOf);
    });

    app.get<{ Params: { id: string }; Querystring: { market: string; max: number } }>(
      '/api/backtests/:id/candles',
      {
        schema: {
          summary: "A market's stored candles over a run's range (merged to at most `max`), to draw its trades on",
          params: idParams,
          querystring: {
            type: 'object',
            required: ['market'],
            properties: {
              market: { type: 'string', pattern: '^[A-Z]{3,4}-[A-Z0-9]{1,15}$' },
              max: { type: 'integer', minimum: 50, maximum: 5000, default: 1500 },
            },
          },
        },
      },
      async (req): Promise<BacktestCandlesBody> => {
        const row = await findRun(req.params.id);
        const request = (row.params as { request?: BacktestRequest } | null)?.request;
        if (!request) throw new HttpError(409, `backtest ${row.id} has no stored request`);
        if (!request.markets.includes(req.query.market))
          throw new HttpError(
            400,
            `market: ${req.query.market} is not one of the run's markets (${request.markets.join(', ')})`,
          );
        const stored = await loadCandles(ctx.db, {
          markets: [req.query.market],
          timeframe: request.timeframe,
          from: new Date(request.from).getTime(),
          to: new Date(request.to).getTime(),
        });
        const merged = mergeCandles(stored[req.query.market], req.query.max);
        const candles = merged.candles.map(({ ts, open, high, low, close, volume }) => ({
          ts,
          open,
          high,
          low,
          close,
          volume,
        }));
        return { market: req.query.market, timeframe: request.timeframe, barsPerCandle: merged.per, candles };
      },
    );

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
        const [equity, trades] = await runCurveAndTrades(prisma, row.id);
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
