// The account of a mode valued now (activities/account-value.ts: one ticker call, coins without a KRW market left
// out by name), with the unrealised PnL of the coins held and the day's realised PnL: recorded every minute by the
// account-snapshot workflow, and read live by the overview route.
import Decimal from 'decimal.js';
import type { DecimalInput } from '../core/market';
import { heldCoins } from '../core/risk/account-value';
import type { TradingMode } from '../core/session/config';
import type { UpbitClient } from '../exchange/upbit/client';
import type { Account } from '../exchange/upbit/types';
import type { Database } from '../prisma/db';
import {
  type AccountValueSnapshotInput,
  realizedPnlSince,
  recordAccountValueSnapshot,
} from '../prisma/repositories/account-snapshots';
import { kstDayStart } from './account-limits';
import { readAccountValue } from './account-value';
import type { ActivityDeps } from './deps';

/**
 * What the priced coins would gain or lose if sold at `prices` now: per coin, (price - average buy price) × volume
 * (balance plus locked), as the exchange's own account page reckons it. Fees of the sale are not counted.
 */
export function unrealizedPnlKrw(
  lines: readonly Pick<Account, 'currency' | 'balance' | 'locked' | 'avg_buy_price'>[],
  prices: ReadonlyMap<string, DecimalInput>,
): string {
  let pnl = new Decimal(0);
  for (const { currency, volume } of heldCoins(lines)) {
    const price = prices.get(`KRW-${currency}`);
    if (price === undefined) continue;
    const cost = lines.find((l) => l.currency === currency)?.avg_buy_price ?? '0';
    pnl = pnl.plus(new Decimal(price).minus(cost).mul(volume));
  }
  return pnl.toFixed();
}

/** The account of `mode` valued now, with its unrealised and today's realised PnL. */
export async function accountSnapshotNow(
  db: Database,
  client: UpbitClient,
  mode: TradingMode,
  now: number,
): Promise<AccountValueSnapshotInput> {
  const { lines, prices, value } = await readAccountValue(client);
  return {
    mode,
    equityKrw: value.equityKrw,
    freeKrw: value.freeKrw,
    unrealizedPnlKrw: unrealizedPnlKrw(lines, prices),
    todayRealizedPnlKrw: await realizedPnlSince(db, mode, kstDayStart(now)),
    unpriced: value.unpriced,
    takenAt: new Date(now),
  };
}

export function createAccountSnapshotActivities({ db, exchange }: Pick<ActivityDeps, 'db' | 'exchange'>) {
  return {
    /** Values the account of `mode` and stores it; a failed exchange read throws, so the activity retries. */
    async recordAccountSnapshot(input: { mode: TradingMode }): Promise<{ takenAt: number; equityKrw: string }> {
      const snapshot = await accountSnapshotNow(db, exchange(input.mode), input.mode, Date.now());
      await recordAccountValueSnapshot(db, snapshot);
      return { takenAt: snapshot.takenAt.getTime(), equityKrw: snapshot.equityKrw };
    },
  };
}
