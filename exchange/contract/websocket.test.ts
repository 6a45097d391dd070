// WebSocket streams against the simulator: every public type in DEFAULT and SIMPLE format, the
// replace-on-resubscribe rule, text PING, private myOrder/myAsset with a partial fill, and a
// reconnect that resubscribes and runs the caller's resync.
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { floorVolume, roundToTick } from '../../core/market';
import type { UpbitClient } from '../upbit/client';
import {
  publicWsUrl,
  UpbitStream,
  UpbitWsError,
  type WsCandle,
  type WsMyOrder,
  type WsOrderbook,
  type WsTicker,
  type WsTrade,
} from '../upbit/websocket';
import { nextFrame, type SimHandle, startSim } from './simulator';

let sim: SimHandle;
let client: UpbitClient;

beforeAll(async () => {
  sim = await startSim();
  client = sim.client();
});
afterAll(async () => {
  await sim?.close();
});

function expectTicker(t: WsTicker): void {
  expect(t.type).toBe('ticker');
  expect(t.code).toBe('KRW-BTC');
  expect(t.trade_price).toBeGreaterThan(0);
  expect(['RISE', 'EVEN', 'FALL']).toContain(t.change);
  expect(t.trade_date).toMatch(/^\d{8}$/);
  expect(['SNAPSHOT', 'REALTIME']).toContain(t.stream_type);
}

function expectOrderbook(o: WsOrderbook): void {
  expect(o.type).toBe('orderbook');
  expect(o.orderbook_units.length).toBeGreaterThan(0);
  const top = o.orderbook_units[0];
  expect(top.ask_price).toBeGreaterThan(top.bid_price);
  expect(typeof o.total_ask_size).toBe('number');
}

for (const format of ['DEFAULT', 'SIMPLE'] as const) {
  describe(`public stream, ${format} format`, () => {
    it('ticker, orderbook (with depth), trade and candle frames arrive in DEFAULT field names', async () => {
      const stream = sim.stream({ format });
      const ticker = nextFrame(stream, 'ticker', () => true, 5000);
      const book = nextFrame(stream, 'orderbook', () => true, 5000);
      const trade = nextFrame(stream, 'trade', () => true, 10_000);
      const candle = nextFrame(stream, 'candle', (c) => c.type === 'candle.1s', 10_000);
      await stream.subscribe([
        { type: 'ticker', codes: ['KRW-BTC'] },
        { type: 'orderbook', codes: ['KRW-BTC.5'] },
        { type: 'trade', codes: ['KRW-BTC'] },
        { type: 'candle.1s', codes: ['KRW-BTC'] },
      ]);
      const t = await ticker;
      expectTicker(t);
      const o = await book;
      expectOrderbook(o);
      expect(o.orderbook_units).toHaveLength(5);
      const tr: WsTrade = await trade;
      expect(tr.code).toBe('KRW-BTC');
      expect(['ASK', 'BID']).toContain(tr.ask_bid);
      expect(tr.trade_volume).toBeGreaterThan(0);
      expect(typeof tr.sequential_id).toBe('number');
      const c: WsCandle = await candle;
      expect(c.candle_date_time_utc).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
      expect(c.high_price).toBeGreaterThanOrEqual(c.low_price);
      stream.close();
    });
  });
}

describe('SIMPLE frames really are abbreviated on the wire', () => {
  it('a raw connection asking for SIMPLE gets `ty`/`cd` keys, which the stream above expanded', async () => {
    const raw = new WebSocket(publicWsUrl(sim.wsUrl));
    await new Promise((resolve, reject) => raw.once('open', resolve).once('error', reject));
    const frame = new Promise<Record<string, unknown>>((resolve) =>
      raw.once('message', (data: Buffer) => resolve(JSON.parse(data.toString('utf8')))),
    );
    raw.send(JSON.stringify([{ ticket: 't' }, { type: 'ticker', codes: ['KRW-BTC'] }, { format: 'SIMPLE' }]));
    const f = await frame;
    raw.close();
    expect(f.ty).toBe('ticker');
    expect(f.cd).toBe('KRW-BTC');
    expect(f.type).toBeUndefined();
  });
});

