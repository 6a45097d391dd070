import { type Balance, Dec, type SimKey } from './accounts';
import type { SimFill, SimOrder } from './orders';

/** A balance row as stored: decimals as strings. */
export interface StoredBalance {
  accessKey: string;
  currency: string;
  balance: string;
  locked: string;
  avgBuyPrice: string;
}

/** An order as stored, without its fills (stored apart). Decimals as strings, times as ms. */
export interface StoredOrder {
  uuid: string;
  accessKey: string;
  market: string;
  side: string;
  ordType: string;
  price: string | null;
  volume: string | null;
  remainingVolume: string | null;
  remainingFunds: string | null;
  state: string;
  createdAt: number;
  identifier: string | null;
  timeInForce: string | null;
  smpType: string | null;
  feeRate: string;
  reservedFee: string;
  remainingFee: string;
  paidFee: string;
  locked: string;
  executedVolume: string;
  executedFunds: string;
  preventedVolume: string;
  preventedLocked: string;
  tradesCount: number;
  bestLimit: string | null;
  matchAfter: number | null;
  seq: number;
}

export interface StoredFill {
  uuid: string;
  orderUuid: string;
  accessKey: string;
  market: string;
  side: string;
  price: string;
  volume: string;
  funds: string;
  fee: string;
  isMaker: boolean;
  trend: string;
  createdAt: number;
}

export interface StoredState {
  keys: SimKey[];
  balances: StoredBalance[];
  orders: StoredOrder[];
  fills: StoredFill[];
  identifiers: Array<{ accessKey: string; identifier: string }>;
}

/**
 * Where the simulator keeps accounts so that a restart loses nothing. Writes are upserts keyed by
 * (accessKey), (accessKey, currency), (uuid) and (accessKey, identifier); the simulator calls them in
 * order and awaits `close()` before it exits.
 */
export interface SimStore {
  load(): Promise<StoredState>;
  saveKey(key: SimKey): Promise<void>;
  saveBalances(rows: StoredBalance[]): Promise<void>;
  saveOrders(orders: StoredOrder[]): Promise<void>;
  saveFills(fills: StoredFill[]): Promise<void>;
  burnIdentifier(accessKey: string, identifier: string): Promise<void>;
  close(): Promise<void>;
}

/** Keeps everything in memory; survives a simulator restart when the same instance is passed again. */
export class MemorySimStore implements SimStore {
  private keys = new Map<string, SimKey>();
  private balances = new Map<string, StoredBalance>();
  private orders = new Map<string, StoredOrder>();
  private fills = new Map<string, StoredFill>();
  private identifiers = new Map<string, { accessKey: string; identifier: string }>();

  async load(): Promise<StoredState> {
    return {
      keys: [...this.keys.values()],
      balances: [...this.balances.values()],
      orders: [...this.orders.values()],
      fills: [...this.fills.values()],
      identifiers: [...this.identifiers.values()],
    };
  }
  async saveKey(key: SimKey) {
    this.keys.set(key.accessKey, { ...key });
  }
  async saveBalances(rows: StoredBalance[]) {
    for (const r of rows) this.balances.set(`${r.accessKey}|${r.currency}`, { ...r });
  }
  async saveOrders(orders: StoredOrder[]) {
    for (const o of orders) this.orders.set(o.uuid, { ...o });
  }
  async saveFills(fills: StoredFill[]) {
    for (const f of fills) this.fills.set(f.uuid, { ...f });
  }
  async burnIdentifier(accessKey: string, identifier: string) {
    this.identifiers.set(`${accessKey}|${identifier}`, { accessKey, identifier });
  }
  async close() {}
}

// ---------------------------------------------------------------- conversions

export function storeBalance(accessKey: string, b: Balance): StoredBalance {
  return {
    accessKey,
    currency: b.currency,
    balance: b.balance.toFixed(),
    locked: b.locked.toFixed(),
    avgBuyPrice: b.avgBuyPrice.toFixed(),
  };
}

export function loadBalance(r: StoredBalance): Balance {
  return {
    currency: r.currency,
    balance: new Dec(r.balance),
    locked: new Dec(r.locked),
    avgBuyPrice: new Dec(r.avgBuyPrice),
  };
}

const s = (d: Dec | null | undefined) => (d ? d.toFixed() : null);
const d = (v: string | null) => (v === null ? null : new Dec(v));

export function storeOrder(o: SimOrder): StoredOrder {
  return {
    uuid: o.uuid,
    accessKey: o.accessKey,
    market: o.market,
    side: o.side,
    ordType: o.ordType,
    price: s(o.price),
    volume: s(o.volume),
    remainingVolume: s(o.remainingVolume),
    remainingFunds: s(o.remainingFunds),
    state: o.state,
    createdAt: o.createdAt,
    identifier: o.identifier ?? null,
    timeInForce: o.timeInForce ?? null,
    smpType: o.smpType ?? null,
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
    bestLimit: s(o.bestLimit),
    matchAfter: o.matchAfter ?? null,
    seq: o.seq,
  };
}

