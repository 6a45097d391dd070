// A market's trading rules as `orders/chance` states them, in Decimal for the money math in core/market.
import Decimal from 'decimal.js';
import type { UpbitClient } from './client';
import type { OrderChance } from './types';

export interface MarketRules {
  market: string;
  bidFee: Decimal;
  askFee: Decimal;
  /** Smallest order total, in quote currency (the larger of the bid and ask side figures). */
  minTotal: Decimal;
  maxTotal: Decimal;
  /** `active` when the market takes orders. */
  state: string;
}

function decimal(value: string | undefined, field: string, market: string): Decimal {
  if (value === undefined || value === null) throw new Error(`orders/chance for ${market} has no ${field}`);
  let d: Decimal;
  try {
    d = new Decimal(value);
  } catch {
    d = new Decimal(Number.NaN);
  }
  if (!d.isFinite() || d.isNeg()) throw new Error(`orders/chance for ${market} has a bad ${field}: "${value}"`);
  return d;
}

/** Reads the rules out of an `orders/chance` reply; throws with the field's name if one is missing or malformed. */
export function marketRulesFrom(chance: OrderChance): MarketRules {
  const market = chance.market?.id ?? '?';
  const bidMin = decimal(chance.market?.bid?.min_total, 'market.bid.min_total', market);
  const askMin = decimal(chance.market?.ask?.min_total, 'market.ask.min_total', market);
  return {
    market,
    bidFee: decimal(chance.bid_fee, 'bid_fee', market),
    askFee: decimal(chance.ask_fee, 'ask_fee', market),
    minTotal: Decimal.max(bidMin, askMin),
    maxTotal: decimal(chance.market?.max_total, 'market.max_total', market),
    state: chance.market?.state ?? 'unknown',
  };
}

export async function fetchMarketRules(client: UpbitClient, market: string): Promise<MarketRules> {
  return marketRulesFrom(await client.chance(market));
}
