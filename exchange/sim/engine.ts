import { randomUUID } from 'node:crypto';
import { DEFAULT_FEE_RATE, isOnTick, MAX_TOTAL_KRW } from '../../core/market';
import { type Balance, Dec, type SimKey } from './accounts';
import { BOOK_DEPTH } from './book';
import { exchangeError, UpbitError } from './errors';
import type { Print } from './feed';
import type { AskBid, MarketState } from './market-state';
import {
  cloneOrder,
  type OrderSide,
  type OrdType,
  type SimFill,
  type SimOrder,
  type SmpType,
  type TimeInForce,
  zeroBalance,
} from './orders';

/** Upbit's KRW minimum order total (`orders/chance` min_total). */
export const MIN_TOTAL_KRW = new Dec(5000);
const VOLUME_RE = /^(?:\d+)(?:\.\d+)?$/;

export interface Account {
  key: SimKey;
  balances: Map<string, Balance>;
  orders: Map<string, SimOrder>;
  byIdentifier: Map<string, SimOrder>;
  /** Every identifier ever sent, accepted or not: Upbit never takes one twice. */
  burned: Set<string>;
}

/** What the engine tells the rest of the simulator (WebSocket, persistence, the tape). */
export interface EngineHooks {
  trade(market: string, price: number, volume: number, askBid: AskBid, timestamp: number): void;
  order(order: SimOrder, fill: SimFill | null): void;
  balances(accessKey: string, rows: Balance[]): void;
  keyAdded(key: SimKey): void;
  identifierBurned(accessKey: string, identifier: string): void;
  fill(fill: SimFill, accessKey: string): void;
}

export interface CreateOptions {
  /** POST /v1/orders/test: validate and answer, create nothing. */
  test?: boolean;
}

/** A taker's view of one price level: synthetic liquidity or a resting simulator order. */
interface Liquidity {
  price: Dec;
  size: Dec;
  synthetic?: { level: { price: number; size: number } };
  maker?: SimOrder;
}

function parsePositive(value: unknown): Dec | null {
  if (typeof value === 'number') value = Number.isFinite(value) ? String(value) : 'x';
  if (typeof value !== 'string' || !VOLUME_RE.test(value)) return null;
  const d = new Dec(value);
  return d.gt(0) ? d : null;
}

/**
 * Accounts, orders and matching. Simulator orders match each other with price-time priority and take the
 * feed's synthetic book; resting orders fill when the outside market trades through them. All sums are
 * exact decimals: what leaves `balance` goes to `locked` and comes back to the last digit.
 */
export class Engine {
  readonly accounts = new Map<string, Account>();
  private readonly bids = new Map<string, SimOrder[]>();
  private readonly asks = new Map<string, SimOrder[]>();
  private readonly pending: SimOrder[] = [];
  /** Cancels accepted but not yet in effect (delayed-cancel fault), in arrival order. */
  private readonly pendingCancels: SimOrder[] = [];
  private seq = 0;
  /** Share of a print at exactly a resting order's price that reaches it (the rest of the queue is ahead). */
  atPriceShare = 0.5;
  /** Stalled-fill fault: new orders are accepted but not matched for this long. */
  stallFillsMs = 0;
  /** Delayed-cancel fault: an accepted cancel takes effect this long after it was asked for. */
  cancelDelayMs = 0;
  /** Markets in maintenance (fault): new orders there are refused with market_offline. */
  offlineMarkets: ReadonlySet<string> = new Set();

  constructor(
    readonly markets: Map<string, MarketState>,
    private readonly hooks: EngineHooks,
    private readonly now: () => number,
    readonly feeRate: Dec = new Dec(DEFAULT_FEE_RATE.toString()),
  ) {}

  // ---------------------------------------------------------------- accounts

  addKey(key: SimKey, krw: Dec | null, persist = true): Account {
    let acc = this.accounts.get(key.accessKey);
    if (!acc) {
      acc = { key, balances: new Map(), orders: new Map(), byIdentifier: new Map(), burned: new Set() };
      this.accounts.set(key.accessKey, acc);
    } else acc.key = key;
    if (persist) this.hooks.keyAdded(key);
    if (krw) {
      const b = this.balance(acc, 'KRW');
      b.balance = b.balance.plus(krw);
      this.hooks.balances(key.accessKey, [b]);
    }
    return acc;
  }

