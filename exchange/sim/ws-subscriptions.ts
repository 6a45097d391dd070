// The simulator's WebSocket requests: `[{ticket}, {type...}..., {format}]` or LIST_SUBSCRIPTIONS, checked
// as Upbit checks them; a new request replaces the connection's subscriptions and sends the snapshots
// asked for. The index says which connections want a type of a market.
import type { QuotationContext } from './quotation';
import { type Conn, errorFrame, type Subscription, sendFrame } from './ws-connection';
import {
  CANDLE_TYPES,
  candleFrame,
  latestCandle,
  orderbookFrame,
  type StreamType,
  tickerFrame,
  tradeFrame,
} from './ws-frames';

const PUBLIC_TYPES = new Set(['ticker', 'trade', 'orderbook', ...Object.keys(CANDLE_TYPES)]);
const PRIVATE_TYPES = new Set(['myOrder', 'myAsset']);
const ORDERBOOK_DEPTHS = [1, 5, 15, 30];

export const depthOf = (raw: string | undefined) => {
  const n = Number(raw);
  return ORDERBOOK_DEPTHS.includes(n) ? n : 30;
};

/** type|market -> the connections that want it. */
export class SubscriptionIndex {
  private readonly byKey = new Map<string, Set<Conn>>();

  add(conn: Conn) {
    for (const key of conn.wanted.keys()) {
      let set = this.byKey.get(key);
      if (!set) {
        set = new Set();
        this.byKey.set(key, set);
      }
      set.add(conn);
    }
  }

  remove(conn: Conn) {
    for (const key of conn.wanted.keys()) this.byKey.get(key)?.delete(conn);
  }

  /** Connections wanting `type|market` (a key as `wanted` holds it). */
  get(key: string): Set<Conn> | undefined {
    return this.byKey.get(key);
  }

  subscribers(type: string, market: string): Set<Conn> | undefined {
    return this.byKey.get(`${type}|${market}`);
  }
}

function snapshot(qctx: QuotationContext, conn: Conn, sub: Subscription) {
  const now = qctx.now();
  for (const raw of sub.codes) {
    const [code, depthRaw] = raw.split('.');
    const m = qctx.markets.get(code);
    if (!m) continue;
    const st: StreamType = 'SNAPSHOT';
    if (sub.type === 'ticker') sendFrame(conn, tickerFrame(qctx, m, st), 'ticker');
    else if (sub.type === 'trade' && m.lastTrade) sendFrame(conn, tradeFrame(m, m.lastTrade, st, now), 'trade');
    else if (sub.type === 'orderbook') sendFrame(conn, orderbookFrame(qctx, m, depthOf(depthRaw), st), 'orderbook');
    else if (CANDLE_TYPES[sub.type]) {
      const c = latestCandle(m, CANDLE_TYPES[sub.type], now);
      if (c) sendFrame(conn, candleFrame(sub.type, m, c, st), 'candle');
    }
  }
}

/** The subscriptions a request's type items ask for, or the error frame that refuses the request. */
function parseSubscriptions(
  conn: Conn,
  typeItems: Array<Record<string, unknown>>,
): Subscription[] | { refuse: ReturnType<typeof errorFrame> } {
  const subs: Subscription[] = [];
  for (const t of typeItems) {
    const type = t.type;
    if (typeof type !== 'string' || (!PUBLIC_TYPES.has(type) && !PRIVATE_TYPES.has(type)))
      return { refuse: errorFrame('WRONG_FORMAT', `Unknown type ${String(type)}.`) };
    if (PRIVATE_TYPES.has(type) && !conn.accessKey)
      return { refuse: errorFrame('INVALID_AUTH', 'myOrder and myAsset need the private endpoint and a token.') };
    const codes = t.codes;
    if (type === 'myAsset' && codes !== undefined)
      return { refuse: errorFrame('WRONG_FORMAT', 'myAsset takes no codes.') };
    if (codes !== undefined && (!Array.isArray(codes) || codes.some((c) => typeof c !== 'string')))
      return { refuse: errorFrame('WRONG_FORMAT', 'codes must be an array of strings.') };
    const list = (codes ?? []) as string[];
    if (PUBLIC_TYPES.has(type) && list.length === 0) return { refuse: errorFrame('NO_CODES', 'codes are required.') };
    if (list.some((c) => c !== c.toUpperCase()))
      return { refuse: errorFrame('INVALID_PARAM', 'codes must be upper case.') };
    const flag = (a: string, b: string) => t[a] === true || t[b] === true;
    subs.push({
      type,
      codes: list,
      level: typeof t.level === 'number' ? t.level : undefined,
      onlySnapshot: flag('is_only_snapshot', 'isOnlySnapshot'),
      onlyRealtime: flag('is_only_realtime', 'isOnlyRealtime'),
    });
  }
  return subs;
}

/** Handles one request message of a connection. */
export function handleRequest(qctx: QuotationContext, index: SubscriptionIndex, conn: Conn, text: string) {
  let req: unknown;
  try {
    req = JSON.parse(text);
  } catch {
    sendFrame(conn, errorFrame('WRONG_FORMAT', 'Invalid JSON request.'), 'error');
    return;
  }
  if (!Array.isArray(req) || req.some((x) => !x || typeof x !== 'object' || Array.isArray(x))) {
    sendFrame(conn, errorFrame('WRONG_FORMAT', 'The request must be a JSON array of objects.'), 'error');
    return;
  }
  const items = req as Array<Record<string, unknown>>;
  const ticketItem = items.find((x) => 'ticket' in x);
  if (!ticketItem || typeof ticketItem.ticket !== 'string' || !ticketItem.ticket) {
    sendFrame(conn, errorFrame('NO_TICKET', 'A ticket is required.'), 'error');
    return;
  }
  const formatItem = items.find((x) => 'format' in x);
  if (formatItem) {
    const f = formatItem.format;
    if (f !== 'DEFAULT' && f !== 'SIMPLE' && f !== 'JSON_LIST' && f !== 'SIMPLE_LIST') {
      sendFrame(conn, errorFrame('WRONG_FORMAT', `Unknown format ${String(f)}.`), 'error');
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
    sendFrame(conn, { method: 'LIST_SUBSCRIPTIONS', result, ticket: ticketItem.ticket }, 'list');
    return;
  }
  const typeItems = items.filter((x) => 'type' in x);
  if (typeItems.length === 0) {
    sendFrame(conn, errorFrame('NO_TYPE', 'A type is required.'), 'error');
    return;
  }
  const subs = parseSubscriptions(conn, typeItems);
  if ('refuse' in subs) {
    sendFrame(conn, subs.refuse, 'error');
    return;
  }
  // A new request replaces the connection's subscriptions.
  index.remove(conn);
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
    if (!s.onlyRealtime) snapshot(qctx, conn, s);
    if (s.onlySnapshot) continue;
    for (const raw of s.codes) {
      const [code, depthRaw] = raw.split('.');
      conn.wanted.set(`${s.type}|${code}`, s.type === 'orderbook' ? depthOf(depthRaw) : 0);
    }
  }
  index.add(conn);
}
