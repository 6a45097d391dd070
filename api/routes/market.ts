// Market data for the dashboard's charts and the strategy catalogue for its forms.
import type { FastifyPluginAsync } from 'fastify';
import { TRADING_MODES, type TradingMode } from '../../core/session/config';
import { strategies } from '../../core/strategy';
import { fetchRecentCandles } from '../../exchange/marketdata/download';
import { storedCoverage } from '../../exchange/marketdata/store';
import { type CandleTimeframe, UPBIT_CANDLE_PATHS } from '../../exchange/marketdata/timeframes';
import { UpbitError } from '../../exchange/upbit/errors';
import { spikeCounts } from '../../prisma/repositories/candles';
import { latestUniverse } from '../../prisma/repositories/universe';
import { type ApiContext, HttpError } from '../context';

export const marketRoutes =
  (ctx: ApiContext): FastifyPluginAsync =>
  async (app) => {
    app.get('/api/strategies', { schema: { summary: 'Built-in strategies and their parameter schemas' } }, async () =>
      Object.values(strategies).map((s) => ({ id: s.id, name: s.name, description: s.description, params: s.params })),
    );

    app.get('/api/markets', { schema: { summary: 'KRW markets of the exchange' } }, async () => {
      const markets = await ctx.exchange(ctx.defaultMode).markets({ details: true });
      return markets
        .filter((m) => m.market.startsWith('KRW-'))
        .map((m) => ({
          market: m.market,
          koreanName: m.korean_name,
          englishName: m.english_name,
          warning: m.market_event?.warning ?? false,
        }));
    });

    app.get<{ Querystring: { mode?: TradingMode } }>(
      '/api/universe',
      {
        schema: {
          summary: 'The newest tradable universe (refreshed by the universe workflow on a Temporal Schedule)',
          querystring: {
            type: 'object',
            properties: { mode: { type: 'string', enum: [...TRADING_MODES] } },
          },
        },
      },
      async (req) => {
        const mode = req.query.mode ?? ctx.defaultMode;
        const row = await latestUniverse(ctx.db, mode);
        if (!row) throw new HttpError(404, `no universe screened yet for ${mode}`);
        return { mode, createdAt: row.createdAt.getTime(), selected: row.selected, excluded: row.excluded };
      },
    );

    app.get(
      '/api/candles/coverage',
      {
        schema: {
          summary:
            'Stored candles a backtest can run on: each market and timeframe with its first and last candle, and ' +
            'for minute timeframes the buckets missing between them (minutes without trades on the exchange)',
          response: {
            200: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  market: { type: 'string' },
                  timeframe: { type: 'string' },
                  first: { type: 'integer', description: 'open time of the oldest candle, UTC ms' },
                  last: { type: 'integer', description: 'open time of the newest candle, UTC ms' },
                  count: { type: 'integer' },
                  missing: {
                    type: 'integer',
                    description: 'minute timeframes: buckets between first and last with no candle (never filled)',
                  },
                  spikes: {
                    type: 'integer',
                    description: "bars the collector's quality pass flagged as spikes (kept as they are)",
                  },
                },
              },
            },
          },
        },
      },
      async () => {
        const spikesOf = await spikeCounts(ctx.db.prisma);
        return (await storedCoverage(ctx.db)).map((c) => {
          const withSpikes = { ...c, spikes: spikesOf.get(`${c.market} ${c.timeframe}`) ?? 0 };
          const minutes = /^minute(\d+)$/.exec(c.timeframe);
          if (!minutes) return withSpikes;
          const step = Number(minutes[1]) * 60_000;
          return { ...withSpikes, missing: Math.round((c.last - c.first) / step) + 1 - c.count };
        });
      },
    );

    app.get<{ Querystring: { market: string; timeframe: CandleTimeframe; count: number } }>(
      '/api/candles',
      {
        schema: {
          summary: 'Recent candles of a market, ascending',
          querystring: {
            type: 'object',
            required: ['market'],
            properties: {
              market: { type: 'string', pattern: '^[A-Z]{3,4}-[A-Z0-9]{1,15}$' },
              timeframe: { type: 'string', enum: Object.keys(UPBIT_CANDLE_PATHS), default: 'minute1' },
              count: { type: 'integer', minimum: 1, maximum: 200, default: 200 },
            },
          },
        },
      },
      async (req) => {
        try {
          return await fetchRecentCandles(
            ctx.exchange(ctx.defaultMode),
            req.query.market,
            req.query.timeframe,
            req.query.count,
          );
        } catch (err) {
          // The exchange answers an unknown market with 400/404: the caller's mistake, not ours.
          if (err instanceof UpbitError && (err.httpStatus === 400 || err.httpStatus === 404))
            throw new HttpError(400, `market: ${req.query.market} is not listed on the exchange`);
          throw err;
        }
      },
    );
  };