  balance(acc: Account, currency: string): Balance {
    let b = acc.balances.get(currency);
    if (!b) {
      b = zeroBalance(currency);
      acc.balances.set(currency, b);
    }
    return b;
  }

  /** Rows of GET /v1/accounts: KRW always, coins while anything is held. */
  accountRows(acc: Account): Balance[] {
    this.balance(acc, 'KRW');
    return [...acc.balances.values()]
      .filter((b) => b.currency === 'KRW' || !b.balance.plus(b.locked).isZero())
      .sort((a, b) => (a.currency === 'KRW' ? -1 : b.currency === 'KRW' ? 1 : a.currency.localeCompare(b.currency)));
  }

  /** Restores state from a store (no hooks fire). */
  restore(acc: Account, balances: Balance[], orders: SimOrder[], burned: string[]): void {
    for (const b of balances) acc.balances.set(b.currency, b);
    for (const id of burned) acc.burned.add(id);
    for (const o of orders.sort((a, b) => a.seq - b.seq)) {
      acc.orders.set(o.uuid, o);
      if (o.identifier !== undefined) acc.byIdentifier.set(o.identifier, o);
      this.seq = Math.max(this.seq, o.seq);
      if (o.state === 'wait') {
        if (o.matchAfter && o.matchAfter > this.now()) this.pending.push(o);
        else this.insertResting(o);
      }
    }
  }

  /**
   * Fee on a KRW amount, rounded half-up to 18 decimals: prices and volumes have at most 8 places, so
   * totals have at most 16 and only the fee can reach 20; 18 keeps every amount storable exactly.
   */
  feeOf(amount: Dec, rate: Dec = this.feeRate): Dec {
    return amount.mul(rate).toDecimalPlaces(18, Dec.ROUND_HALF_UP);
  }

  // ---------------------------------------------------------------- order entry