export function loadOrder(r: StoredOrder, fills: SimFill[]): SimOrder {
  return {
    uuid: r.uuid,
    accessKey: r.accessKey,
    market: r.market,
    side: r.side as SimOrder['side'],
    ordType: r.ordType as SimOrder['ordType'],
    price: d(r.price),
    volume: d(r.volume),
    remainingVolume: d(r.remainingVolume),
    remainingFunds: d(r.remainingFunds),
    state: r.state as SimOrder['state'],
    createdAt: r.createdAt,
    identifier: r.identifier ?? undefined,
    timeInForce: (r.timeInForce ?? undefined) as SimOrder['timeInForce'],
    smpType: (r.smpType ?? undefined) as SimOrder['smpType'],
    feeRate: new Dec(r.feeRate),
    reservedFee: new Dec(r.reservedFee),
    remainingFee: new Dec(r.remainingFee),
    paidFee: new Dec(r.paidFee),
    locked: new Dec(r.locked),
    executedVolume: new Dec(r.executedVolume),
    executedFunds: new Dec(r.executedFunds),
    preventedVolume: new Dec(r.preventedVolume),
    preventedLocked: new Dec(r.preventedLocked),
    tradesCount: r.tradesCount,
    trades: fills.sort((a, b) => a.createdAt - b.createdAt),
    bestLimit: d(r.bestLimit) ?? undefined,
    matchAfter: r.matchAfter ?? undefined,
    seq: r.seq,
  };
}

export function storeFill(accessKey: string, f: SimFill): StoredFill {
  return {
    uuid: f.uuid,
    orderUuid: f.orderUuid,
    accessKey,
    market: f.market,
    side: f.side,
    price: f.price.toFixed(),
    volume: f.volume.toFixed(),
    funds: f.funds.toFixed(),
    fee: f.fee.toFixed(),
    isMaker: f.isMaker,
    trend: f.trend,
    createdAt: f.createdAt,
  };
}

export function loadFill(r: StoredFill): SimFill {
  return {
    uuid: r.uuid,
    orderUuid: r.orderUuid,
    market: r.market,
    side: r.side as SimFill['side'],
    price: new Dec(r.price),
    volume: new Dec(r.volume),
    funds: new Dec(r.funds),
    fee: new Dec(r.fee),
    isMaker: r.isMaker,
    trend: r.trend as SimFill['trend'],
    createdAt: r.createdAt,
  };
}

/**
 * Write-behind to a store: changes are coalesced (last state of each order or balance wins) and written
 * in one batch every `intervalMs`, so the matching engine never waits on the database.
 */
export class StoreWriter {
  private orders = new Map<string, SimOrder>();
  private balances = new Map<string, StoredBalance>();
  private fills: StoredFill[] = [];
  private keys: SimKey[] = [];
  private identifiers: Array<[string, string]> = [];
  private timer: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  lastError: unknown = null;

  constructor(
    private readonly store: SimStore,
    intervalMs = 50,
  ) {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  key(k: SimKey) {
    this.keys.push(k);
  }
  order(o: SimOrder) {
    this.orders.set(o.uuid, o);
  }
  balance(accessKey: string, b: Balance) {
    this.balances.set(`${accessKey}|${b.currency}`, storeBalance(accessKey, b));
  }
  fill(accessKey: string, f: SimFill) {
    this.fills.push(storeFill(accessKey, f));
  }
  identifier(accessKey: string, identifier: string) {
    this.identifiers.push([accessKey, identifier]);
  }

  /** Writes everything pending; calls are serialised. */
  flush(): Promise<void> {
    this.running = this.running.then(async () => {
      const keys = this.keys.splice(0);
      const ids = this.identifiers.splice(0);
      const orders = [...this.orders.values()].map(storeOrder);
      this.orders.clear();
      const balances = [...this.balances.values()];
      this.balances.clear();
      const fills = this.fills.splice(0);
      if (!keys.length && !ids.length && !orders.length && !balances.length && !fills.length) return;
      try {
        for (const k of keys) await this.store.saveKey(k);
        for (const [a, i] of ids) await this.store.burnIdentifier(a, i);
        if (orders.length) await this.store.saveOrders(orders);
        if (fills.length) await this.store.saveFills(fills);
        if (balances.length) await this.store.saveBalances(balances);
      } catch (e) {
        this.lastError = e;
        console.error('simulator store write failed', e);
      }
    });
    return this.running;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
