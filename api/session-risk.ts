// The session page's risk figures, from the session workflow's risk memory, its limits and the
// account's value now. Pure, so the arithmetic is tested without a server.
import Decimal from 'decimal.js';
import type { SessionRiskBody } from '../core/contract/api';
import { heldCoins, valueAccount } from '../core/risk/account-value';
import { kstDay } from '../core/risk/limits';
import type { RiskConfig, RiskState } from '../core/risk/types';
import type { TradingMode } from '../core/session/config';
import type { ApiContext } from './context';

export type AccountNow = { equityKrw: string; freeKrw: string } | { error: string };

export function sessionRiskView(
  state: RiskState,
  config: RiskConfig,
  now: number,
  account: AccountNow,
): SessionRiskBody {
  const day = kstDay(now);
  const pnlRow = state.dailyPnl.at(-1);
  const today = pnlRow?.day === day ? pnlRow : undefined;
  const openRow = state.dayOpenEquity.at(-1);
  const dayOpen = openRow?.day === day ? openRow.equityKrw : null;
  let limit: Decimal | null = null;
  let headroom: Decimal | null = null;
  if (dayOpen !== null) {
    limit = new Decimal(dayOpen).mul(config.dailyLossLimitPct).div(100);
    // The lowest running total of the day counts (a later win does not lift a limit already hit).
    const low = Decimal.min(0, today?.lowKrw ?? 0);
    headroom = Decimal.max(0, limit.plus(low));
  }
  return {
    equityKrw: 'error' in account ? null : account.equityKrw,
    freeKrw: 'error' in account ? null : account.freeKrw,
    accountError: 'error' in account ? account.error : null,
    dayOpenEquityKrw: dayOpen,
    todayRealizedPnlKrw: today?.pnlKrw ?? '0',
    dailyLossLimitKrw: limit?.toFixed(0) ?? null,
    lossHeadroomKrw: headroom?.toFixed(0) ?? null,
    openPositions: Object.keys(state.open).length,
    halts: state.halts,
    volatilityHaltUntil: state.volatilityHaltUntil > now ? state.volatilityHaltUntil : null,
  };
}

/** The account on the exchange of `mode` now: free KRW and every coin at its market's last price. */
export async function accountNow(ctx: ApiContext, mode: TradingMode): Promise<AccountNow> {
  try {
    const exchange = ctx.exchange(mode);
    const lines = await exchange.accounts();
    const markets = heldCoins(lines).map((c) => `KRW-${c.currency}`);
    const tickers = markets.length ? await exchange.ticker(markets) : [];
    const value = valueAccount(lines, new Map(tickers.map((t) => [t.market, String(t.trade_price)])));
    return { equityKrw: value.equityKrw, freeKrw: value.freeKrw };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
