// The private stream (`/websocket/v1/private`): who may open it (a JWT in the upgrade's Authorization
// header, no query hash) and what it carries: myOrder to the order's key for its markets, myAsset to
// the key's subscribers.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Balance, SimKey } from './accounts';
import { authenticate, type NonceBook } from './auth';
import type { SimFill, SimOrder } from './orders';
import { type Conn, sendFrame } from './ws-connection';
import { type Frame, myAssetFrame, myOrderFrame } from './ws-frames';

export const PRIVATE_PATH = '/websocket/v1/private';

/** The access key of a private upgrade; throws (an UpbitError for a bad token) when it has none. */
export function privateAccessKey(
  req: IncomingMessage,
  findKey: (accessKey: string) => SimKey | undefined,
  nonces: NonceBook,
): string {
  return authenticate(req.headers.authorization, null, findKey, nonces).accessKey;
}

export function pushMyOrder(conns: Iterable<Conn>, o: SimOrder, f: SimFill | null, now: number) {
  for (const c of conns) {
    if (c.accessKey !== o.accessKey) continue;
    if (!c.myOrderAll && !c.myOrderCodes.has(o.market)) continue;
    sendFrame(c, myOrderFrame(o, f, now), 'myOrder');
    // A fill that ends the order is followed by the order's final state.
    if (f && o.state !== 'wait') sendFrame(c, myOrderFrame(o, null, now), 'myOrder');
  }
}

export function pushMyAsset(conns: Iterable<Conn>, accessKey: string, rows: Balance[], now: number) {
  let frame: Frame | null = null;
  for (const c of conns) {
    if (c.accessKey !== accessKey || !c.myAsset) continue;
    frame ??= myAssetFrame(randomUUID(), rows, now);
    sendFrame(c, frame, 'myAsset');
  }
}
