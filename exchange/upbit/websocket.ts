// Upbit WebSocket streams: public (ticker, trade, orderbook, candle.*) and private (myOrder, myAsset).
// One connection per stream object; it keeps itself alive (RFC 6455 pings), reconnects with backoff,
// resends its whole subscription (a new request replaces the previous one on Upbit), and, for the
// private stream, calls the caller's `resync` after every reconnect so a fill made while disconnected
// is picked up by a REST re-read. SIMPLE frames are expanded to DEFAULT field names, so listeners
// always see one shape.
import { randomUUID } from 'node:crypto';
import { EventEmitter, on } from 'node:events';
import WebSocket from 'ws';
import type { KeyProvider, UpbitLogger } from './client';
import { authorizationHeader } from './signing';

export type CandleType =
  | 'candle.1s'
  | 'candle.1m'
  | 'candle.3m'
  | 'candle.5m'
  | 'candle.10m'
  | 'candle.15m'
  | 'candle.30m'
  | 'candle.60m'
  | 'candle.240m';
export type PublicType = 'ticker' | 'trade' | 'orderbook' | CandleType;
export type PrivateType = 'myOrder' | 'myAsset';
export type StreamType = 'SNAPSHOT' | 'REALTIME';
export type WsFormat = 'DEFAULT' | 'SIMPLE';

/** One entry of a subscription request. `codes` are upper-case markets (`KRW-BTC`, `KRW-BTC.15` for depth). */
export interface Subscription {
  type: PublicType | PrivateType;
  codes?: string[];
  level?: number;
  is_only_snapshot?: boolean;
  is_only_realtime?: boolean;
}

interface FrameBase {
  type: string;
  code: string;
  timestamp: number;
  stream_type: StreamType;
}

export interface WsTicker extends FrameBase {
  opening_price: number;
  high_price: number;
  low_price: number;
  trade_price: number;
  prev_closing_price: number;
  change: 'RISE' | 'EVEN' | 'FALL';
  change_price: number;
  signed_change_price: number;
  change_rate: number;
  signed_change_rate: number;
  trade_volume: number;
  acc_trade_volume: number;
  acc_trade_volume_24h: number;
  acc_trade_price: number;
  acc_trade_price_24h: number;
  trade_date: string;
  trade_time: string;
  trade_timestamp: number;
  ask_bid: 'ASK' | 'BID';
  acc_ask_volume: number;
  acc_bid_volume: number;
  highest_52_week_price: number;
  highest_52_week_date: string;
  lowest_52_week_price: number;
  lowest_52_week_date: string;
  market_state: 'PREVIEW' | 'ACTIVE' | 'DELISTED';
  delisting_date?: string | null;
}

export interface WsTrade extends FrameBase {
  trade_price: number;
  trade_volume: number;
  ask_bid: 'ASK' | 'BID';
  prev_closing_price: number;
  change: 'RISE' | 'EVEN' | 'FALL';
  change_price: number;
  trade_date: string;
  trade_time: string;
  trade_timestamp: number;
  sequential_id: number;
  best_ask_price: number;
  best_ask_size: number;
  best_bid_price: number;
  best_bid_size: number;
}

export interface WsOrderbook extends FrameBase {
  total_ask_size: number;
  total_bid_size: number;
  orderbook_units: Array<{ ask_price: number; bid_price: number; ask_size: number; bid_size: number }>;
  level: number;
}

export interface WsCandle extends FrameBase {
  candle_date_time_utc: string;
  candle_date_time_kst: string;
  opening_price: number;
  high_price: number;
  low_price: number;
  trade_price: number;
  candle_acc_trade_volume: number;
  candle_acc_trade_price: number;
}

