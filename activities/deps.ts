// What activities are built with at worker start (dependency injection): no keys ever pass through
// workflow inputs; the exchange provider reads them from the key store per call.
import type { TradingMode } from '../core/session/config';
import type { UpbitClient } from '../exchange/upbit/client';
import type { Database } from '../prisma/db';
import type { AccountLimits } from './account-limits';
import type { PriceFeed } from './price-feed';

export interface ActivityDeps {
  db: Database;
  /** The Upbit client for a mode: `sim`/`paper` point at the simulator, `live` at Upbit. */
  exchange: (mode: TradingMode) => UpbitClient;
  prices: PriceFeed;
  /** Account-wide money limits the submit activity enforces (`ACCOUNT_*` variables); absent = off. */
  accountLimits?: AccountLimits;
}