  /**
   * Validates and places an order. Returns the order as it stood when accepted (state `wait`, nothing
   * executed: Upbit answers before matching), or throws the Upbit error. Rejections never touch a balance.
   */
  create(acc: Account, body: Record<string, unknown>, opts: CreateOptions = {}): SimOrder {
    const { market, side, ord_type, identifier } = body;
    if (identifier !== undefined && identifier !== null) {
      if (typeof identifier !== 'string' || identifier.length === 0 || identifier.length > 64)
        throw exchangeError.validation();
      if (acc.burned.has(identifier)) throw exchangeError.duplicatedIdentifier();
      if (!opts.test) {
        acc.burned.add(identifier);
        this.hooks.identifierBurned(acc.key.accessKey, identifier);
      }
    }
    if (typeof market !== 'string' || typeof side !== 'string' || typeof ord_type !== 'string')
      throw exchangeError.validation();
    if (side !== 'bid' && side !== 'ask') throw exchangeError.validation();
    const state = this.markets.get(market);
    if (!state) throw exchangeError.notFoundMarket();
    if (this.offlineMarkets.has(market)) throw exchangeError.marketOffline();
    if (!['limit', 'price', 'market', 'best'].includes(ord_type)) throw exchangeError.validation();
    const ordType = ord_type as OrdType;
    const tifRaw = body.time_in_force;
    if (tifRaw !== undefined && tifRaw !== null && !['ioc', 'fok', 'post_only'].includes(tifRaw as string))
      throw exchangeError.invalidTimeInForce();
    const tif = (tifRaw ?? undefined) as TimeInForce | undefined;
    const smpRaw = body.smp_type;
    if (
      smpRaw !== undefined &&
      smpRaw !== null &&
      !['cancel_maker', 'cancel_taker', 'reduce', 'none'].includes(smpRaw as string)
    )
      throw exchangeError.validation();
    const smpType = (smpRaw ?? undefined) as SmpType | undefined;
    if (tif === 'post_only' && smpType !== undefined && smpType !== 'none') throw exchangeError.invalidPostOnly();
    if (tif === 'post_only' && ordType !== 'limit') throw exchangeError.invalidTimeInForce();
    if (ordType === 'best' && tif !== 'ioc' && tif !== 'fok') throw exchangeError.invalidTimeInForce();
    if ((ordType === 'price' || ordType === 'market') && tif !== undefined) throw exchangeError.invalidTimeInForce();
    const hasPrice = body.price !== undefined && body.price !== null && body.price !== '';
    const hasVolume = body.volume !== undefined && body.volume !== null && body.volume !== '';
    const s = side as OrderSide;
    // Which of price/volume each order type takes (Upbit: create_{side}_error for a wrong combination).
    const needs: Record<OrdType, { price: boolean; volume: boolean; sides: OrderSide[] }> = {
      limit: { price: true, volume: true, sides: ['bid', 'ask'] },
      price: { price: true, volume: false, sides: ['bid'] },
      market: { price: false, volume: true, sides: ['ask'] },
      best: { price: s === 'bid', volume: s === 'ask', sides: ['bid', 'ask'] },
    };
    const need = needs[ordType];
    if (!need.sides.includes(s)) throw exchangeError.createError(s);
    if (need.price !== hasPrice || need.volume !== hasVolume) {
      if (ordType === 'limit') throw exchangeError.validation();
      throw exchangeError.createError(s);
    }
    const price = hasPrice ? parsePositive(body.price) : null;
    const volume = hasVolume ? parsePositive(body.volume) : null;
    if ((hasPrice && !price) || (hasVolume && !volume)) throw exchangeError.validation();
    if (volume && volume.decimalPlaces() > 8) throw exchangeError.validation();
    if (ordType === 'limit' && price && !isOnTick('KRW', price.toFixed())) throw exchangeError.invalidPrice(s);
    if (price && ordType !== 'limit' && price.decimalPlaces() > 8) throw exchangeError.validation();

    const rate = this.feeRate;
    const now = this.now();
    // Value of the order in KRW, for minimum/maximum totals.
    let total: Dec;
    let bestLimit: Dec | undefined;
    if (ordType === 'limit') total = price!.mul(volume!);
    else if (ordType === 'price' || (ordType === 'best' && s === 'bid')) total = price!;
    else {
      const top = state.bids[0];
      const topPrice = new Dec(top ? top.price : state.last);
      total = volume!.mul(topPrice);
    }
    if (ordType === 'best') {
      const ref = s === 'bid' ? this.bestOpposite(state, 'bid') : this.bestOpposite(state, 'ask');
      if (!ref) throw exchangeError.createError(s);
      bestLimit = ref;
    }
    if (total.lt(MIN_TOTAL_KRW)) throw exchangeError.underMinTotal(s, MIN_TOTAL_KRW.toFixed(), 'KRW');
    if (s === 'bid' && total.gt(MAX_TOTAL_KRW.toString())) throw exchangeError.overMaxTotal();

    const coin = market.split('-')[1];
    const quote = market.split('-')[0];
    let locked: Dec;
    let reservedFee: Dec;
    if (s === 'bid') {
      reservedFee = this.feeOf(total, rate);
      locked = total.plus(reservedFee);
      if (this.balance(acc, quote).balance.lt(locked)) throw exchangeError.insufficientFunds('bid', quote);
    } else {
      reservedFee = ordType === 'limit' ? this.feeOf(total, rate) : new Dec(0);
      locked = volume!;
      if (this.balance(acc, coin).balance.lt(locked)) throw exchangeError.insufficientFunds('ask', coin);
    }
    if (ordType === 'price' || ordType === 'market')
      this.checkVisibleDepth(state, s, ordType === 'price' ? price! : volume!);

    const spends = ordType === 'price' || (ordType === 'best' && s === 'bid');
    const order: SimOrder = {
      uuid: randomUUID(),
      accessKey: acc.key.accessKey,
      market,
      side: s,
      ordType,
      price,
      volume,
      remainingVolume: volume,
      remainingFunds: spends ? price : null,
      state: 'wait',
      createdAt: now,
      identifier: typeof identifier === 'string' ? identifier : undefined,
      timeInForce: tif,
      smpType,
      feeRate: rate,
      reservedFee,
      remainingFee: reservedFee,
      paidFee: new Dec(0),
      locked,
      executedVolume: new Dec(0),
      executedFunds: new Dec(0),
      preventedVolume: new Dec(0),
      preventedLocked: new Dec(0),
      tradesCount: 0,
      trades: [],
      bestLimit,
      seq: ++this.seq,
    };
    if (opts.test) return order;

    const lockIn = this.balance(acc, s === 'bid' ? quote : coin);
    lockIn.balance = lockIn.balance.minus(locked);
    lockIn.locked = lockIn.locked.plus(locked);
    acc.orders.set(order.uuid, order);
    if (order.identifier !== undefined) acc.byIdentifier.set(order.identifier, order);
    const accepted = cloneOrder(order);
    this.hooks.order(order, null);
    this.hooks.balances(acc.key.accessKey, [lockIn]);
    if (this.stallFillsMs > 0) {
      order.matchAfter = now + this.stallFillsMs;
      this.pending.push(order);
    } else this.execute(order);
    return accepted;
  }