export interface WsMyOrder extends FrameBase {
  uuid: string;
  ask_bid: 'ASK' | 'BID';
  order_type: string;
  state: 'wait' | 'watch' | 'trade' | 'done' | 'cancel' | 'prevented';
  trade_uuid?: string | null;
  /** In state `trade`: the fill's price and volume. */
  price: number;
  avg_price?: number | null;
  volume: number;
  remaining_volume: number;
  executed_volume: number;
  trades_count: number;
  reserved_fee: number;
  remaining_fee: number;
  paid_fee: number;
  locked: number;
  executed_funds: number;
  time_in_force?: string | null;
  trade_fee?: number | null;
  is_maker?: boolean | null;
  identifier?: string | null;
  smp_type?: string | null;
  prevented_volume?: number;
  prevented_locked?: number;
  trade_timestamp?: number | null;
  order_timestamp: number;
}

export interface WsMyAsset extends Omit<FrameBase, 'code'> {
  asset_uuid: string;
  assets: Array<{ currency: string; balance: number; locked: number }>;
  asset_timestamp: number;
}

/** `{"error":{"name":"WRONG_FORMAT",...}}` sent by the server, or a handshake refusal. */
export class UpbitWsError extends Error {
  constructor(
    readonly upbitName: string,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(`${upbitName}: ${message}`);
    this.name = 'UpbitWsError';
  }
}

export type WsEvents = {
  ticker: [WsTicker];
  trade: [WsTrade];
  orderbook: [WsOrderbook];
  myOrder: [WsMyOrder];
  myAsset: [WsMyAsset];
  /** Every candle.* frame; `type` tells the interval. */
  candle: [WsCandle];
  /** Any data frame, after SIMPLE expansion. */
  message: [FrameBase & Record<string, unknown>];
  /** `{"status":"UP"}` replies to a text PING. */
  status: [string];
  /** Connected and subscription sent; `reconnect` is true from the second connection on. */
  open: [{ reconnect: boolean }];
  close: [{ code: number; reason: string }];
  /** The caller's resync finished after a reconnect. */
  resynced: [];
  error: [Error];
};

// --- SIMPLE -> DEFAULT field names (per type, since abbreviations collide: `ap` is ask_price or avg_price) ---
const COMMON: Record<string, string> = { ty: 'type', cd: 'code', mk: 'code', tms: 'timestamp', st: 'stream_type' };
const SIMPLE_KEYS: Record<string, Record<string, string>> = {
  ticker: {
    op: 'opening_price',
    hp: 'high_price',
    lp: 'low_price',
    tp: 'trade_price',
    pcp: 'prev_closing_price',
    c: 'change',
    cp: 'change_price',
    scp: 'signed_change_price',
    cr: 'change_rate',
    scr: 'signed_change_rate',
    tv: 'trade_volume',
    atv: 'acc_trade_volume',
    atv24h: 'acc_trade_volume_24h',
    atp: 'acc_trade_price',
    atp24h: 'acc_trade_price_24h',
    tdt: 'trade_date',
    ttm: 'trade_time',
    ttms: 'trade_timestamp',
    ab: 'ask_bid',
    aav: 'acc_ask_volume',
    abv: 'acc_bid_volume',
    h52wp: 'highest_52_week_price',
    h52wdt: 'highest_52_week_date',
    l52wp: 'lowest_52_week_price',
    l52wdt: 'lowest_52_week_date',
    ms: 'market_state',
    dd: 'delisting_date',
    its: 'is_trading_suspended',
    mw: 'market_warning',
  },
  trade: {
    tp: 'trade_price',
    tv: 'trade_volume',
    ab: 'ask_bid',
    pcp: 'prev_closing_price',
    c: 'change',
    cp: 'change_price',
    td: 'trade_date',
    ttm: 'trade_time',
    ttms: 'trade_timestamp',
    sid: 'sequential_id',
    bap: 'best_ask_price',
    bas: 'best_ask_size',
    bbp: 'best_bid_price',
    bbs: 'best_bid_size',
  },
  orderbook: { tas: 'total_ask_size', tbs: 'total_bid_size', obu: 'orderbook_units', lv: 'level' },
  orderbook_unit: { ap: 'ask_price', bp: 'bid_price', as: 'ask_size', bs: 'bid_size' },
  candle: {
    cdttmu: 'candle_date_time_utc',
    cdttmk: 'candle_date_time_kst',
    op: 'opening_price',
    hp: 'high_price',
    lp: 'low_price',
    tp: 'trade_price',
    catv: 'candle_acc_trade_volume',
    catp: 'candle_acc_trade_price',
  },
  myOrder: {
    uid: 'uuid',
    ab: 'ask_bid',
    ot: 'order_type',
    s: 'state',
    tuid: 'trade_uuid',
    p: 'price',
    ap: 'avg_price',
    v: 'volume',
    rv: 'remaining_volume',
    ev: 'executed_volume',
    tc: 'trades_count',
    rsf: 'reserved_fee',
    rmf: 'remaining_fee',
    pf: 'paid_fee',
    l: 'locked',
    ef: 'executed_funds',
    tif: 'time_in_force',
    tf: 'trade_fee',
    im: 'is_maker',
    id: 'identifier',
    smpt: 'smp_type',
    pv: 'prevented_volume',
    pl: 'prevented_locked',
    ttms: 'trade_timestamp',
    otms: 'order_timestamp',
  },
  myAsset: { astuid: 'asset_uuid', ast: 'assets', asttms: 'asset_timestamp' },
  myAsset_unit: { cu: 'currency', b: 'balance', l: 'locked' },
};

