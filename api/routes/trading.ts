// Read views of what the sessions did: orders with fills, positions, decisions, risk events, balances.
import type { FastifyPluginAsync } from 'fastify';
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
      async (req) =>
        ctx.db.prisma.order.findMany({
          where: req.query.sessionId ? { sessionId: req.query.sessionId } : {},
          orderBy: { createdAt: 'desc' },
          take: req.query.limit,
          include: { fills: { orderBy: { createdAt: 'asc' } } },
        }),
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
      async (req) =>
        ctx.db.prisma.position.findMany({
          where: {
            ...(req.query.sessionId && { sessionId: req.query.sessionId }),
            ...(req.query.status === 'closed' && { status: 'closed' }),
            ...(req.query.status === 'open' && { status: { not: 'closed' } }),
          },
          orderBy: { openedAt: 'desc' },
          take: req.query.limit,
        }),
    );

    app.get<{ Querystring: { sessionId?: string; limit: number } }>(
      '/api/decisions',
      { schema: { summary: 'Decisions with the inputs and scores behind them, newest first', querystring: listQuery } },
      async (req) =>
        ctx.db.prisma.decision.findMany({
          where: req.query.sessionId ? { sessionId: req.query.sessionId } : {},
          orderBy: { createdAt: 'desc' },
          take: req.query.limit,
        }),
    );

    app.get<{ Querystring: { sessionId?: string; limit: number } }>(
      '/api/risk-events',
      { schema: { summary: 'Risk events and alerts, newest first', querystring: listQuery } },
      async (req) =>
        ctx.db.prisma.riskEvent.findMany({
          where: req.query.sessionId ? { sessionId: req.query.sessionId } : {},
          orderBy: { createdAt: 'desc' },
          take: req.query.limit,
        }),
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