  /** Runs a newly accepted order: takes what it can, then rests or ends as its type says. */
  private execute(order: SimOrder): void {
    const state = this.markets.get(order.market)!;
    if (order.timeInForce === 'post_only' && this.wouldTake(order, state)) {
      this.cancel(order);
      return;
    }
    if (order.timeInForce === 'fok' && !this.canFillFully(order, state)) {
      this.cancel(order);
      return;
    }
    this.take(order, state);
    if (order.state !== 'wait') return;
    if (order.ordType === 'limit' && order.timeInForce === undefined) this.insertResting(order);
    else this.cancel(order);
  }

  /**
   * Upbit refuses a market buy whose total exceeds what the 30 visible ask levels hold, and a market sell
   * whose volume exceeds the 30 visible bid levels (docs changelog `orderbook_expansion`, 2025-05-07),
   * instead of filling part of it.
   */
  private checkVisibleDepth(state: MarketState, side: OrderSide, wanted: Dec): void {
    let levels = 0;
    let lastPrice: Dec | null = null;
    let available = new Dec(0);
    for (const l of this.liquidity(state, side, null)) {
      if (!lastPrice || !l.price.eq(lastPrice)) {
        if (++levels > BOOK_DEPTH) break;
        lastPrice = l.price;
      }
      available = available.plus(side === 'bid' ? l.size.mul(l.price) : l.size);
    }
    if (wanted.gt(available)) throw exchangeError.beyondVisibleBook(side);
  }

  /**
   * Cancels an order as a client's cancel request does: at once, or after `cancelDelayMs` (the order keeps
   * matching meanwhile). Asking again while a cancel is pending changes nothing.
   */
  requestCancel(order: SimOrder): void {
    if (order.state !== 'wait' && order.state !== 'watch') return;
    if (this.cancelDelayMs <= 0) {
      this.cancel(order);
      return;
    }
    if (order.cancelAfter !== undefined) return;
    order.cancelAfter = this.now() + this.cancelDelayMs;
    this.pendingCancels.push(order);
  }

  /** Processes orders whose stalled-fill delay is over, then cancels whose delay is over. */
  releasePending(): void {
    const now = this.now();
    for (let i = 0; i < this.pending.length; ) {
      const o = this.pending[i];
      if ((o.matchAfter ?? 0) <= now) {
        this.pending.splice(i, 1);
        o.matchAfter = undefined;
        if (o.state === 'wait') this.execute(o);
      } else i++;
    }
    while (this.pendingCancels.length && (this.pendingCancels[0].cancelAfter ?? 0) <= now) {
      const o = this.pendingCancels.shift()!;
      o.cancelAfter = undefined;
      this.cancel(o);
    }
  }

  private bestOpposite(state: MarketState, side: OrderSide): Dec | null {
    const book = this.liquidity(state, side, null);
    const first = book.next().value as Liquidity | undefined;
    return first ? first.price : null;
  }