const LIST_KEYS: Record<string, string> = { ty: 'type', cds: 'codes', lv: 'level' };

function renameKeys(obj: Record<string, unknown>, map: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[map[k] ?? COMMON[k] ?? k] = v;
  return out;
}

/** A frame in DEFAULT field names, whichever format it came in. DEFAULT frames pass through unchanged. */
export function expandSimpleFrame(frame: Record<string, unknown>): Record<string, unknown> {
  if (!('ty' in frame)) return frame;
  const type = String(frame.ty);
  const family = type.startsWith('candle.') ? 'candle' : type;
  const out = renameKeys(frame, SIMPLE_KEYS[family] ?? {});
  if (family === 'orderbook' && Array.isArray(out.orderbook_units)) {
    out.orderbook_units = out.orderbook_units.map((u) =>
      renameKeys(u as Record<string, unknown>, SIMPLE_KEYS.orderbook_unit),
    );
  }
  if (family === 'myAsset' && Array.isArray(out.assets)) {
    out.assets = out.assets.map((a) => renameKeys(a as Record<string, unknown>, SIMPLE_KEYS.myAsset_unit));
  }
  return out;
}

/** The public endpoint for a WS base URL given with or without `/websocket/v1`. */
export function publicWsUrl(base: string): string {
  const url = base.replace(/\/+$/, '').replace(/\/private$/, '');
  return url.endsWith('/websocket/v1') ? url : `${url}/websocket/v1`;
}

export function privateWsUrl(base: string): string {
  return `${publicWsUrl(base)}/private`;
}

export interface UpbitStreamOptions {
  /** The WS base URL (`wss://<host>` or the simulator's `wsUrl`), with or without `/websocket/v1`. */
  url: string;
  /** Present for the private stream (myOrder, myAsset): a JWT goes into the upgrade's Authorization header. */
  keys?: KeyProvider;
  format?: WsFormat;
  /** RFC 6455 ping period; Upbit closes connections idle for 120 s. Default 30 s. */
  pingIntervalMs?: number;
  /** Reconnect backoff: first delay and cap, in ms (full jitter). Defaults 500 and 30 000. */
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /** Called after each reconnect, once the subscription is resent: re-read what may have been missed. */
  resync?: () => Promise<void>;
  logger?: UpbitLogger;
}

