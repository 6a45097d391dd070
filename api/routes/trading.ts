// Read views of what the sessions did: orders with fills, positions, decisions, risk events, balances.
import type { FastifyPluginAsync } from 'fastify';
import type { DecisionBody, OrderBody, PositionBody, RiskEventBody } from '../../core/contract/api';
import { RISK_EVENT_KINDS, type RiskEventKind } from '../../core/contract/events';
import type { Severity } from '../../prisma/db';
import { listDecisions } from '../../prisma/repositories/decisions';
import { listRiskEvents } from '../../prisma/repositories/events';
import { listOrders } from '../../prisma/repositories/orders';
import { listPositions } from '../../prisma/repositories/positions';
import type { ApiContext } from '../context';

const listQuery = {
  type: 'object',
  properties: {
    sessionId: { type: 'string', maxLength: 40 },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
  },
} as const;

export const tradingRoutes =
  (ctx: ApiContext): FastifyPluginAsync =>
  async (app) => {
    app.get<{ Querystring: { sessionId?: string; limit: number } }>(
      '/api/orders',
      { schema: { summary: 'Orders with their fills, newest first', querystring: listQuery } },
      async (req): Promise<OrderBody[]> => listOrders(ctx.db.prisma, req.query),
    );

    app.get<{ Querystring: { sessionId?: string; limit: number; status?: 'open' | 'closed' } }>(
      '/api/positions',
      {
        schema: {
          summary: 'Positions, newest first',
          querystring: {
            ...listQuery,
            properties: { ...listQuery.properties, status: { type: 'string', enum: ['open', 'closed'] } },
          },
        },
      },
      async (req): Promise<PositionBody[]> => {
        const rows = await listPositions(ctx.db.prisma, req.query);
        // The column holds what the position workflow recorded: `{}`, then its ExitPlan.
        return rows.map((p) => ({ ...p, exitPlan: p.exitPlan as PositionBody['exitPlan'] }));
      },
    );

    app.get<{ Querystring: { sessionId?: string; limit: number } }>(
      '/api/decisions',
      { schema: { summary: 'Decisions with the inputs and scores behind them, newest first', querystring: listQuery } },
      async (req): Promise<DecisionBody[]> => {
        // The sessions record `reasons` as a list of sentences (activities/records.ts).
        return listDecisions(ctx.db.prisma, req.query);
      },
    );

    app.get<{ Querystring: { sessionId?: string; limit: number; severity?: Severity; kind?: RiskEventKind } }>(
      '/api/risk-events',
      {
        schema: {
          summary: 'Risk events and alerts, newest first',
          querystring: {
            ...listQuery,
            properties: {
              ...listQuery.properties,
              severity: { type: 'string', enum: ['info', 'warn', 'critical'] },
              kind: { type: 'string', enum: [...RISK_EVENT_KINDS] },
            },
          },
        },
      },
      async (req): Promise<RiskEventBody[]> => listRiskEvents(ctx.db.prisma, req.query),
    );

    app.get('/api/accounts', { schema: { summary: 'Balances on the exchange of the default mode' } }, async () => {
      const accounts = await ctx.exchange(ctx.defaultMode).accounts();
      return accounts.map((a) => ({
        currency: a.currency,
        balance: a.balance,
        locked: a.locked,
        avgBuyPrice: a.avg_buy_price,
      }));
    });
  };
