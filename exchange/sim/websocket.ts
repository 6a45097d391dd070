// The simulator's WebSocket endpoints: connections (upgrade, auth, connect and message budgets, PING,
// idle close, drops). Requests and subscriptions: ws-subscriptions.ts; public fan-out: ws-fanout.ts;
// the private stream: ws-private.ts; frames: ws-frames.ts.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocketServer } from 'ws';
import type { Balance, SimKey } from './accounts';
import type { NonceBook } from './auth';
import type { Engine } from './engine';
import { UpbitError } from './errors';
import type { MarketState, MarketTrade } from './market-state';
import type { SimFill, SimOrder } from './orders';
import type { RateLimiter } from './rate-limit';
import { type Conn, errorFrame, newConn, sendFrame } from './ws-connection';
import { MarketFanout } from './ws-fanout';
import type { Frame } from './ws-frames';
import { PRIVATE_PATH, privateAccessKey, pushMyAsset, pushMyOrder } from './ws-private';
import { handleRequest, SubscriptionIndex } from './ws-subscriptions';

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

const IDLE_MS = 120_000;
const UP_EVERY_MS = 10_000;

/** Refuses an upgrade with a plain HTTP reply. */
function refuse(socket: Duplex, status: number, body: Frame | string) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const reason = status === 401 ? 'Unauthorized' : status === 429 ? 'Too Many Requests' : 'Not Found';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}

/**
 * Upbit's WebSocket: `/websocket/v1` (ticker, trade, orderbook, candle.*) and `/websocket/v1/private`
 * (myOrder, myAsset; JWT in the upgrade's Authorization header). Frames go out as binary UTF-8 JSON.
 */
export function attachWebSockets(server: Server, ctx: WebSocketContext): WebSocketHub {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: { threshold: 1024 } });
  const conns = new Set<Conn>();
  const qctx = { markets: ctx.markets, engine: ctx.engine, now: ctx.now };
  const index = new SubscriptionIndex();
  const fanout = new MarketFanout(qctx, index);

  const onMessage = (conn: Conn, data: RawData) => {
    resetIdle(conn);
    const text = (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).toString('utf8');
    if (text.trim() === 'PING') {
      sendFrame(conn, { status: 'UP' }, 'status');
      if (!conn.up) conn.up = setInterval(() => sendFrame(conn, { status: 'UP' }, 'status'), UP_EVERY_MS);
      return;
    }
    // websocket-message budget: 5 a second and 100 a minute per connection.
    const now = ctx.now();
    conn.messageTimes = conn.messageTimes.filter((t) => now - t < 60_000);
    const lastSecond = conn.messageTimes.filter((t) => now - t < 1000).length;
    if (lastSecond >= ctx.limiter.limitOf('websocket-message') || conn.messageTimes.length >= 100) {
      sendFrame(conn, errorFrame('Too Many Requests', 'Too many requests on this connection.'), 'error');
      conn.messageTimes.push(now);
      return;
    }
    conn.messageTimes.push(now);
    handleRequest(qctx, index, conn, text);
  };

  const resetIdle = (conn: Conn) => {
    clearTimeout(conn.idle);
    conn.idle = setTimeout(() => conn.socket.close(1000, 'idle'), IDLE_MS);
    conn.idle.unref();
  };

  const drop = (conn: Conn) => {
    clearTimeout(conn.idle);
    if (conn.up) clearInterval(conn.up);
    index.remove(conn);
    conns.delete(conn);
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (ctx.refuseConnections?.()) {
      socket.destroy();
      return;
    }
    const path = (req.url ?? '').split('?')[0];
    const isPrivate = path === PRIVATE_PATH;
    if (path !== '/websocket/v1' && !isPrivate) {
      refuse(socket, 404, errorFrame('WRONG_FORMAT', 'Unknown WebSocket endpoint.'));
      return;
    }
    let accessKey: string | null = null;
    if (isPrivate) {
      try {
        accessKey = privateAccessKey(req, ctx.findKey, ctx.nonces);
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
      const conn = newConn(ws, accessKey);
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

  return {
    trade: (m, t) => fanout.trade(m, t),
    myOrder: (o, f) => pushMyOrder(conns, o, f, ctx.now()),
    myAsset: (accessKey, rows) => pushMyAsset(conns, accessKey, rows, ctx.now()),
    marketChanged: (m) => fanout.orderbook(m, 'REALTIME'),
    afterTick: (now) => fanout.afterTick(now),
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
