import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { Balance, SimKey } from './accounts';
import { authenticate, type NonceBook } from './auth';
import type { Engine } from './engine';
import { UpbitError } from './errors';
import type { MarketState, MarketTrade } from './market-state';
import type { SimFill, SimOrder } from './orders';
import type { RateLimiter } from './rate-limit';
import {
  CANDLE_TYPES,
  candleFrame,
  type Frame,
  latestCandle,
  myAssetFrame,
  myOrderFrame,
  orderbookFrame,
  type StreamType,
  tickerFrame,
  toSimple,
  tradeFrame,
} from './ws-frames';

export interface WebSocketContext {
  markets: Map<string, MarketState>;
  engine: Engine;
  now(): number;
  limiter: RateLimiter;
  findKey(accessKey: string): SimKey | undefined;
  nonces: NonceBook;
  /** Outage fault: while true, new connections are cut before the handshake. */
  refuseConnections?(): boolean;
}

/** What the rest of the simulator pushes into the streams. */
export interface WebSocketHub {
  trade(m: MarketState, t: MarketTrade): void;
  myOrder(o: SimOrder, f: SimFill | null): void;
  myAsset(accessKey: string, rows: Balance[]): void;
  marketChanged(m: MarketState): void;
  afterTick(now: number): void;
  /** Drops every connection abruptly (fault injection); returns how many. */
  dropAll(): number;
  /** Drops each connection with probability `share`. */
  dropShare(share: number): number;
  connections(): number;
  close(): void;
}

type Format = 'DEFAULT' | 'SIMPLE' | 'JSON_LIST' | 'SIMPLE_LIST';
const PUBLIC_TYPES = new Set(['ticker', 'trade', 'orderbook', ...Object.keys(CANDLE_TYPES)]);
const PRIVATE_TYPES = new Set(['myOrder', 'myAsset']);
const ORDERBOOK_DEPTHS = [1, 5, 15, 30];
const IDLE_MS = 120_000;
const UP_EVERY_MS = 10_000;

interface Subscription {
  type: string;
  /** Codes as asked (orderbook codes may carry `.depth`). */
  codes: string[];
  level?: number;
  onlySnapshot: boolean;
  onlyRealtime: boolean;
}

interface Conn {
  socket: WebSocket;
  accessKey: string | null;
  format: Format;
  subs: Subscription[];
  /** type|market -> orderbook depth (or 0). */
  wanted: Map<string, number>;
  myOrderAll: boolean;
  myOrderCodes: Set<string>;
  myAsset: boolean;
  idle: NodeJS.Timeout;
  up?: NodeJS.Timeout;
  messageTimes: number[];
}

function errorFrame(name: string, message: string): Frame {
  return { error: { name, message } };
}

/**
 * Upbit's WebSocket: `/websocket/v1` (ticker, trade, orderbook, candle.*) and `/websocket/v1/private`
 * (myOrder, myAsset; JWT in the upgrade's Authorization header). Frames go out as binary UTF-8 JSON.
 */