  private wouldTake(order: SimOrder, state: MarketState): boolean {
    const best = this.bestOpposite(state, order.side);
    if (!best || !order.price) return false;
    return order.side === 'bid' ? best.lte(order.price) : best.gte(order.price);
  }

  /** Opposite-side liquidity in priority order: best price first; at one price the synthetic book, then simulator orders by time. */
  private *liquidity(state: MarketState, side: OrderSide, limit: Dec | null): Generator<Liquidity> {
    const synthetic = side === 'bid' ? state.asks : state.bids;
    const resting = (side === 'bid' ? this.asks : this.bids).get(state.market) ?? [];
    const better = (a: Dec, b: Dec) => (side === 'bid' ? a.lt(b) : a.gt(b));
    const within = (p: Dec) => !limit || (side === 'bid' ? p.lte(limit) : p.gte(limit));
    let si = 0;
    let ri = 0;
    while (true) {
      while (si < synthetic.length && synthetic[si].size <= 0) si++;
      while (ri < resting.length && resting[ri].state !== 'wait') ri++;
      const s = si < synthetic.length ? synthetic[si] : null;
      const r = ri < resting.length ? resting[ri] : null;
      if (!s && !r) return;
      const sp = s ? new Dec(s.price) : null;
      const useSynthetic = s && (!r || !better(r.price!, sp!));
      if (useSynthetic) {
        if (!within(sp!)) return;
        yield { price: sp!, size: new Dec(s.size.toFixed(8)), synthetic: { level: s } };
        si++;
      } else {
        if (!within(r!.price!)) return;
        yield { price: r!.price!, size: r!.remainingVolume!, maker: r! };
        ri++;
      }
    }
  }

  private limitOf(order: SimOrder): Dec | null {
    if (order.ordType === 'limit') return order.price;
    if (order.ordType === 'best') return order.bestLimit ?? null;
    return null;
  }

  /** Volume the order can take at `price` with what it has left. */
  private wants(order: SimOrder, price: Dec): Dec {
    if (order.remainingFunds) return order.remainingFunds.div(price).toDecimalPlaces(8, Dec.ROUND_DOWN);
    return order.remainingVolume!;
  }

  private canFillFully(order: SimOrder, state: MarketState): boolean {
    let volume = order.remainingVolume ?? new Dec(0);
    let funds = order.remainingFunds ?? new Dec(0);
    for (const l of this.liquidity(state, order.side, this.limitOf(order))) {
      if (l.maker?.accessKey === order.accessKey) continue;
      if (order.remainingFunds) {
        const v = Dec.min(l.size, funds.div(l.price).toDecimalPlaces(8, Dec.ROUND_DOWN));
        funds = funds.minus(v.mul(l.price));
        if (funds.lt(l.price.mul('0.00000001'))) return true;
      } else {
        volume = volume.minus(Dec.min(volume, l.size));
        if (volume.isZero()) return true;
      }
    }
    return false;
  }

  /** Walks the opposite side and fills the order as a taker. */
  private take(order: SimOrder, state: MarketState): void {
    const limit = this.limitOf(order);
    const now = this.now();
    for (const l of this.liquidity(state, order.side, limit)) {
      if (order.state !== 'wait') return;
      const want = this.wants(order, l.price);
      if (want.lte(0)) break;
      if (l.maker && l.maker.accessKey === order.accessKey) {
        if (this.preventSelfTrade(order, l.maker, want)) return;
        continue;
      }
      const v = Dec.min(want, l.size);
      if (v.lte(0)) continue;
      const askBid: AskBid = order.side === 'bid' ? 'BID' : 'ASK';
      if (l.synthetic) l.synthetic.level.size = Number(new Dec(l.synthetic.level.size.toFixed(8)).minus(v).toFixed(8));
      if (l.maker) this.fill(l.maker, l.price, v, true, askBid, now);
      this.fill(order, l.price, v, false, askBid, now);
      this.hooks.trade(order.market, l.price.toNumber(), v.toNumber(), askBid, now);
    }
    this.pruneResting(order.market);
  }