/** One Upbit WebSocket connection with its subscription, kept alive until `close()`. */
export class UpbitStream extends EventEmitter<WsEvents> {
  private readonly url: string;
  private readonly opts: UpbitStreamOptions;
  private subscriptions: Subscription[] = [];
  private socket?: WebSocket;
  private pingTimer?: NodeJS.Timeout;
  private reconnectTimer?: NodeJS.Timeout;
  private attempts = 0;
  private connections = 0;
  private closed = false;
  private awaitingPong = false;
  /** Send times of request messages on this connection (budget: 5 a second, 100 a minute). */
  private messageTimes: number[] = [];
  private subscribeTimer?: NodeJS.Timeout;
  /** Set while requests the server refused as too many wait to go out again. */
  private refusedTimer?: NodeJS.Timeout;
  /** LIST_SUBSCRIPTIONS requests awaiting their reply, by ticket. */
  private readonly pendingLists = new Map<
    string,
    (result: Array<{ type: string; codes?: string[]; level?: number }>) => void
  >();

  constructor(opts: UpbitStreamOptions) {
    super();
    this.opts = opts;
    this.url = opts.keys ? privateWsUrl(opts.url) : publicWsUrl(opts.url);
  }

  /** True while a connection is open. */
  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /**
   * Sets the whole subscription (Upbit replaces, never merges) and connects if needed.
   * Resolves once the request is sent on an open connection.
   */
  async subscribe(subscriptions: Subscription[]): Promise<void> {
    this.subscriptions = subscriptions.map((s) => ({ ...s }));
    if (this.closed) throw new Error('UpbitStream is closed');
    if (this.connected) {
      this.sendSubscription();
      return;
    }
    if (!this.socket) void this.connect();
    await new Promise<void>((resolve, reject) => {
      const onOpen = () => {
        this.off('error', onError);
        resolve();
      };
      // Only a refusal that ends the stream (bad keys) fails the call; anything else is retried.
      const onError = (err: Error) => {
        if (err instanceof UpbitWsError && (err.httpStatus === 401 || err.httpStatus === 403)) {
          this.off('open', onOpen);
          reject(err);
        }
      };
      this.once('open', onOpen);
      this.on('error', onError);
    });
  }

  /** Async iterator over one event type; ends when `signal` aborts, throws on an `error` event. */
  async *iterate<K extends 'ticker' | 'trade' | 'orderbook' | 'candle' | 'myOrder' | 'myAsset'>(
    type: K,
    signal?: AbortSignal,
  ): AsyncGenerator<WsEvents[K][0]> {
    try {
      for await (const [frame] of on(this as EventEmitter, type, { signal })) yield frame as WsEvents[K][0];
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err;
    }
  }

