import type { PrismaClient } from '../../prisma/db';
import type { SimKey } from './accounts';
import type { SimStore, StoredBalance, StoredFill, StoredOrder, StoredState } from './store';

type Dec = { toFixed(): string };
const str = (d: Dec | null) => (d === null ? null : d.toFixed());

/** SimStore on the project's database (`sim_*` tables); pass the client from `openDatabase()`. */
export class PrismaSimStore implements SimStore {
  constructor(private readonly prisma: PrismaClient) {}

  async load(): Promise<StoredState> {
    const [keys, balances, orders, fills, identifiers] = await Promise.all([
      this.prisma.simKey.findMany(),
      this.prisma.simBalance.findMany(),
      this.prisma.simOrder.findMany({ orderBy: { seq: 'asc' } }),
      this.prisma.simTrade.findMany({ orderBy: { createdAt: 'asc' } }),
      this.prisma.simIdentifier.findMany(),
    ]);
    return {
      keys: keys.map((k) => ({ accessKey: k.accessKey, secretKey: k.secretKey, createdAt: k.createdAt.getTime() })),
      balances: balances.map((b) => ({
        accessKey: b.accessKey,
        currency: b.currency,
        balance: b.balance.toFixed(),
        locked: b.locked.toFixed(),
        avgBuyPrice: b.avgBuyPrice.toFixed(),
      })),
      orders: orders.map((o) => ({
        uuid: o.uuid,
        accessKey: o.accessKey,
        market: o.market,
        side: o.side,
        ordType: o.ordType,
        price: str(o.price),
        volume: str(o.volume),
        remainingVolume: str(o.remainingVolume),
        remainingFunds: str(o.remainingFunds),
        state: o.state,
        createdAt: o.createdAt.getTime(),
        identifier: o.identifier,
        timeInForce: o.timeInForce,
        smpType: o.smpType,
        feeRate: o.feeRate.toFixed(),
        reservedFee: o.reservedFee.toFixed(),
        remainingFee: o.remainingFee.toFixed(),
        paidFee: o.paidFee.toFixed(),
        locked: o.locked.toFixed(),
        executedVolume: o.executedVolume.toFixed(),
        executedFunds: o.executedFunds.toFixed(),
        preventedVolume: o.preventedVolume.toFixed(),
        preventedLocked: o.preventedLocked.toFixed(),
        tradesCount: o.tradesCount,
        bestLimit: str(o.bestLimit),
        matchAfter: o.matchAfter ? o.matchAfter.getTime() : null,
        seq: o.seq,
      })),
      fills: fills.map((f) => ({
        uuid: f.uuid,
        orderUuid: f.orderUuid,
        accessKey: f.accessKey,
        market: f.market,
        side: f.side,
        price: f.price.toFixed(),
        volume: f.volume.toFixed(),
        funds: f.funds.toFixed(),
        fee: f.fee.toFixed(),
        isMaker: f.isMaker,
        trend: f.trend,
        createdAt: f.createdAt.getTime(),
      })),
      identifiers: identifiers.map((i) => ({ accessKey: i.accessKey, identifier: i.identifier })),
    };
  }

  async saveKey(key: SimKey): Promise<void> {
    const data = { secretKey: key.secretKey, createdAt: new Date(key.createdAt) };
    await this.prisma.simKey.upsert({
      where: { accessKey: key.accessKey },
      create: { accessKey: key.accessKey, ...data },
      update: data,
    });
  }

  async saveBalances(rows: StoredBalance[]): Promise<void> {
    await this.prisma.$transaction(
      rows.map((r) => {
        const data = { balance: r.balance, locked: r.locked, avgBuyPrice: r.avgBuyPrice };
        return this.prisma.simBalance.upsert({
          where: { accessKey_currency: { accessKey: r.accessKey, currency: r.currency } },
          create: { accessKey: r.accessKey, currency: r.currency, ...data },
          update: data,
        });
      }),
    );
  }

  async saveOrders(orders: StoredOrder[]): Promise<void> {
    await this.prisma.$transaction(
      orders.map((o) => {
        const { uuid, createdAt, matchAfter, ...rest } = o;
        const data = {
          ...rest,
          createdAt: new Date(createdAt),
          matchAfter: matchAfter === null ? null : new Date(matchAfter),
        };
        return this.prisma.simOrder.upsert({ where: { uuid }, create: { uuid, ...data }, update: data });
      }),
    );
  }

  async saveFills(fills: StoredFill[]): Promise<void> {
    await this.prisma.simTrade.createMany({
      data: fills.map((f) => ({ ...f, createdAt: new Date(f.createdAt) })),
      skipDuplicates: true,
    });
  }

  async burnIdentifier(accessKey: string, identifier: string): Promise<void> {
    await this.prisma.simIdentifier.createMany({ data: [{ accessKey, identifier }], skipDuplicates: true });
  }

  /** The database belongs to whoever opened it; closing the store leaves it open. */
  async close(): Promise<void> {}
}
