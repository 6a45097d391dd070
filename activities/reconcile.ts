// Reconciliation on session start: the exchange wins. Open orders and balances are compared with
// the database; every difference is corrected in the database and recorded as a risk event.
import Decimal from 'decimal.js';
import type { TradingMode } from '../core/session/config';
import type { ActivityDeps } from './deps';
import { toOrderView } from './orders';

export interface ReconcileReport {
  ordersChecked: number;
  differences: string[];
}

export function createReconcileActivities({ db, exchange }: ActivityDeps) {
  return {
    async reconcileSession(input: { sessionId: string; mode: TradingMode }): Promise<ReconcileReport> {
      const client = exchange(input.mode);
      const differences: string[] = [];
      // Orders the database believes are still working.
      const working = await db.prisma.order.findMany({
        where: { state: { in: ['wait', 'watch', 'submitting'] }, session: { mode: input.mode } },
      });
      for (const row of working) {
        const order = row.exchangeUuid
          ? await client.getOrder({ uuid: row.exchangeUuid }).catch(() => null)
          : await client.getOrder({ identifier: row.identifier }).catch(() => null);
        if (!order) {
          differences.push(`order ${row.identifier}: in the database as ${row.state}, unknown to the exchange`);
          await db.prisma.order.update({
            where: { id: row.id },
            data: { state: 'cancel', reason: 'not on the exchange at reconcile' },
          });
          continue;
        }
        const view = toOrderView(order);
        if (order.state !== row.state || !new Decimal(view.executedVolume).eq(row.executedVolume.toString())) {
          differences.push(
            `order ${row.identifier}: database ${row.state}/${row.executedVolume} vs exchange ${order.state}/${view.executedVolume}`,
          );
          await db.prisma.order.update({
            where: { id: row.id },
            data: {
              state: order.state,
              executedVolume: view.executedVolume,
              paidFee: view.paidFee,
              exchangeUuid: order.uuid,
            },
          });
        }
      }
      // Open orders on the exchange that the bot placed but the database does not know.
      const open = await client.openOrders({ states: ['wait', 'watch'], limit: 100 });
      for (const o of open) {
        if (!o.identifier?.startsWith('ord-')) continue;
        const known = await db.prisma.order.findUnique({ where: { identifier: o.identifier } });
        if (!known) differences.push(`order ${o.identifier}: open on the exchange, missing from the database`);
      }
      const accounts = await client.accounts();
      const takenAt = new Date();
      await db.prisma.accountSnapshot.createMany({
        data: accounts.map((a) => ({
          sessionId: input.sessionId,
          currency: a.currency,
          balance: a.balance,
          locked: a.locked,
          avgBuyPrice: a.avg_buy_price,
          takenAt,
        })),
      });
      // Coins the database says positions hold vs what the account holds.
      const openPositions = await db.prisma.position.findMany({
        where: { status: { in: ['open', 'closing'] }, session: { mode: input.mode } },
      });
      const held = new Map<string, Decimal>();
      for (const p of openPositions)
        held.set(p.market, (held.get(p.market) ?? new Decimal(0)).plus(p.remainingVolume.toString()));
      for (const [market, volume] of held) {
        const account = accounts.find((a) => `KRW-${a.currency}` === market);
        const onExchange = account ? new Decimal(account.balance).plus(account.locked) : new Decimal(0);
        if (onExchange.lt(volume))
          differences.push(`${market}: positions hold ${volume}, the account has ${onExchange}`);
      }
      for (const message of differences) {
        await db.prisma.riskEvent.create({
          data: { sessionId: input.sessionId, kind: 'reconcile_difference', severity: 'warn', message, details: {} },
        });
      }
      return { ordersChecked: working.length, differences };
    },
  };
}