export function attachWebSockets(server: Server, ctx: WebSocketContext): WebSocketHub {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: { threshold: 1024 } });
  const conns = new Set<Conn>();
  /** type|market -> connections wanting it. */
  const index = new Map<string, Set<Conn>>();
  /** candle type|market -> bucket change not yet pushed. */
  const dirtyCandles = new Map<string, number>();
  const lastCandlePush = new Map<string, number>();

  const qctx = { markets: ctx.markets, engine: ctx.engine, now: ctx.now };

  const encode = (conn: Conn, frame: Frame, family: string): Buffer => {
    const simple = conn.format === 'SIMPLE' || conn.format === 'SIMPLE_LIST';
    const body = simple ? toSimple(frame, family) : frame;
    const list = conn.format === 'JSON_LIST' || conn.format === 'SIMPLE_LIST';
    return Buffer.from(JSON.stringify(list ? [body] : body));
  };

  const send = (conn: Conn, frame: Frame, family: string) => {
    if (conn.socket.readyState !== WebSocket.OPEN) return;
    conn.socket.send(encode(conn, frame, family), { binary: true });
  };

  /** Sends one frame to many connections, encoding it once per format. */
  const broadcast = (targets: Iterable<Conn>, frame: Frame, family: string) => {
    const cache = new Map<Format, Buffer>();
    for (const c of targets) {
      if (c.socket.readyState !== WebSocket.OPEN) continue;
      let buf = cache.get(c.format);
      if (!buf) {
        buf = encode(c, frame, family);
        cache.set(c.format, buf);
      }
      c.socket.send(buf, { binary: true });
    }
  };

  const reindex = (conn: Conn, add: boolean) => {
    for (const key of conn.wanted.keys()) {
      let set = index.get(key);
      if (add) {
        if (!set) {
          set = new Set();
          index.set(key, set);
        }
        set.add(conn);
      } else set?.delete(conn);
    }
  };

  const snapshot = (conn: Conn, sub: Subscription) => {
    const now = ctx.now();
    for (const raw of sub.codes) {
      const [code, depthRaw] = raw.split('.');
      const m = ctx.markets.get(code);
      if (!m) continue;
      const st: StreamType = 'SNAPSHOT';
      if (sub.type === 'ticker') send(conn, tickerFrame(qctx, m, st), 'ticker');
      else if (sub.type === 'trade' && m.lastTrade) send(conn, tradeFrame(m, m.lastTrade, st, now), 'trade');
      else if (sub.type === 'orderbook') send(conn, orderbookFrame(qctx, m, depthOf(depthRaw), st), 'orderbook');
      else if (CANDLE_TYPES[sub.type]) {
        const c = latestCandle(m, CANDLE_TYPES[sub.type], now);
        if (c) send(conn, candleFrame(sub.type, m, c, st), 'candle');
      }
    }
  };

  const depthOf = (raw: string | undefined) => {
    const n = Number(raw);
    return ORDERBOOK_DEPTHS.includes(n) ? n : 30;
  };

  /** Handles one request message: `[{ticket}, {type...}..., {format}]` or LIST_SUBSCRIPTIONS. */
  const onRequest = (conn: Conn, text: string) => {
    let req: unknown;
    try {
      req = JSON.parse(text);
    } catch {
      send(conn, errorFrame('WRONG_FORMAT', 'Invalid JSON request.'), 'error');
      return;
    }
    if (!Array.isArray(req) || req.some((x) => !x || typeof x !== 'object' || Array.isArray(x))) {
      send(conn, errorFrame('WRONG_FORMAT', 'The request must be a JSON array of objects.'), 'error');
      return;
    }
    const items = req as Array<Record<string, unknown>>;
    const ticketItem = items.find((x) => 'ticket' in x);
    if (!ticketItem || typeof ticketItem.ticket !== 'string' || !ticketItem.ticket) {
      send(conn, errorFrame('NO_TICKET', 'A ticket is required.'), 'error');
      return;
    }
    const formatItem = items.find((x) => 'format' in x);
    if (formatItem) {
      const f = formatItem.format;
      if (f !== 'DEFAULT' && f !== 'SIMPLE' && f !== 'JSON_LIST' && f !== 'SIMPLE_LIST') {
        send(conn, errorFrame('WRONG_FORMAT', `Unknown format ${String(f)}.`), 'error');
        return;
      }
      conn.format = f;
    }
    if (items.some((x) => x.method === 'LIST_SUBSCRIPTIONS')) {
      const result = conn.subs.map((s) => ({
        type: s.type,
        ...(s.type !== 'myAsset' ? { codes: s.codes } : {}),
        ...(s.type === 'orderbook' ? { level: s.level ?? 0 } : {}),
      }));
      send(conn, { method: 'LIST_SUBSCRIPTIONS', result, ticket: ticketItem.ticket }, 'list');
      return;
    }
    const typeItems = items.filter((x) => 'type' in x);
    if (typeItems.length === 0) {
      send(conn, errorFrame('NO_TYPE', 'A type is required.'), 'error');
      return;
    }
    const subs: Subscription[] = [];
    for (const t of typeItems) {
      const type = t.type;
      if (typeof type !== 'string' || (!PUBLIC_TYPES.has(type) && !PRIVATE_TYPES.has(type))) {
        send(conn, errorFrame('WRONG_FORMAT', `Unknown type ${String(type)}.`), 'error');
        return;
      }
      if (PRIVATE_TYPES.has(type) && !conn.accessKey) {
        send(conn, errorFrame('INVALID_AUTH', 'myOrder and myAsset need the private endpoint and a token.'), 'error');
        return;
      }
      const codes = t.codes;
      if (type === 'myAsset' && codes !== undefined) {
        send(conn, errorFrame('WRONG_FORMAT', 'myAsset takes no codes.'), 'error');
        return;
      }
      if (codes !== undefined && (!Array.isArray(codes) || codes.some((c) => typeof c !== 'string'))) {
        send(conn, errorFrame('WRONG_FORMAT', 'codes must be an array of strings.'), 'error');
        return;
      }
      const list = (codes ?? []) as string[];
      if (PUBLIC_TYPES.has(type) && list.length === 0) {
        send(conn, errorFrame('NO_CODES', 'codes are required.'), 'error');
        return;
      }
      if (list.some((c) => c !== c.toUpperCase())) {
        send(conn, errorFrame('INVALID_PARAM', 'codes must be upper case.'), 'error');
        return;
      }
      const flag = (a: string, b: string) => t[a] === true || t[b] === true;
      subs.push({
        type,
        codes: list,
        level: typeof t.level === 'number' ? t.level : undefined,
        onlySnapshot: flag('is_only_snapshot', 'isOnlySnapshot'),
        onlyRealtime: flag('is_only_realtime', 'isOnlyRealtime'),
      });
    }
    // A new request replaces the connection's subscriptions.
    reindex(conn, false);
    conn.subs = subs;
    conn.wanted = new Map();
    conn.myOrderAll = false;
    conn.myOrderCodes = new Set();
    conn.myAsset = false;
    for (const s of subs) {
      if (s.type === 'myOrder') {
        if (s.codes.length === 0) conn.myOrderAll = true;
        for (const c of s.codes) conn.myOrderCodes.add(c);
        continue;
      }
      if (s.type === 'myAsset') {
        conn.myAsset = true;
        continue;
      }
      if (!s.onlyRealtime) snapshot(conn, s);
      if (s.onlySnapshot) continue;
      for (const raw of s.codes) {
        const [code, depthRaw] = raw.split('.');
        conn.wanted.set(`${s.type}|${code}`, s.type === 'orderbook' ? depthOf(depthRaw) : 0);
      }
    }
    reindex(conn, true);
  };

  const onMessage = (conn: Conn, data: RawData) => {
    resetIdle(conn);
    const text = (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).toString('utf8');
    if (text.trim() === 'PING') {
      send(conn, { status: 'UP' }, 'status');
      if (!conn.up) conn.up = setInterval(() => send(conn, { status: 'UP' }, 'status'), UP_EVERY_MS);
      return;
    }
    // websocket-message budget: 5 a second and 100 a minute per connection.
    const now = ctx.now();
    conn.messageTimes = conn.messageTimes.filter((t) => now - t < 60_000);
    const lastSecond = conn.messageTimes.filter((t) => now - t < 1000).length;
    if (lastSecond >= ctx.limiter.limitOf('websocket-message') || conn.messageTimes.length >= 100) {
      send(conn, errorFrame('Too Many Requests', 'Too many requests on this connection.'), 'error');
      conn.messageTimes.push(now);
      return;
    }
    conn.messageTimes.push(now);
    onRequest(conn, text);
  };

  const resetIdle = (conn: Conn) => {
    clearTimeout(conn.idle);
    conn.idle = setTimeout(() => conn.socket.close(1000, 'idle'), IDLE_MS);
    conn.idle.unref();
  };

  const drop = (conn: Conn) => {
    clearTimeout(conn.idle);
    if (conn.up) clearInterval(conn.up);
    reindex(conn, false);
    conns.delete(conn);
  };

  const refuse = (socket: Duplex, status: number, body: Frame | string) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const reason = status === 401 ? 'Unauthorized' : status === 429 ? 'Too Many Requests' : 'Not Found';
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (ctx.refuseConnections?.()) {
      socket.destroy();
      return;
    }
    const path = (req.url ?? '').split('?')[0];
    const isPrivate = path === '/websocket/v1/private';
    if (path !== '/websocket/v1' && !isPrivate) {
      refuse(socket, 404, errorFrame('WRONG_FORMAT', 'Unknown WebSocket endpoint.'));
      return;
    }
    let accessKey: string | null = null;
    if (isPrivate) {
      try {
        accessKey = authenticate(req.headers.authorization, null, ctx.findKey, ctx.nonces).accessKey;
      } catch (e) {
        refuse(socket, 401, errorFrame('INVALID_AUTH', e instanceof UpbitError ? e.message : 'Invalid token.'));
        return;
      }
    }
    const scope = accessKey ?? req.socket.remoteAddress ?? 'local';
    if (!ctx.limiter.take('websocket-connect', scope, ctx.now()).allowed) {
      refuse(socket, 429, errorFrame('Too Many Requests', 'Too many connection requests.'));
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: Conn = {
        socket: ws,
        accessKey,
        format: 'DEFAULT',
        subs: [],
        wanted: new Map(),
        myOrderAll: false,
        myOrderCodes: new Set(),
        myAsset: false,
        idle: setTimeout(() => {}, 0),
        messageTimes: [],
      };
      conns.add(conn);
      resetIdle(conn);
      ws.on('message', (data) => onMessage(conn, data));
      ws.on('pong', () => resetIdle(conn));
      ws.on('ping', () => resetIdle(conn));
      ws.on('close', () => drop(conn));
      ws.on('error', () => drop(conn));
    });
  };
  server.on('upgrade', onUpgrade);

  const subscribers = (type: string, market: string) => index.get(`${type}|${market}`);

  const pushOrderbook = (m: MarketState, st: StreamType) => {
    const subs = subscribers('orderbook', m.market);
    if (!subs || subs.size === 0) return;
    const byDepth = new Map<number, Conn[]>();
    for (const c of subs) {
      const d = c.wanted.get(`orderbook|${m.market}`) ?? 30;
      const list = byDepth.get(d) ?? [];
      list.push(c);
      byDepth.set(d, list);
    }
    for (const [depth, list] of byDepth) broadcast(list, orderbookFrame(qctx, m, depth, st), 'orderbook');
  };

  return {
    trade(m, t) {
      const now = ctx.now();
      const trades = subscribers('trade', m.market);
      if (trades?.size) broadcast(trades, tradeFrame(m, t, 'REALTIME', now), 'trade');
      const tickers = subscribers('ticker', m.market);
      if (tickers?.size) broadcast(tickers, tickerFrame(qctx, m, 'REALTIME'), 'ticker');
      for (const type of Object.keys(CANDLE_TYPES)) {
        const key = `${type}|${m.market}`;
        if (index.get(key)?.size) dirtyCandles.set(key, now);
      }
    },
    myOrder(o, f) {
      const now = ctx.now();
      for (const c of conns) {
        if (c.accessKey !== o.accessKey) continue;
        if (!c.myOrderAll && !c.myOrderCodes.has(o.market)) continue;
        send(c, myOrderFrame(o, f, now), 'myOrder');
        // A fill that ends the order is followed by the order's final state.
        if (f && o.state !== 'wait') send(c, myOrderFrame(o, null, now), 'myOrder');
      }
    },
    myAsset(accessKey, rows) {
      const now = ctx.now();
      let frame: Frame | null = null;
      for (const c of conns) {
        if (c.accessKey !== accessKey || !c.myAsset) continue;
        frame ??= myAssetFrame(randomUUID(), rows, now);
        send(c, frame, 'myAsset');
      }
    },
    marketChanged(m) {
      pushOrderbook(m, 'REALTIME');
    },
    afterTick(now) {
      for (const m of ctx.markets.values()) pushOrderbook(m, 'REALTIME');
      // Candles go out at most once a second per market and unit, only when a trade changed them.
      for (const [key, changedAt] of dirtyCandles) {
        if (now - (lastCandlePush.get(key) ?? 0) < 1000) continue;
        const [type, market] = key.split('|');
        const m = ctx.markets.get(market);
        const subs = index.get(key);
        dirtyCandles.delete(key);
        if (!m || !subs?.size) continue;
        const c = latestCandle(m, CANDLE_TYPES[type], now);
        if (!c) continue;
        lastCandlePush.set(key, now);
        broadcast(subs, candleFrame(type, m, c, 'REALTIME'), 'candle');
        void changedAt;
      }
    },
    dropAll() {
      const n = conns.size;
      for (const c of [...conns]) c.socket.terminate();
      return n;
    },
    dropShare(share) {
      let n = 0;
      for (const c of [...conns])
        if (Math.random() < share) {
          c.socket.terminate();
          n++;
        }
      return n;
    },
    connections: () => conns.size,
    close() {
      server.off('upgrade', onUpgrade);
      for (const c of [...conns]) {
        c.socket.terminate();
        drop(c);
      }
      wss.close();
    },
  };
}