  /** Self-match prevention, in the taker's mode (default cancel_maker). Returns true when the taker stops. */
  private preventSelfTrade(taker: SimOrder, maker: SimOrder, want: Dec): boolean {
    const mode = taker.smpType ?? 'cancel_maker';
    if (mode === 'none' || mode === 'cancel_maker') {
      this.cancel(maker);
      return false;
    }
    if (mode === 'cancel_taker') {
      this.cancel(taker);
      return true;
    }
    // reduce: both orders shrink by the overlap.
    const overlap = Dec.min(want, maker.remainingVolume!);
    this.reduce(maker, overlap);
    if (taker.remainingVolume) this.reduce(taker, overlap);
    return taker.state !== 'wait';
  }

  private reduce(order: SimOrder, v: Dec): void {
    const acc = this.accounts.get(order.accessKey)!;
    const before = order.locked;
    order.remainingVolume = order.remainingVolume!.minus(v);
    order.preventedVolume = order.preventedVolume.plus(v);
    this.relock(order);
    const released = before.minus(order.locked);
    order.preventedLocked = order.preventedLocked.plus(released);
    const b = this.balance(acc, this.lockCurrency(order));
    b.locked = b.locked.minus(released);
    b.balance = b.balance.plus(released);
    if (order.remainingVolume.isZero()) order.state = order.executedVolume.isZero() ? 'cancel' : 'done';
    this.hooks.order(order, null);
    this.hooks.balances(order.accessKey, [b]);
  }

  private lockCurrency(order: SimOrder): string {
    const [quote, coin] = order.market.split('-');
    return order.side === 'bid' ? quote : coin;
  }

  /** Recomputes what an order still holds from what it still needs. */
  private relock(order: SimOrder): void {
    if (order.side === 'ask') {
      order.locked = order.remainingVolume!;
      if (order.ordType === 'limit')
        order.remainingFee = this.feeOf(order.remainingVolume!.mul(order.price!), order.feeRate);
      return;
    }
    const base = order.remainingFunds ?? order.remainingVolume!.mul(order.price!);
    order.remainingFee = this.feeOf(base, order.feeRate);
    order.locked = base.plus(order.remainingFee);
  }

  /** Books one fill on an order and its account. */
  private fill(order: SimOrder, price: Dec, volume: Dec, isMaker: boolean, askBid: AskBid, now: number): SimFill {
    const acc = this.accounts.get(order.accessKey)!;
    const [quote, coin] = order.market.split('-');
    const funds = price.mul(volume);
    const fee = this.feeOf(funds, order.feeRate);
    const before = order.locked;
    if (order.remainingVolume) order.remainingVolume = order.remainingVolume.minus(volume);
    if (order.remainingFunds) order.remainingFunds = order.remainingFunds.minus(funds);
    order.executedVolume = order.executedVolume.plus(volume);
    order.executedFunds = order.executedFunds.plus(funds);
    order.paidFee = order.paidFee.plus(fee);
    order.tradesCount++;
    this.relock(order);
    const released = before.minus(order.locked);
    const q = this.balance(acc, quote);
    const c = this.balance(acc, coin);
    if (order.side === 'bid') {
      // The lock covered price x volume + fee at the order's terms; what the fill did not use comes back.
      q.locked = q.locked.minus(released);
      q.balance = q.balance.plus(released).minus(funds).minus(fee);
      const held = c.balance.plus(c.locked);
      c.avgBuyPrice = held.mul(c.avgBuyPrice).plus(funds).div(held.plus(volume)).toDecimalPlaces(8, Dec.ROUND_HALF_UP);
      c.balance = c.balance.plus(volume);
    } else {
      c.locked = c.locked.minus(released);
      q.balance = q.balance.plus(funds).minus(fee);
      if (c.balance.plus(c.locked).isZero()) c.avgBuyPrice = new Dec(0);
    }
    const done = order.remainingVolume ? order.remainingVolume.isZero() : order.remainingFunds!.isZero();
    if (done) {
      order.state = 'done';
      this.releaseRest(order, acc);
    }
    const f: SimFill = {
      uuid: randomUUID(),
      orderUuid: order.uuid,
      market: order.market,
      side: order.side,
      price,
      volume,
      funds,
      fee,
      isMaker,
      trend: askBid === 'BID' ? 'up' : 'down',
      createdAt: now,
    };
    order.trades.push(f);
    this.hooks.fill(f, order.accessKey);
    this.hooks.order(order, f);
    this.hooks.balances(order.accessKey, [q, c]);
    return f;
  }

