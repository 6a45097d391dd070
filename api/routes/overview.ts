// The overview's figures: the account of a mode as the account-snapshot schedule last valued it (every minute),
// the equity curve those snapshots make, and each running session's daily loss headroom.
import type { FastifyPluginAsync } from 'fastify';
import type { AccountFiguresBody, OverviewBody, SessionHeadroomBody, SessionLiveBody } from '../../core/contract/api';
import { sessionRiskConfig, TRADING_MODES, type TradingMode } from '../../core/session/config';
import { equityCurve, latestAccountValueSnapshot } from '../../prisma/repositories/account-snapshots';
import { activeSessionsOf } from '../../prisma/repositories/sessions';
import { sessionStatusQuery } from '../../workflows/definitions';
import { sessionWorkflowId } from '../../workflows/ids';
import type { ApiContext } from '../context';
import { type AccountNow, sessionRiskView } from '../session-risk';

/** Points of the equity curve at most (a month of minutes is thinned to this many). */
const CURVE_POINTS = 720;
const HOUR_MS = 3_600_000;

export const overviewRoutes =
  (ctx: ApiContext): FastifyPluginAsync =>
  async (app) => {
    app.get<{ Querystring: { mode?: TradingMode; hours: number } }>(
      '/api/overview',
      {
        schema: {
          summary: "The account's equity, free KRW, unrealised and today's realised PnL, equity curve, loss headroom",
          description:
            'From the snapshots the Temporal Schedule account-snapshots-<mode> records every minute; mode defaults ' +
            "to the server's, hours (of curve) to 24.",
          querystring: {
            type: 'object',
            properties: {
              mode: { type: 'string', enum: [...TRADING_MODES] },
              hours: { type: 'integer', minimum: 1, maximum: 24 * 31, default: 24 },
            },
          },
        },
      },
      async (req): Promise<OverviewBody> => {
        const mode = req.query.mode ?? ctx.defaultMode;
        const now = Date.now();
        const latest = await latestAccountValueSnapshot(ctx.db, mode);
        const figures: AccountFiguresBody | null = latest && {
          equityKrw: latest.equityKrw.toFixed(),
          freeKrw: latest.freeKrw.toFixed(),
          unrealizedPnlKrw: latest.unrealizedPnlKrw.toFixed(),
          todayRealizedPnlKrw: latest.todayRealizedPnlKrw.toFixed(),
          unpriced: latest.unpriced as AccountFiguresBody['unpriced'],
          takenAt: latest.takenAt.getTime(),
        };
        const curve = await equityCurve(ctx.db, mode, new Date(now - req.query.hours * HOUR_MS), CURVE_POINTS);
        const account: AccountNow = figures ?? { error: 'no account snapshot yet' };
        const running = await activeSessionsOf(ctx.db.prisma, mode);
        return {
          mode,
          figures,
          curve: curve.map((p) => ({ ts: p.takenAt.getTime(), equityKrw: p.equityKrw.toFixed() })),
          sessions: await Promise.all(running.map((s) => sessionHeadroom(ctx, s, account, now))),
        };
      },
    );
  };

/** A session's loss headroom from its workflow's risk memory (as its own page computes it). */
async function sessionHeadroom(
  ctx: ApiContext,
  session: { id: string; name: string; status: string },
  account: AccountNow,
  now: number,
): Promise<SessionHeadroomBody> {
  const none = { dailyLossLimitKrw: null, lossHeadroomKrw: null, todayRealizedPnlKrw: null };
  try {
    const live = (await ctx.temporal.workflow
      .getHandle(sessionWorkflowId(session.id))
      .query(sessionStatusQuery)) as SessionLiveBody;
    const limits = sessionRiskConfig(live.config);
    if (!limits.ok) return { ...session, ...none, error: 'the session has no valid risk limits' };
    const risk = sessionRiskView(live.risk, limits.value, now, account);
    return {
      ...session,
      dailyLossLimitKrw: risk.dailyLossLimitKrw,
      lossHeadroomKrw: risk.lossHeadroomKrw,
      todayRealizedPnlKrw: risk.todayRealizedPnlKrw,
      error: null,
    };
  } catch (err) {
    return { ...session, ...none, error: (err as Error).message };
  }
}
