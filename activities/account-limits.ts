// Limits on money that no path around the API escapes: checked by the submit activity itself before
// an entry order is placed. Per session (its config's absolute caps) and per account (every session
// of a mode shares one exchange account, so their losses and exposure add up). Exits are never
// checked: selling is always allowed.
import Decimal from 'decimal.js';
import type { AccountLimits } from '../core/environment';
import type { TradingMode } from '../core/session/config';
import type { Database } from '../prisma/db';
import { restingBids } from '../prisma/repositories/orders';
import { closedPositionsSince, holdingPositions } from '../prisma/repositories/positions';
import { sessionConfigOf } from '../prisma/repositories/sessions';

export type { AccountLimits };

const KST_OFFSET_MS = 9 * 3_600_000;
const DRAWDOWN_WINDOW_MS = 30 * 86_400_000;

/** 00:00 KST of the day `now` falls in. */
export function kstDayStart(now: number): Date {
  const day = Math.floor((now + KST_OFFSET_MS) / 86_400_000);
  return new Date(day * 86_400_000 - KST_OFFSET_MS);
}

interface EntryCheck {
  sessionId: string;
  mode: TradingMode;
  /** KRW the new order may spend (limit: price x volume; price order: its price). */
  totalKrw: Decimal;
  now: number;
}

/** KRW in coins (entry price x what positions still hold) and in resting bids, of one session or of all. */
async function exposureKrw(db: Database, where: { sessionId?: string; mode: TradingMode }): Promise<Decimal> {
  const scope = where.sessionId ? { sessionId: where.sessionId } : { mode: where.mode };
  const positions = await holdingPositions(db.prisma, scope);
  const bids = await restingBids(db.prisma, scope);
  let sum = new Decimal(0);
  for (const p of positions)
    sum = sum.plus(new Decimal(p.entryPrice?.toString() ?? 0).mul(p.remainingVolume.toString()));
  for (const o of bids) {
    if (o.funds) sum = sum.plus(o.funds.toString());
    else if (o.price && o.volume)
      sum = sum.plus(
        new Decimal(o.price.toString()).mul(new Decimal(o.volume.toString()).minus(o.executedVolume.toString())),
      );
  }
  return sum;
}

/**
 * Why a new entry order must not be placed, or null when every limit allows it. Reads the session's
 * own caps from its stored config and the account's from `limits`.
 */
export async function entryRefusal(db: Database, limits: AccountLimits, input: EntryCheck): Promise<string | null> {
  const config = await sessionConfigOf(db.prisma, input.sessionId);
  const risk = ((config as { risk?: { maxOrderKrw?: number; maxCapitalKrw?: number } } | null)?.risk ?? {}) as {
    maxOrderKrw?: number;
    maxCapitalKrw?: number;
  };
  if (risk.maxOrderKrw && input.totalKrw.gt(risk.maxOrderKrw))
    return `order of ${input.totalKrw.toFixed(0)} KRW is above the session's maxOrderKrw ${risk.maxOrderKrw}`;
  if (risk.maxCapitalKrw) {
    const used = await exposureKrw(db, { sessionId: input.sessionId, mode: input.mode });
    if (used.plus(input.totalKrw).gt(risk.maxCapitalKrw))
      return `session capital would be ${used.plus(input.totalKrw).toFixed(0)} KRW, above its maxCapitalKrw ${risk.maxCapitalKrw}`;
  }
  if (limits.maxExposureKrw) {
    const used = await exposureKrw(db, { mode: input.mode });
    if (used.plus(input.totalKrw).gt(limits.maxExposureKrw))
      return `account exposure would be ${used.plus(input.totalKrw).toFixed(0)} KRW, above ACCOUNT_MAX_EXPOSURE_KRW ${limits.maxExposureKrw}`;
  }
  if (limits.dailyLossLimitKrw || limits.maxDrawdownKrw) {
    const closed = await closedPositionsSince(db.prisma, input.mode, new Date(input.now - DRAWDOWN_WINDOW_MS));
    const dayStart = kstDayStart(input.now);
    if (limits.dailyLossLimitKrw) {
      const today = closed
        .filter((p) => p.closedAt && p.closedAt >= dayStart)
        .reduce((s, p) => s.plus(p.realizedPnl.toString()), new Decimal(0));
      if (today.lte(-limits.dailyLossLimitKrw))
        return `account lost ${today.neg().toFixed(0)} KRW today (KST), at or above ACCOUNT_DAILY_LOSS_LIMIT_KRW ${limits.dailyLossLimitKrw}`;
    }
    if (limits.maxDrawdownKrw) {
      let curve = new Decimal(0);
      let peak = new Decimal(0);
      for (const p of closed) {
        curve = curve.plus(p.realizedPnl.toString());
        peak = Decimal.max(peak, curve);
      }
      if (peak.minus(curve).gte(limits.maxDrawdownKrw))
        return `account realised PnL is ${peak.minus(curve).toFixed(0)} KRW below its 30-day peak, at or above ACCOUNT_MAX_DRAWDOWN_KRW ${limits.maxDrawdownKrw}`;
    }
  }
  return null;
}