  /** Returns whatever an ended order still holds to the available balance. */
  private releaseRest(order: SimOrder, acc: Account): Balance {
    const b = this.balance(acc, this.lockCurrency(order));
    b.locked = b.locked.minus(order.locked);
    b.balance = b.balance.plus(order.locked);
    order.locked = new Dec(0);
    order.remainingFee = new Dec(0);
    return b;
  }

  /** Ends an order as cancelled (whatever it executed stays executed). */
  cancel(order: SimOrder): void {
    if (order.state !== 'wait' && order.state !== 'watch') return;
    const acc = this.accounts.get(order.accessKey)!;
    order.state = 'cancel';
    const b = this.releaseRest(order, acc);
    this.pruneResting(order.market);
    const p = this.pending.indexOf(order);
    if (p >= 0) this.pending.splice(p, 1);
    this.hooks.order(order, null);
    this.hooks.balances(order.accessKey, [b]);
  }

  private insertResting(order: SimOrder): void {
    const books = order.side === 'bid' ? this.bids : this.asks;
    let book = books.get(order.market);
    if (!book) {
      book = [];
      books.set(order.market, book);
    }
    const before = (a: SimOrder) => (order.side === 'bid' ? a.price!.lt(order.price!) : a.price!.gt(order.price!));
    let i = book.length;
    while (i > 0 && before(book[i - 1])) i--;
    book.splice(i, 0, order);
  }

  private pruneResting(market: string): void {
    for (const books of [this.bids, this.asks]) {
      const book = books.get(market);
      if (book?.some((o) => o.state !== 'wait'))
        books.set(
          market,
          book.filter((o) => o.state === 'wait'),
        );
    }
  }

  /** Resting simulator orders of a market (for the displayed book). */
  resting(market: string): { bids: SimOrder[]; asks: SimOrder[] } {
    return { bids: this.bids.get(market) ?? [], asks: this.asks.get(market) ?? [] };
  }

  // ---------------------------------------------------------------- the outside market trades

  /**
   * The outside market wants to trade `print`. Resting simulator orders priced through it fill first, at
   * their own price, as far as the print's volume reaches (an order at exactly the print's price gets a
   * share of it: others queue there too). Returns the volume left to print at the print's price.
   * A print with infinite volume (an admin price move) fills everything at or through it.
   */
  matchPrint(print: Print): number {
    const now = this.now();
    const sellerHits = print.askBid === 'ASK';
    const forced = !Number.isFinite(print.volume);
    let left = forced ? Number.POSITIVE_INFINITY : print.volume;
    const book = (sellerHits ? this.bids : this.asks).get(print.market);
    if (!book || book.length === 0) return left;
    const p = new Dec(print.price);
    for (const o of book) {
      if (left <= 0) break;
      if (o.state !== 'wait') continue;
      const cmp = o.price!.cmp(p);
      const through = sellerHits ? cmp > 0 : cmp < 0;
      if (!through && cmp !== 0) break;
      const reach = forced || through ? left : left * this.atPriceShare;
      const v = Dec.min(o.remainingVolume!, forced ? o.remainingVolume! : new Dec(reach.toFixed(8)));
      if (v.lte(0)) continue;
      this.fill(o, o.price!, v, true, print.askBid, now);
      this.hooks.trade(print.market, o.price!.toNumber(), v.toNumber(), print.askBid, now);
      if (!forced) left = Number((left - v.toNumber()).toFixed(8));
    }
    this.pruneResting(print.market);
    return left;
  }

  // ---------------------------------------------------------------- lookups

  findOrder(acc: Account, uuid?: string, identifier?: string): SimOrder | undefined {
    if (uuid) return acc.orders.get(uuid);
    if (identifier !== undefined) return acc.byIdentifier.get(identifier);
    return undefined;
  }
}

export function isUpbitError(e: unknown): e is UpbitError {
  return e instanceof UpbitError;
}