  /**
   * The server's view of this connection's subscriptions (LIST_SUBSCRIPTIONS). Its reply also proves
   * every earlier request was processed: await it after `subscribe` when the next step (placing an
   * order whose events must be seen) depends on the subscription being live.
   */
  async listSubscriptions(timeoutMs = 5000): Promise<Array<{ type: string; codes?: string[]; level?: number }>> {
    await this.budgetForNextMessage();
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) throw new Error('UpbitStream is not connected');
    const ticket = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingLists.delete(ticket);
        reject(new Error(`no LIST_SUBSCRIPTIONS reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pendingLists.set(ticket, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
      this.messageTimes.push(Date.now());
      socket.send(JSON.stringify([{ ticket }, { method: 'LIST_SUBSCRIPTIONS' }]));
    });
  }

  /** Sends the text `PING`; the server answers `{"status":"UP"}` (emitted as `status`). */
  sendTextPing(): void {
    this.socket?.send('PING');
  }

  /** Drops the connection as if the network failed; the stream reconnects by itself (used in tests and drills). */
  dropConnection(): void {
    this.socket?.terminate();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.subscribeTimer);
    clearTimeout(this.refusedTimer);
    clearInterval(this.pingTimer);
    this.socket?.close();
    this.socket = undefined;
  }

  private async connect(): Promise<void> {
    const headers: Record<string, string> = {};
    if (this.opts.keys) {
      try {
        headers.Authorization = authorizationHeader(await this.opts.keys());
      } catch (err) {
        this.fail(err as Error);
        this.scheduleReconnect();
        return;
      }
    }
    if (this.closed) return;
    const socket = new WebSocket(this.url, { headers, perMessageDeflate: true });
    this.socket = socket;
    socket.binaryType = 'nodebuffer';

    socket.on('open', () => {
      this.attempts = 0;
      this.messageTimes = [];
      this.connections += 1;
      const reconnect = this.connections > 1;
      this.startPing(socket);
      this.sendSubscription();
      this.emit('open', { reconnect });
      if (reconnect && this.opts.resync) {
        this.opts.resync().then(
          () => this.emit('resynced'),
          (err: Error) => this.fail(new Error(`resync after reconnect failed: ${err.message}`, { cause: err })),
        );
      }
    });
    socket.on('message', (data: WebSocket.RawData) => this.handleFrame(data));
    socket.on('pong', () => {
      this.awaitingPong = false;
    });
    socket.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      res.on('end', () => {
        const name = (() => {
          try {
            return String(JSON.parse(body)?.error?.name ?? `HTTP ${status}`);
          } catch {
            return `HTTP ${status}`;
          }
        })();
        this.fail(new UpbitWsError(name, `handshake refused for ${this.url}: ${body.slice(0, 200)}`, status));
        // Bad keys will not get better by retrying; anything else (429, 5xx) is retried with backoff.
        if (status === 401 || status === 403) this.close();
        else this.scheduleReconnect();
      });
      socket.terminate();
    });
    socket.on('error', (err) => {
      if (this.socket === socket) this.logger?.warn({ err: err.message, url: this.url }, 'upbit ws: socket error');
    });
    socket.on('close', (code, reason) => {
      clearInterval(this.pingTimer);
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.emit('close', { code, reason: reason.toString('utf8') });
      this.scheduleReconnect();
    });
  }

  private get logger(): UpbitLogger | undefined {
    return this.opts.logger;
  }

  private fail(err: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
    else this.logger?.warn({ err: err.message, url: this.url }, 'upbit ws: error');
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer !== undefined) return;
    const base = this.opts.reconnectBaseMs ?? 500;
    const max = this.opts.reconnectMaxMs ?? 30_000;
    const delay = Math.random() * Math.min(max, base * 2 ** this.attempts);
    this.attempts += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.closed) void this.connect();
    }, delay);
  }

  private startPing(socket: WebSocket): void {
    clearInterval(this.pingTimer);
    this.awaitingPong = false;
    this.pingTimer = setInterval(() => {
      // No pong since the last ping: the connection is dead without having said so.
      if (this.awaitingPong) {
        this.logger?.warn({ url: this.url }, 'upbit ws: no pong, reconnecting');
        socket.terminate();
        return;
      }
      this.awaitingPong = true;
      socket.ping();
    }, this.opts.pingIntervalMs ?? 30_000);
  }

  /** Milliseconds until one more request message fits Upbit's budget (5 a second, 100 a minute per connection). */
  private messageWait(now: number): number {
    this.messageTimes = this.messageTimes.filter((t) => now - t < 60_000);
    const lastSecond = this.messageTimes.filter((t) => now - t < 1000);
    if (lastSecond.length >= 5) return lastSecond[lastSecond.length - 5] + 1000 - now;
    if (this.messageTimes.length >= 100) return this.messageTimes[this.messageTimes.length - 100] + 60_000 - now;
    return 0;
  }

  /** Resolves when one more request message fits the budget; a subscription still waiting for it goes first. */
  private async budgetForNextMessage(): Promise<void> {
    for (;;) {
      const wait = this.messageWait(Date.now());
      if (wait <= 0 && !this.subscribeTimer) return;
      await new Promise((r) => setTimeout(r, Math.max(wait, 0) + 20));
    }
  }

  /** After a refusal, a pause past the server's one-second window, then everything that may have been dropped. */
  private resendRefused(): void {
    if (this.refusedTimer) return;
    this.refusedTimer = setTimeout(() => {
      this.refusedTimer = undefined;
      this.sendSubscription();
      void this.resendLists();
    }, 1000);
  }

  private async resendLists(): Promise<void> {
    for (const ticket of [...this.pendingLists.keys()]) {
      await this.budgetForNextMessage();
      const socket = this.socket;
      if (!this.pendingLists.has(ticket) || !socket || socket.readyState !== WebSocket.OPEN) continue;
      this.messageTimes.push(Date.now());
      socket.send(JSON.stringify([{ ticket }, { method: 'LIST_SUBSCRIPTIONS' }]));
    }
  }

  /**
   * Sends the current subscription within the message budget. Over budget it waits; since each request
   * replaces the last, only the newest is sent then.
   */
  private sendSubscription(): void {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN || this.subscriptions.length === 0) return;
    const now = Date.now();
    const wait = this.messageWait(now);
    if (wait > 0) {
      if (!this.subscribeTimer) {
        this.subscribeTimer = setTimeout(() => {
          this.subscribeTimer = undefined;
          this.sendSubscription();
        }, wait + 20);
      }
      return;
    }
    this.messageTimes.push(now);
    const request = [{ ticket: randomUUID() }, ...this.subscriptions, { format: this.opts.format ?? 'DEFAULT' }];
    this.socket.send(JSON.stringify(request));
  }

  private handleFrame(data: WebSocket.RawData): void {
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Buffer.from(data).toString('utf8');
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.logger?.warn({ frame: text.slice(0, 200) }, 'upbit ws: frame is not JSON');
      return;
    }
    if (parsed.status !== undefined) {
      this.emit('status', String(parsed.status));
      return;
    }
    const method = parsed.method ?? parsed.mthd;
    if (method === 'LIST_SUBSCRIPTIONS') {
      const ticket = String(parsed.ticket ?? parsed.tckt);
      const rows = (parsed.result ?? parsed.rslt ?? []) as Array<Record<string, unknown>>;
      const result = rows.map((r) => renameKeys(r, LIST_KEYS) as { type: string; codes?: string[]; level?: number });
      this.pendingLists.get(ticket)?.(result);
      this.pendingLists.delete(ticket);
      return;
    }
    const error = parsed.error as { name?: unknown; message?: unknown } | undefined;
    if (error?.name === 'Too Many Requests') {
      // The server counts arrivals: requests paced here can reach it bunched (a busy machine, the network), and it
      // drops one without saying which. Resending heals it: the current subscription (a request replaces the
      // last, so sending it again changes nothing if it was not the one) and every list request still waiting.
      this.logger?.warn({ url: this.url }, 'upbit ws: a request was refused as too many; resending within the budget');
      this.resendRefused();
      return;
    }
    if (error) {
      this.fail(new UpbitWsError(String(error.name), String(error.message ?? '')));
      // Bad keys will not get better by reconnecting.
      if (error.name === 'INVALID_AUTH') this.close();
      return;
    }
    const frame = expandSimpleFrame(parsed) as FrameBase & Record<string, unknown>;
    if (typeof frame.type !== 'string') return;
    this.emit('message', frame);
    const type = frame.type;
    if (type.startsWith('candle.')) this.emit('candle', frame as unknown as WsCandle);
    else if (type === 'ticker') this.emit('ticker', frame as unknown as WsTicker);
    else if (type === 'trade') this.emit('trade', frame as unknown as WsTrade);
    else if (type === 'orderbook') this.emit('orderbook', frame as unknown as WsOrderbook);
    else if (type === 'myOrder') this.emit('myOrder', frame as unknown as WsMyOrder);
    else if (type === 'myAsset') this.emit('myAsset', frame as unknown as WsMyAsset);
  }
}
