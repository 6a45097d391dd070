// Reconciliation of a session with the exchange: the exchange wins. Everything is read first (a read
// that fails throws and the activity retries, so no record is ever changed on a failed read), then
// written: this session's working orders as the exchange has them (fills and average price with the
// order, in one transaction), and the coins of the account compared per market with what the open
// positions of every session on the same account hold (all sessions of the mode; sim and paper
// share the simulator's account). Every
// difference is a risk event with an alert.

import Decimal from 'decimal.js';
import type { RiskEventKind } from '../core/contract';
import { modesSharingAccount, type TradingMode } from '../core/session/config';
import type { UpbitClient } from '../exchange/upbit/client';
import { OrderNotFound } from '../exchange/upbit/errors';
import type { Order, OrderWithTrades } from '../exchange/upbit/types';
import { recordBalances } from '../prisma/repositories/account-snapshots';
import { othersEventsSince, recordEvent } from '../prisma/repositories/events';
import {
  knownIdentifiers,
  marketsWithRecentOrders,
  markOrderCancelled,
  workingOrders,
} from '../prisma/repositories/orders';
import { unclosedPositions } from '../prisma/repositories/positions';
import { krwPrices } from './account-value';
import type { ActivityDeps } from './deps';
import { recordExchangeOrder, toOrderView } from './order-records';

/** Coins the account holds that no open position of any session on the account holds. */
export interface OrphanHolding {
  market: string;
  currency: string;
  /** The coins beyond what the positions hold (balance plus locked). */
  volume: string;
  /** The account's average buy price of the currency, as the exchange reports it. */
  avgBuyPrice: string;
}

export interface ReconcileReport {
  ordersChecked: number;
  differences: string[];
  /**
   * Worth at least the market's minimum total: for the session to adopt or hand to the operator. An
   * orphan another session of the account was handed in the last 10 minutes is reported, not listed.
   */
  orphans: OrphanHolding[];
  /** Markets with an order in flight or an entry under way: not compared this time. */
  unsettledMarkets: string[];
}

interface Finding {
  kind: RiskEventKind;
  severity: 'info' | 'warn' | 'critical';
  message: string;
  details?: Record<string, unknown>;
}

/** Upbit's largest page of open orders. */
const OPEN_ORDERS_PAGE = 100;
/** An orphan handed to one session is not handed to another for this long (the first is adopting it). */
const CLAIM_MS = 10 * 60_000;
/** An order that ended this recently may not be in its position's record yet. */
const SETTLE_MS = 60_000;

/** The order as the exchange has it, by uuid and then by identifier; null only when both say order_not_found. */
async function findOrder(
  client: UpbitClient,
  row: { exchangeUuid: string | null; identifier: string },
): Promise<OrderWithTrades | null> {
  const refs = [...(row.exchangeUuid ? [{ uuid: row.exchangeUuid }] : []), { identifier: row.identifier }];
  for (const ref of refs) {
    try {
      return await client.getOrder(ref);
    } catch (err) {
      if (!(err instanceof OrderNotFound)) throw err;
    }
  }
  return null;
}

/** Every open order of the account, page by page. */
async function allOpenOrders(client: UpbitClient): Promise<Order[]> {
  const all: Order[] = [];
  for (let page = 1; ; page++) {
    const batch = await client.openOrders({ states: ['wait', 'watch'], page, limit: OPEN_ORDERS_PAGE });
    all.push(...batch);
    if (batch.length < OPEN_ORDERS_PAGE) return all;
  }
}

