// One WebSocket connection of the simulator as the streams see it, and how frames reach connections:
// encoded in the connection's format (DEFAULT, SIMPLE, JSON_LIST, SIMPLE_LIST), sent as binary UTF-8 JSON.
import { WebSocket } from 'ws';
import { type Frame, toSimple } from './ws-frames';

export type Format = 'DEFAULT' | 'SIMPLE' | 'JSON_LIST' | 'SIMPLE_LIST';

export interface Subscription {
  type: string;
  /** Codes as asked (orderbook codes may carry `.depth`). */
  codes: string[];
  level?: number;
  onlySnapshot: boolean;
  onlyRealtime: boolean;
}

export interface Conn {
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

/** A new connection: no subscriptions yet; its idle timer is started by the caller. */
export function newConn(socket: WebSocket, accessKey: string | null): Conn {
  return {
    socket,
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
}

export function errorFrame(name: string, message: string): Frame {
  return { error: { name, message } };
}

function encode(conn: Conn, frame: Frame, family: string): Buffer {
  const simple = conn.format === 'SIMPLE' || conn.format === 'SIMPLE_LIST';
  const body = simple ? toSimple(frame, family) : frame;
  const list = conn.format === 'JSON_LIST' || conn.format === 'SIMPLE_LIST';
  return Buffer.from(JSON.stringify(list ? [body] : body));
}

export function sendFrame(conn: Conn, frame: Frame, family: string) {
  if (conn.socket.readyState !== WebSocket.OPEN) return;
  conn.socket.send(encode(conn, frame, family), { binary: true });
}

/** Sends one frame to many connections, encoding it once per format. */
export function broadcast(targets: Iterable<Conn>, frame: Frame, family: string) {
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
}