describe('subscription rules', () => {
  it('a new request replaces the previous subscription', async () => {
    const stream = sim.stream();
    await stream.subscribe([{ type: 'trade', codes: ['KRW-BTC'] }]);
    await nextFrame(stream, 'trade', () => true, 10_000);
    await stream.subscribe([{ type: 'ticker', codes: ['KRW-ETH'] }]);
    // The replacement is in force once its first frame arrives.
    await nextFrame(stream, 'ticker', (t) => t.code === 'KRW-ETH', 5000);
    const trades: WsTrade[] = [];
    stream.on('trade', (t) => trades.push(t));
    await new Promise((r) => setTimeout(r, 2500));
    expect(trades).toEqual([]);
    stream.close();
  });

  it('rapid resubscriptions stay within the message budget and the newest one wins', async () => {
    const stream = sim.stream();
    const errors: Error[] = [];
    stream.on('error', (e) => errors.push(e));
    await stream.subscribe([{ type: 'ticker', codes: ['KRW-BTC'] }]);
    const codes = ['KRW-ETH', 'KRW-XRP', 'KRW-SOL', 'KRW-DOGE', 'KRW-ADA', 'KRW-ETH', 'KRW-XRP', 'KRW-BTC'];
    for (const code of codes) await stream.subscribe([{ type: 'trade', codes: [code] }]);
    // The last request (trades of KRW-BTC) goes out once the budget allows it, before the list request.
    expect(await stream.listSubscriptions()).toEqual([{ type: 'trade', codes: ['KRW-BTC'] }]);
    const trade = await nextFrame(stream, 'trade', (t) => t.code === 'KRW-BTC', 10_000);
    expect(trade.code).toBe('KRW-BTC');
    expect(errors).toEqual([]);
    stream.close();
  });

  it('LIST_SUBSCRIPTIONS reports the live subscription, in DEFAULT and SIMPLE format', async () => {
    for (const format of ['DEFAULT', 'SIMPLE'] as const) {
      const stream = sim.stream({ format });
      await stream.subscribe([
        { type: 'ticker', codes: ['KRW-BTC'] },
        { type: 'orderbook', codes: ['KRW-ETH'] },
      ]);
      const list = await stream.listSubscriptions();
      expect(list.map((x) => x.type).sort()).toEqual(['orderbook', 'ticker']);
      expect(list.find((x) => x.type === 'ticker')?.codes).toEqual(['KRW-BTC']);
      expect(list.find((x) => x.type === 'orderbook')?.level).toBe(0);
      stream.close();
    }
  });

  it('the async iterator yields frames until aborted', async () => {
    const stream = sim.stream();
    await stream.subscribe([{ type: 'ticker', codes: ['KRW-BTC', 'KRW-ETH'], is_only_snapshot: true }]);
    const abort = new AbortController();
    const codes: string[] = [];
    setTimeout(() => abort.abort(), 3000);
    for await (const t of stream.iterate('ticker', abort.signal)) {
      codes.push(t.code);
      if (codes.length === 2) abort.abort();
    }
    expect(codes.sort()).toEqual(['KRW-BTC', 'KRW-ETH']);
    stream.close();
  });

  it('a text PING is answered with status UP', async () => {
    const stream = sim.stream();
    await stream.subscribe([{ type: 'ticker', codes: ['KRW-BTC'] }]);
    const status = new Promise<string>((resolve) => stream.once('status', resolve));
    stream.sendTextPing();
    expect(await status).toBe('UP');
    stream.close();
  });
});

describe('a server that refuses requests the client thought within budget', () => {
  // Messages the client spaced out can reach the server bunched (a busy machine, the network), and the server
  // counts arrivals: it answers "Too Many Requests" and drops the request. A server allowing 3 a second (the
  // client paces at Upbit's 5) refuses some of a rapid series every time, as that bunching would.
  let strict: SimHandle;
  beforeAll(async () => {
    strict = await startSim({ rateLimitScale: 0.6 });
  });
  afterAll(async () => {
    await strict?.close();
  });

  it('resends what was refused: the newest subscription goes live and the list request is answered', async () => {
    const stream = strict.stream();
    const errors: Error[] = [];
    stream.on('error', (e) => errors.push(e));
    await stream.subscribe([{ type: 'ticker', codes: ['KRW-BTC'] }]);
    for (const code of ['KRW-ETH', 'KRW-XRP', 'KRW-SOL', 'KRW-DOGE', 'KRW-ADA', 'KRW-BTC'])
      await stream.subscribe([{ type: 'trade', codes: [code] }]);
    expect(await stream.listSubscriptions(15_000)).toEqual([{ type: 'trade', codes: ['KRW-BTC'] }]);
    const trade = await nextFrame(stream, 'trade', (t) => t.code === 'KRW-BTC', 10_000);
    expect(trade.code).toBe('KRW-BTC');
    // A refusal the client healed itself is not the caller's error.
    expect(errors).toEqual([]);
    stream.close();
  }, 40_000);
});