export function createReconcileActivities({ db, exchange }: ActivityDeps) {
  return {
    async reconcileSession(input: { sessionId: string; mode: TradingMode }): Promise<ReconcileReport> {
      const { sessionId, mode } = input;
      const client = exchange(mode);
      const sharing = modesSharingAccount(mode);

      // ---- reads: the exchange first, then the records of every session of the mode.
      const working = await workingOrders(db.prisma, sessionId);
      const looked = [];
      for (const row of working) looked.push({ row, order: await findOrder(client, row) });
      const open = await allOpenOrders(client);
      const accounts = await client.accounts();
      const positions = await unclosedPositions(db.prisma, sharing);
      const recentMarkets = await marketsWithRecentOrders(db.prisma, sharing, new Date(Date.now() - SETTLE_MS));
      // Orphans handed to another session of the account a short while ago: that session is adopting them.
      const claimedBy = new Map<string, string>();
      for (const e of await othersEventsSince(db.prisma, {
        kind: 'orphan_holding',
        since: new Date(Date.now() - CLAIM_MS),
        sessionId,
        modes: sharing,
      })) {
        const market = (e.details as { market?: unknown }).market;
        if (typeof market === 'string' && e.sessionId) claimedBy.set(market, e.sessionId);
      }
      const knownOpen = await knownIdentifiers(
        db.prisma,
        open.flatMap((o) => (o.identifier ? [o.identifier] : [])),
      );

      // Per market: the coins the positions hold vs the account's balance plus locked.
      const unsettled = new Set([
        ...open.map((o) => o.market),
        ...recentMarkets,
        ...positions.filter((p) => p.status === 'entering').map((p) => p.market),
      ]);
      const held = new Map<string, Decimal>();
      for (const p of positions)
        held.set(p.market, (held.get(p.market) ?? new Decimal(0)).plus(p.remainingVolume.toString()));
      const onAccount = new Map<string, { volume: Decimal; avgBuyPrice: string }>();
      for (const a of accounts) {
        if (a.currency === 'KRW') continue;
        const volume = new Decimal(a.balance).plus(a.locked);
        if (volume.gt(0)) onAccount.set(`KRW-${a.currency}`, { volume, avgBuyPrice: a.avg_buy_price });
      }
      const compared = [...new Set([...held.keys(), ...onAccount.keys()])].filter((m) => !unsettled.has(m)).sort();
      const excess = compared.flatMap((market) => {
        const volume = (onAccount.get(market)?.volume ?? new Decimal(0)).minus(held.get(market) ?? 0);
        return volume.gt(0) ? [{ market, currency: market.slice('KRW-'.length), volume }] : [];
      });
      const prices = await krwPrices(
        client,
        excess.map((e) => e.currency),
      );
      const minTotals = new Map<string, Decimal>();
      for (const e of excess) {
        if (!prices.has(e.market)) continue;
        const chance = await client.chance(e.market);
        minTotals.set(e.market, new Decimal(chance.market.ask.min_total ?? 0));
      }

      // ---- judgement, then writes.
      const findings: Finding[] = [];
      for (const { row, order } of looked) {
        if (!order) {
          findings.push({
            kind: 'reconcile_difference',
            severity: 'warn',
            message: `order ${row.identifier}: in the database as ${row.state}, not found on the exchange by uuid or identifier; recorded as cancelled`,
          });
          await markOrderCancelled(db.prisma, row.id, 'not on the exchange at reconcile');
          continue;
        }
        const view = toOrderView(order);
        if (order.state !== row.state || !new Decimal(view.executedVolume).eq(row.executedVolume.toString()))
          findings.push({
            kind: 'reconcile_difference',
            severity: 'warn',
            message: `order ${row.identifier}: database ${row.state}/${row.executedVolume} vs exchange ${order.state}/${view.executedVolume}`,
          });
        await recordExchangeOrder(
          { db },
          { orderId: row.id, sessionId: row.sessionId, positionId: row.positionId },
          order,
        );
      }
      for (const o of open) {
        if (!o.identifier?.startsWith(`ord-pos-${sessionId}-KRW-`) || knownOpen.has(o.identifier)) continue;
        findings.push({
          kind: 'reconcile_difference',
          severity: 'critical',
          message: `order ${o.identifier}: open on the exchange (${o.side} ${o.market}), missing from the database`,
          details: { uuid: o.uuid, market: o.market },
        });
      }
      for (const market of compared) {
        const positionsHold = held.get(market) ?? new Decimal(0);
        const accountHas = onAccount.get(market)?.volume ?? new Decimal(0);
        if (positionsHold.gt(accountHas))
          findings.push({
            kind: 'position_mismatch',
            severity: 'critical',
            message: `${market}: open positions hold ${positionsHold.toFixed()}, the account has ${accountHas.toFixed()}`,
            details: { market, positionsHold: positionsHold.toFixed(), accountHas: accountHas.toFixed() },
          });
      }
      const orphans: OrphanHolding[] = [];
      for (const e of excess) {
        const price = prices.get(e.market);
        if (!price) {
          findings.push({
            kind: 'unpriced_holding',
            severity: 'warn',
            message: `${e.volume.toFixed()} ${e.currency} held with no KRW market: no position can hold or sell it here`,
            details: { currency: e.currency, volume: e.volume.toFixed() },
          });
          continue;
        }
        // Below the market's own minimum the coins cannot be sold: dust, not an orphan.
        const valueKrw = e.volume.mul(price);
        if (valueKrw.lt(minTotals.get(e.market) ?? 0)) continue;
        const claimant = claimedBy.get(e.market);
        if (claimant) {
          findings.push({
            kind: 'reconcile_difference',
            severity: 'warn',
            message: `${e.market}: ${e.volume.toFixed()} ${e.currency} no open position holds, already handed to session ${claimant} to adopt`,
            details: { market: e.market, volume: e.volume.toFixed(), claimedBy: claimant },
          });
          continue;
        }
        const orphan = {
          market: e.market,
          currency: e.currency,
          volume: e.volume.toFixed(),
          avgBuyPrice: onAccount.get(e.market)?.avgBuyPrice ?? '0',
        };
        orphans.push(orphan);
        findings.push({
          kind: 'orphan_holding',
          severity: 'critical',
          message: `${e.market}: the account holds ${orphan.volume} ${e.currency} (about ${valueKrw.toFixed(0)} KRW) that no open position holds`,
          details: { ...orphan, valueKrw: valueKrw.toFixed(0) },
        });
      }

      const takenAt = new Date();
      await recordBalances(
        db,
        sessionId,
        accounts.map((a) => ({
          currency: a.currency,
          balance: a.balance,
          locked: a.locked,
          avgBuyPrice: a.avg_buy_price,
        })),
        takenAt,
      );
      for (const f of findings) {
        await recordEvent(db.prisma, { sessionId, ...f });
      }
      return {
        ordersChecked: working.length,
        differences: findings.map((f) => f.message),
        orphans,
        unsettledMarkets: [...unsettled].filter((m) => held.has(m) || onAccount.has(m)).sort(),
      };
    },
  };
}
