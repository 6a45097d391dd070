// The account's value for an evaluation, read from the exchange. Prices come from one ticker call for
// the KRW markets that exist (per the exchange's market list), so a coin without a KRW market cannot
// fail the read of the others; a coin left unpriced is reported once per session, and any other failed
// read throws (the activity retries) rather than letting coins count as worth nothing.
import Decimal from 'decimal.js';
import { type AccountValue, heldCoins, valueAccount } from '../core/risk/account-value';
import type { UpbitClient } from '../exchange/upbit/client';
import { CodeNotFound } from '../exchange/upbit/errors';
import type { Ticker } from '../exchange/upbit/types';
import { hasCurrencyEvent, recordEvent } from '../prisma/repositories/events';
import type { ActivityDeps } from './deps';

/** KRW price per market (`KRW-<coin>`) for the given coins that have a KRW market. */
export async function krwPrices(client: UpbitClient, currencies: readonly string[]): Promise<Map<string, Decimal>> {
  const prices = new Map<string, Decimal>();
  if (!currencies.length) return prices;
  const listed = new Set((await client.markets()).map((m) => m.market));
  const markets = currencies.map((c) => `KRW-${c}`).filter((m) => listed.has(m));
  if (!markets.length) return prices;
  const delisted = new Set<string>();
  let tickers: Ticker[];
  try {
    tickers = await client.ticker(markets);
  } catch (err) {
    if (!(err instanceof CodeNotFound)) throw err;
    // A market gone since the list was read makes the whole call 404: ask one by one, so only it is missing.
    tickers = [];
    for (const market of markets) {
      try {
        tickers.push(...(await client.ticker([market])));
      } catch (e) {
        if (!(e instanceof CodeNotFound)) throw e;
        delisted.add(market);
      }
    }
  }
  for (const t of tickers) prices.set(t.market, new Decimal(t.trade_price));
  for (const market of markets) {
    const price = prices.get(market);
    if (delisted.has(market)) continue;
    if (!price?.isFinite() || price.lte(0))
      throw new Error(`ticker gave no usable price for ${market} (${String(price)})`);
  }
  return prices;
}

/** The account's lines and their value; coins without a KRW market are in `unpriced`. */
export async function readAccountValue(client: UpbitClient) {
  const lines = await client.accounts();
  const prices = await krwPrices(
    client,
    heldCoins(lines).map((c) => c.currency),
  );
  return { lines, prices, value: valueAccount(lines, prices) };
}

/**
 * The account value a session's evaluation sizes from. Each unpriced coin becomes a risk event and an
 * alert once per session (not at every evaluation), naming the coins the figures leave out.
 */
export async function sessionAccountValue(
  { db }: Pick<ActivityDeps, 'db'>,
  client: UpbitClient,
  sessionId: string,
): Promise<AccountValue> {
  const { value } = await readAccountValue(client);
  for (const coin of value.unpriced) {
    const kind = 'unpriced_holding';
    if (await hasCurrencyEvent(db.prisma, sessionId, kind, coin.currency)) continue;
    const message = `${coin.volume} ${coin.currency} held with no KRW market to price it: left out of equity and exposure`;
    await recordEvent(db.prisma, { sessionId, kind, severity: 'warn', message, details: { ...coin } });
  }
  return value;
}
