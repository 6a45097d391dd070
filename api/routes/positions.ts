// The positions-and-orders page's reads: holdings valued at the market's last price, and fills with the decision
// snapshot behind each trade.
import Decimal from 'decimal.js';
import type { FastifyPluginAsync } from 'fastify';
import type { DecisionSnapshotBody, FillWithDecisionBody, HoldingBody, PositionBody } from '../../core/contract/api';
import type { TradingMode } from '../../core/session/config';
import { decisionBefore, openPositions, recentFills } from '../../prisma/repositories/trading-views';
import type { ApiContext } from '../context';

const sessionQuery = {
  sessionId: { type: 'string', maxLength: 40 },
} as const;

export const positionRoutes =
  (ctx: ApiContext): FastifyPluginAsync =>
  async (app) => {
    app.get<{ Querystring: { sessionId?: string } }>(
      '/api/holdings',
      {
        schema: {
          summary: "Positions not yet closed, at their market's last price, with unrealised PnL and exit plan",
          querystring: { type: 'object', properties: sessionQuery },
        },
      },
      async (req): Promise<HoldingBody[]> => {
        const rows = await openPositions(ctx.db, req.query.sessionId);
        // One ticker call per mode for the markets held there.
        const prices = new Map<string, Decimal>();
        const errors = new Map<TradingMode, string>();
        const modes = [...new Set(rows.map((p) => p.session.mode))];
        for (const mode of modes) {
          const markets = [...new Set(rows.filter((p) => p.session.mode === mode).map((p) => p.market))];
          try {
            for (const t of await ctx.exchange(mode).ticker(markets))
              prices.set(`${mode}:${t.market}`, new Decimal(t.trade_price));
          } catch (err) {
            errors.set(mode, (err as Error).message);
          }
        }
        return rows.map(({ session, ...p }) => {
          const price = prices.get(`${session.mode}:${p.market}`);
          const entry = p.entryPrice ? new Decimal(p.entryPrice.toString()) : null;
          const pnl = price && entry ? price.minus(entry).mul(p.remainingVolume.toString()) : null;
          const pct = price && entry?.gt(0) ? price.div(entry).minus(1).mul(100) : null;
          return {
            ...p,
            exitPlan: p.exitPlan as PositionBody['exitPlan'],
            sessionName: session.name,
            mode: session.mode,
            currentPrice: price?.toFixed() ?? null,
            unrealizedPnlKrw: pnl?.toFixed(0) ?? null,
            unrealizedPnlPct: pct?.toFixed(2) ?? null,
            priceError: price ? null : (errors.get(session.mode) ?? `no price for ${p.market}`),
          };
        });
      },
    );

    app.get<{ Querystring: { sessionId?: string; limit: number } }>(
      '/api/fills',
      {
        schema: {
          summary: 'Fills, newest first, each with its order and the decision snapshot behind it',
          description:
            'decision: the newest decision of the same session, market and action (entry for a buy, exit for a sell) ' +
            'made at or before the order; null for exits the position made by its own plan (stop, take-profit, time).',
          querystring: {
            type: 'object',
            properties: { ...sessionQuery, limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
          },
        },
      },
      async (req): Promise<FillWithDecisionBody[]> => {
        const fills = await recentFills(ctx.db, { sessionId: req.query.sessionId, limit: req.query.limit });
        const byOrder = new Map<string, Promise<DecisionSnapshotBody | null>>();
        const decisionOf = (order: (typeof fills)[number]['order']) => {
          let found = byOrder.get(order.id);
          if (!found) {
            found = decisionBefore(ctx.db, {
              sessionId: order.sessionId,
              market: order.market,
              action: order.side === 'bid' ? 'entry' : 'exit',
              at: order.createdAt,
            }).then(
              (d) =>
                d && {
                  ...d,
                  reasons: d.reasons as string[],
                  snapshot: d.snapshot as DecisionSnapshotBody['snapshot'],
                },
            );
            byOrder.set(order.id, found);
          }
          return found;
        };
        return Promise.all(fills.map(async (f) => ({ ...f, decision: await decisionOf(f.order) })));
      },
    );
  };