describe('private stream', () => {
  it('a partial fill shows as a `trade` event; every fill reaches the stream and adds up to what REST reports', async () => {
    // An account of its own, rich enough to take several book levels.
    const keys = { accessKey: `ws-partial-${Date.now()}`, secretKey: 'ws-partial-secret' };
    await sim.admin('/admin/keys', { ...keys, krw: '300000000' });
    const rich = sim.client({ keys });
    const stream = sim.stream({ keys });
    await stream.subscribe([{ type: 'myOrder', codes: ['KRW-BTC'] }, { type: 'myAsset' }]);
    // Placing the order must wait until the server has taken the subscription, or its first fill is missed.
    await stream.listSubscriptions();
    const frames: WsMyOrder[] = [];
    stream.on('myOrder', (o) => frames.push(o));

    const asset = nextFrame(stream, 'myAsset', (a) => a.assets.some((x) => x.currency === 'KRW'), 15_000);
    // A bid at the second ask level for three times what the first two levels hold: they are taken, the rest
    // rests (a partial fill). The market moves while the order travels; if it moved past the bid before it
    // arrived (nothing filled), the order is cancelled and placed again at the new book.
    let order: Awaited<ReturnType<typeof rich.createOrder>> | undefined;
    let trade: WsMyOrder | undefined;
    for (let attempt = 0; attempt < 3 && !trade; attempt++) {
      const [book] = await rich.orderbook(['KRW-BTC']);
      const [first, second] = book.orderbook_units;
      const volume = floorVolume(new Decimal(first.ask_size).plus(second.ask_size).mul(3)).toFixed();
      const placed = await rich.createOrder({
        market: 'KRW-BTC',
        side: 'bid',
        ord_type: 'limit',
        price: new Decimal(second.ask_price).toFixed(),
        volume,
      });
      order = placed;
      // From `frames` (collected since before the order was placed: its first fill may come before its reply).
      const firstFill = () => frames.find((o) => o.uuid === placed.uuid && o.state === 'trade');
      for (const until = Date.now() + 5000; !firstFill() && Date.now() < until; )
        await new Promise((r) => setTimeout(r, 20));
      trade = firstFill();
      if (!trade) await rich.cancelOrder({ uuid: placed.uuid }).catch(() => undefined);
    }
    if (!order || !trade) throw new Error('no bid filled in three attempts');
    const volume = order.volume as string;
    expect(trade.uuid).toBe(order.uuid);
    expect(trade.ask_bid).toBe('BID');
    expect(trade.executed_volume).toBeGreaterThan(0);
    expect(trade.executed_volume).toBeLessThan(Number(volume));
    expect(trade.remaining_volume).toBeGreaterThan(0);
    expect(typeof trade.trade_fee).toBe('number');
    expect(typeof trade.is_maker).toBe('boolean');
    expect((await asset).assets.find((a) => a.currency === 'KRW')?.locked).toBeGreaterThan(0);

    // The resting remainder keeps filling as the market trades through it; cancel it and compare.
    const final = nextFrame(
      stream,
      'myOrder',
      (o) => o.uuid === order.uuid && (o.state === 'cancel' || o.state === 'done'),
      5000,
    );
    await rich.cancelOrder({ uuid: order.uuid }).catch(() => undefined);
    const last = await final;
    const rest = await rich.getOrder({ uuid: order.uuid });
    expect(rest.state).toBe(last.state);
    const fills = frames.filter((o) => o.uuid === order.uuid && o.state === 'trade');
    expect(fills.length).toBe(rest.trades_count);
    const streamed = fills.reduce((sum, f) => sum.plus(String(f.volume)), new Decimal(0));
    expect(streamed.eq(rest.executed_volume)).toBe(true);
    expect(new Decimal(String(last.executed_volume)).eq(rest.executed_volume)).toBe(true);
    stream.close();
  });

  it('after a dropped connection it reconnects, resubscribes and resyncs, so a fill made meanwhile is seen', async () => {
    const seen = new Set<string>();
    let resyncs = 0;
    const stream = sim.stream({
      private: true,
      // The caller's resync: re-read recent orders over REST (the workflow also re-reads balances).
      resync: async () => {
        resyncs += 1;
        const closed = await client.closedOrders({ market: 'KRW-BTC', startTime: new Date(Date.now() - 60_000) });
        for (const o of closed) seen.add(o.uuid);
        await client.accounts();
      },
    });
    stream.on('myOrder', (o) => seen.add(o.uuid));
    await stream.subscribe([{ type: 'myOrder' }]);

    const reopened = new Promise<{ reconnect: boolean }>((resolve) => stream.once('open', resolve));
    const resynced = new Promise<void>((resolve) => stream.once('resynced', resolve));
    stream.dropConnection();
    // While the stream is down: a market buy that fills at once.
    const missed = await client.createOrder({ market: 'KRW-BTC', side: 'bid', ord_type: 'price', price: '10000' });
    expect((await reopened).reconnect).toBe(true);
    await resynced;
    expect(resyncs).toBe(1);
    expect(seen.has(missed.uuid)).toBe(true);

    // And the resubscribed stream carries new events.
    expect(await stream.listSubscriptions()).toEqual([expect.objectContaining({ type: 'myOrder' })]);
    const [book] = await client.orderbook(['KRW-BTC']);
    const price = roundToTick('KRW', new Decimal(book.orderbook_units[0].bid_price).mul('0.9'), 'bid');
    const identifier = `ws-after-${Date.now()}`;
    const live = nextFrame(stream, 'myOrder', (o) => o.identifier === identifier, 5000);
    const order = await client.createOrder({
      market: 'KRW-BTC',
      side: 'bid',
      ord_type: 'limit',
      price: price.toFixed(),
      volume: floorVolume(new Decimal(10_000).div(price)).toFixed(),
      identifier,
    });
    expect((await live).uuid).toBe(order.uuid);
    await client.cancelOrder({ uuid: order.uuid });
    stream.close();
  });

  it('a drop by the server side is also healed: reconnect, resubscribe, resync', async () => {
    let resyncs = 0;
    const stream = sim.stream({
      private: true,
      resync: async () => {
        resyncs += 1;
        await client.openOrders({ market: 'KRW-BTC' });
      },
    });
    await stream.subscribe([{ type: 'myOrder' }, { type: 'myAsset' }]);
    const resynced = new Promise<void>((resolve) => stream.once('resynced', resolve));
    const dropped = (await sim.admin('/admin/ws/drop', {})) as { dropped: number };
    expect(dropped.dropped).toBeGreaterThan(0);
    await resynced;
    expect(resyncs).toBe(1);
    const list = await stream.listSubscriptions();
    expect(list.map((x) => x.type).sort()).toEqual(['myAsset', 'myOrder']);
    stream.close();
  });

  it('keep-alive pings are answered, so a live connection is never taken for dead', async () => {
    // Six pings in three seconds, each to be answered before the next: an interval a loaded CI machine can keep
    // (at 100 ms a scheduling hiccup alone could make a pong late).
    const stream = sim.stream({ pingIntervalMs: 500 });
    let closes = 0;
    stream.on('close', () => {
      closes += 1;
    });
    await stream.subscribe([{ type: 'ticker', codes: ['KRW-BTC'] }]);
    await new Promise((r) => setTimeout(r, 3200));
    expect(closes).toBe(0);
    expect(stream.connected).toBe(true);
    stream.close();
  });

  it('bad keys are refused with a typed error and the stream stops instead of looping', async () => {
    const stream = new UpbitStream({
      url: sim.wsUrl,
      keys: async () => ({ accessKey: 'sim-access-key', secretKey: 'wrong' }),
      reconnectBaseMs: 50,
      reconnectMaxMs: 100,
    });
    let opens = 0;
    stream.on('open', () => {
      opens += 1;
    });
    const refused = new Promise<Error>((resolve) => stream.on('error', resolve));
    // Refused at the handshake (HTTP 401) or right after it (INVALID_AUTH frame): either way an UpbitWsError.
    await stream.subscribe([{ type: 'myOrder' }]).catch(() => undefined);
    const err = await refused;
    expect(err).toBeInstanceOf(UpbitWsError);
    expect([(err as UpbitWsError).upbitName, String((err as UpbitWsError).httpStatus)]).toEqual(
      expect.arrayContaining([expect.stringMatching(/INVALID_AUTH|jwt_verification|401/)]),
    );
    await new Promise((r) => setTimeout(r, 600));
    expect(stream.connected).toBe(false);
    expect(opens).toBeLessThanOrEqual(1);
    stream.close();
  });
});
