// The New session form's server side: the defaults it starts from, whether live is possible, and a
// preview of what a start request would run and how much money it may put at risk. Nothing here
// changes state; the start itself is POST /api/sessions.
import Decimal from 'decimal.js';
import type { FastifyPluginAsync } from 'fastify';
import type { SessionPreviewBody, SessionSetupBody } from '../../core/contract/api';
import { defaultSessionConfig, sessionRiskConfig } from '../../core/session/config';
import { DEFAULT_STRATEGY_ID, strategies } from '../../core/strategy';
import { type ApiContext, HttpError } from '../context';
import { accountNow } from '../session-risk';
import { type StartBody, sessionConfigOf, startProperties } from './sessions';

/** `pct` % of `equity` in whole won (rounded down), or null without an equity. */
const share = (equity: Decimal | null, pct: number) =>
  equity === null ? null : equity.mul(pct).div(100).toDecimalPlaces(0, Decimal.ROUND_DOWN);

export const sessionSetupRoutes =
  (ctx: ApiContext): FastifyPluginAsync =>
  async (app) => {
    app.get<{ Querystring: { strategy?: string } }>(
      '/api/session-setup',
      {
        schema: {
          summary:
            "What a new session starts from: the server's mode, whether live is allowed, the strategy's defaults",
          querystring: { type: 'object', properties: { strategy: { type: 'string', maxLength: 80 } } },
        },
      },
      async (req): Promise<SessionSetupBody> => {
        const strategy = req.query.strategy ?? DEFAULT_STRATEGY_ID;
        if (!Object.hasOwn(strategies, strategy))
          throw new HttpError(400, `strategy: unknown strategy ${JSON.stringify(strategy)}`);
        const base = defaultSessionConfig('new', strategy);
        const risk = sessionRiskConfig(base);
        if (!risk.ok) throw new Error(`the defaults of ${strategy} are invalid: ${risk.errors.join('; ')}`);
        const liveBlocked = !ctx.allowLive ? 'live-off' : !(await ctx.liveKeyAvailable?.()) ? 'no-key' : null;
        const liveBlockedReason =
          liveBlocked === 'live-off'
            ? 'live trading is off on this server (ALLOW_LIVE=1 turns it on)'
            : liveBlocked === 'no-key'
              ? 'no Upbit key is stored for live trading'
              : null;
        return {
          defaultMode: ctx.defaultMode,
          liveAllowed: liveBlocked === null,
          liveBlocked,
          liveBlockedReason,
          strategy,
          defaults: {
            universeSize: base.universeSize,
            loopIntervalSec: base.loopIntervalSec,
            order: base.order,
            risk: risk.value,
          },
        };
      },
    );

    app.post<{ Body: StartBody }>(
      '/api/sessions/preview',
      {
        schema: {
          summary: 'What a start request would run: its config, and the money it may put at risk on the account now',
          description: 'Same body as POST /api/sessions; nothing is started.',
          body: { type: 'object', required: ['name'], additionalProperties: false, properties: startProperties },
        },
      },
      async (req): Promise<SessionPreviewBody> => {
        const config = sessionConfigOf(req.body, ctx.defaultMode);
        const risk = sessionRiskConfig(config);
        if (!risk.ok) throw new HttpError(400, `invalid session config: ${risk.errors.join('; ')}`);
        const r = risk.value;
        const account = await accountNow(ctx, config.mode);
        const equity = 'error' in account ? null : new Decimal(account.equityKrw);
        const perTrade = share(equity, r.riskPerTradePct);
        const coinCap = share(equity, r.maxCoinWeightPct);
        const exposure = share(equity, r.maxTotalExposurePct);
        const maxOrder = coinCap && r.maxOrderKrw ? Decimal.min(coinCap, r.maxOrderKrw) : coinCap;
        const maxExposure = exposure && r.maxCapitalKrw ? Decimal.min(exposure, r.maxCapitalKrw) : exposure;
        return {
          config,
          risk: r,
          equityKrw: equity?.toFixed(0) ?? null,
          accountError: 'error' in account ? account.error : null,
          riskPerTradeKrw: perTrade?.toFixed() ?? null,
          maxOrderKrw: maxOrder?.toFixed() ?? null,
          maxOpenPositions: r.maxOpenPositions,
          riskAllStopsKrw: perTrade?.mul(r.maxOpenPositions).toFixed() ?? null,
          maxExposureKrw: maxExposure?.toFixed() ?? null,
          dailyLossLimitKrw: share(equity, r.dailyLossLimitPct)?.toFixed() ?? null,
        };
      },
    );
  };
