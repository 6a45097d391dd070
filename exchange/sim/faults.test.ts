import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { faultsFromEnv, parseFaults } from './faults';
import { type Simulator, startSimulator } from './server';
import { specClient } from './spec-client';

let sim: Simulator;
const admin = (path: string, body?: unknown, method: 'POST' | 'DELETE' | 'GET' = 'POST') =>
  axios.request({ method, url: `${sim.baseUrl}${path}`, data: body, validateStatus: () => true });
const get = (path: string) => axios.get(`${sim.baseUrl}${path}`, { validateStatus: () => true });

beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    seed: 4,
    tickMs: 100,
    historyMinutes: 300,
    accounts: [{ accessKey: 'f-ak', secretKey: 'f-sk', krw: '500000' }],
  });
});
afterAll(async () => {
  await sim?.close();
});

describe('fault configuration', () => {
  it('rejects unknown faults and out-of-range shares', () => {
    expect(() => parseFaults({ latency: 5 })).toThrow(/unknown fault "latency"/);
    expect(() => parseFaults({ errorRate: 2 })).toThrow(/between 0 and 1/);
    expect(() => parseFaults({ latencyMs: -1 })).toThrow(/>= 0/);
    expect(parseFaults({ latencyMs: 5, stallFillsMs: 10 })).toEqual({ latencyMs: 5, stallFillsMs: 10 });
  });
});

describe('faults on demand', () => {
  it('adds latency, answers 5xx, and bursts 429s until cleared', async () => {
    expect((await admin('/admin/faults', { latencyMs: 250 })).status).toBe(200);
    const t0 = Date.now();
    expect((await get('/v1/market/all')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
    await admin('/admin/faults', undefined, 'DELETE');
    await admin('/admin/faults', { errorRate: 1 });
    expect((await get('/v1/ticker?markets=KRW-BTC')).status).toBe(500);
    await admin('/admin/faults', undefined, 'DELETE');
    expect((await get('/v1/ticker?markets=KRW-BTC')).status).toBe(200);
    await admin('/admin/faults', { burst429: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get('/v1/trades/ticks?market=KRW-BTC')).status);
    expect(statuses).toEqual([429, 429, 200]);
    expect((await admin('/admin/faults', undefined, 'GET')).data).toEqual({ burst429: 2 });
    await admin('/admin/faults', undefined, 'DELETE');
  });

  it('bans a group with 418 for the given seconds while other groups answer', async () => {
    await admin('/admin/faults', { ban418Seconds: 1 });
    const banned = await get('/v1/candles/days?market=KRW-BTC');
    expect(banned.status).toBe(418);
    expect((await get('/v1/candles/days?market=KRW-BTC')).status).toBe(418);
    expect((await get('/v1/ticker?markets=KRW-BTC')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await get('/v1/candles/days?market=KRW-BTC')).status).toBe(200);
  });

  it('stalls fills: an order is accepted but not matched until the stall is over', async () => {
    await admin('/admin/faults', { stallFillsMs: 700 });
    const api = specClient(sim.baseUrl, 'f-ak', 'f-sk');
    const r = await api.call('POST', '/v1/orders', {
      market: 'KRW-XRP',
      side: 'bid',
      ord_type: 'price',
      price: '20000',
    });
    expect(r.status).toBe(201);
    await new Promise((res) => setTimeout(res, 200));
    const early = await api.call('GET', '/v1/order', { uuid: r.data.uuid });
    expect(early.data.state).toBe('wait');
    expect(early.data.executed_volume).toBe('0');
    await new Promise((res) => setTimeout(res, 900));
    const late = await api.call('GET', '/v1/order', { uuid: r.data.uuid });
    expect(['done', 'cancel']).toContain(late.data.state);
    expect(Number(late.data.executed_volume)).toBeGreaterThan(0);
    await admin('/admin/faults', undefined, 'DELETE');
  });

  it('drops WebSocket connections at the configured share', async () => {
    const ws = new WebSocket(sim.wsUrl);
    await new Promise((r) => ws.once('open', r));
    const closed = new Promise<void>((r) => ws.once('close', () => r()));
    await admin('/admin/faults', { wsDropRate: 1 });
    await closed;
    await admin('/admin/faults', undefined, 'DELETE');
  });
});

describe('admin API', () => {
  it('adds a key pair with a starting balance, refusing duplicates and bad input', async () => {
    expect(
      (
        await admin('/admin/keys', {
          accessKey: 'new-ak',
          secretKey: 'new-sk',
          krw: '123456.5',
          holdings: { BTC: '0.01' },
        })
      ).status,
    ).toBe(200);
    const rows = await specClient(sim.baseUrl, 'new-ak', 'new-sk').balances();
    expect(rows.KRW.balance).toBe('123456.5');
    expect(rows.BTC.balance).toBe('0.01');
    expect((await admin('/admin/keys', { accessKey: 'new-ak', secretKey: 'x' })).status).toBe(400);
    expect((await admin('/admin/keys', { accessKey: 'other', secretKey: 'x', krw: '-5' })).status).toBe(400);
    expect((await admin('/admin/keys', { secretKey: 'x' })).status).toBe(400);
  });

  it('reads and sets a price; the market trades there', async () => {
    // Its own simulator whose clock does not tick during the test: with the shared one (a tick every
    // 100 ms) the price can move between the set and the read on a busy machine.
    const still = await startSimulator({ port: 0, seed: 4, tickMs: 3_600_000, historyMinutes: 60 });
    try {
      const call = (path: string, body?: unknown, method: 'POST' | 'GET' = 'POST') =>
        axios.request({ method, url: `${still.baseUrl}${path}`, data: body, validateStatus: () => true });
      const set = await call('/admin/price', { market: 'KRW-ETH', price: 4_123_456 });
      expect(set.data).toEqual({ market: 'KRW-ETH', price: 4_123_000 });
      const read = await call('/admin/price?market=KRW-ETH', undefined, 'GET');
      expect(read.data.price).toBe(4_123_000);
      expect(read.data.bid).toBe(4_123_000);
      expect((await call('/admin/price', { market: 'KRW-NOPE', price: 1 })).status).toBe(400);
      expect((await call('/admin/price', { market: 'KRW-ETH', price: 'abc' })).status).toBe(400);
    } finally {
      await still.close();
    }
  });
});

// ---------------------------------------------------------------- faults that make the simulator as unkind as Upbit

type Api = ReturnType<typeof specClient>;
let accountSeq = 0;
/** A fresh account (own rate budget, own orders) with the given holdings. */
async function account(krw = '10000000', holdings: Record<string, string> = {}): Promise<Api> {
  const accessKey = `fault-ak-${++accountSeq}`;
  const r = await admin('/admin/keys', { accessKey, secretKey: 'fault-sk', krw, holdings });
  expect(r.status).toBe(200);
  return specClient(sim.baseUrl, accessKey, 'fault-sk');
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const book = async (market: string) =>
  (await get(`/v1/orderbook?markets=${market}`)).data[0].orderbook_units as Array<{
    ask_price: number;
    bid_price: number;
    ask_size: number;
    bid_size: number;
  }>;
/** A limit bid resting well below the market (the 30th bid level's price, on the tick grid). */
async function restingBid(api: Api, market: string, identifier?: string) {
  const price = (await book(market))[29].bid_price;
  const volume = (Math.ceil((6000 / price) * 1e8) / 1e8).toFixed(8);
  const r = await api.call('POST', '/v1/orders', {
    market,
    side: 'bid',
    ord_type: 'limit',
    price: String(price),
    volume,
    ...(identifier ? { identifier } : {}),
  });
  expect(r.status).toBe(201);
  return { uuid: r.data.uuid as string, price, volume };
}
const clearFaults = () => admin('/admin/faults', undefined, 'DELETE');

describe('fault configuration: lists, modes and counts', () => {
  it('parses every kind and names the offending key in its error', () => {
    expect(
      parseFaults({
        cancelDelayMs: 500,
        lookupLagMs: 2000,
        marketOffline: ['KRW-BTC', 'KRW-BTC', 'KRW-ETH'],
        lostReplyRate: 0.25,
        loseNextReplies: 2,
        lostReplyMode: 'timeout',
        outageSeconds: 420,
        outageMode: 'reset',
      }),
    ).toEqual({
      cancelDelayMs: 500,
      lookupLagMs: 2000,
      marketOffline: ['KRW-BTC', 'KRW-ETH'],
      lostReplyRate: 0.25,
      loseNextReplies: 2,
      lostReplyMode: 'timeout',
      outageSeconds: 420,
      outageMode: 'reset',
    });
    expect(() => parseFaults({ marketOffline: 'KRW-BTC' })).toThrow(/"marketOffline" must be a list of market codes/);
    expect(() => parseFaults({ marketOffline: ['krw-btc'] })).toThrow(/"marketOffline"/);
    expect(() => parseFaults({ lostReplyMode: 'drop' })).toThrow(
      /"lostReplyMode" must be one of "500", "timeout", "reset"/,
    );
    expect(() => parseFaults({ outageMode: 500 })).toThrow(/"outageMode" must be one of/);
    expect(() => parseFaults({ loseNextReplies: 1.5 })).toThrow(/"loseNextReplies" must be a whole number/);
    expect(() => parseFaults({ lostReplyRate: 1.5 })).toThrow(/"lostReplyRate" is a share between 0 and 1/);
    expect(() => parseFaults({ cancelDelayMs: '500' })).toThrow(/"cancelDelayMs" must be a number >= 0/);
    expect(() => faultsFromEnv({ SIM_FAULTS: '{"outageSeconds": 5' })).toThrow(/SIM_FAULTS is not valid JSON/);
    expect(() => faultsFromEnv({ SIM_FAULTS: '{"outageMode":"x"}' })).toThrow(/^SIM_FAULTS: fault "outageMode"/);
    expect(faultsFromEnv({ SIM_FAULTS: '{"marketOffline":["KRW-XRP"],"lostReplyMode":"500"}' })).toEqual({
      marketOffline: ['KRW-XRP'],
      lostReplyMode: '500',
    });
  });

  it('the admin API refuses bad values and unknown markets with a clear 400, keeping what was set', async () => {
    await admin('/admin/faults', { cancelDelayMs: 100 });
    const bad = await admin('/admin/faults', { marketOffline: ['KRW-NOPE'] });
    expect(bad.status).toBe(400);
    expect(bad.data.error).toBe('fault "marketOffline": unknown market KRW-NOPE');
    expect((await admin('/admin/faults', { lostReplyMode: 'slow' })).status).toBe(400);
    expect((await admin('/admin/faults', undefined, 'GET')).data).toEqual({ cancelDelayMs: 100 });
    await admin('/admin/faults', { marketOffline: ['KRW-XRP'] });
    const removed = await admin('/admin/faults', { cancelDelayMs: null });
    expect(removed.data).toEqual({ marketOffline: ['KRW-XRP'] });
    await clearFaults();
  });
});

describe('cancelDelayMs', () => {
  it('acknowledges a cancel at once but applies it after the delay; a fill in between wins', async () => {
    const api = await account();
    // Fault off: the cancel is in effect as soon as it is acknowledged.
    const quick = await restingBid(api, 'KRW-XRP');
    expect((await api.call('DELETE', '/v1/order', { uuid: quick.uuid })).status).toBe(200);
    expect((await api.call('GET', '/v1/order', { uuid: quick.uuid })).data.state).toBe('cancel');

    await admin('/admin/faults', { cancelDelayMs: 800 });
    const slow = await restingBid(api, 'KRW-XRP');
    const ack = await api.call('DELETE', '/v1/order', { uuid: slow.uuid });
    expect(ack.status).toBe(200);
    expect(ack.data.state).toBe('wait');
    await sleep(300);
    const pending = await api.call('GET', '/v1/order', { uuid: slow.uuid });
    expect(pending.data.state).toBe('wait');
    expect(pending.data.locked).not.toBe('0');
    // Asking again while it is pending is acknowledged again and changes nothing.
    expect((await api.call('DELETE', '/v1/order', { uuid: slow.uuid })).data.state).toBe('wait');
    await sleep(700);
    const cancelled = await api.call('GET', '/v1/order', { uuid: slow.uuid });
    expect(cancelled.data.state).toBe('cancel');
    expect(cancelled.data.locked).toBe('0');

    // The race: the market reaches the bid while its cancel is pending; the order fills and stays filled.
    const raced = await restingBid(api, 'KRW-DOGE');
    expect((await api.call('DELETE', '/v1/order', { uuid: raced.uuid })).data.state).toBe('wait');
    await admin('/admin/price', { market: 'KRW-DOGE', price: raced.price });
    const filled = await api.call('GET', '/v1/order', { uuid: raced.uuid });
    expect(filled.data.state).toBe('done');
    expect(filled.data.executed_volume).toBe(raced.volume);
    await sleep(900);
    expect((await api.call('GET', '/v1/order', { uuid: raced.uuid })).data.state).toBe('done');
    expect((await api.balances()).DOGE.balance).toBe(raced.volume);
    await clearFaults();
  });

  it('delays batch cancels too', async () => {
    const api = await account();
    await admin('/admin/faults', { cancelDelayMs: 600 });
    const o = await restingBid(api, 'KRW-XRP');
    const r = await api.call('DELETE', '/v1/orders/uuids', `uuids[]=${o.uuid}`);
    expect(r.data.success.count).toBe(1);
    expect((await api.call('GET', '/v1/order', { uuid: o.uuid })).data.state).toBe('wait');
    await sleep(800);
    expect((await api.call('GET', '/v1/order', { uuid: o.uuid })).data.state).toBe('cancel');
    await clearFaults();
  });
});

describe('lookupLagMs', () => {
  it('hides a new order from every lookup for the lag, answering as Upbit does for an unknown order', async () => {
    const api = await account();
    // Fault off: visible at once.
    const seen = await restingBid(api, 'KRW-XRP', `lag-off-${Date.now()}`);
    expect((await api.call('GET', '/v1/order', { uuid: seen.uuid })).status).toBe(200);
    await sleep(900); // older than the lag about to be set, so it stays visible

    await admin('/admin/faults', { lookupLagMs: 800 });
    const identifier = `lag-on-${Date.now()}`;
    const hidden = await restingBid(api, 'KRW-XRP', identifier);
    const byId = await api.call('GET', '/v1/order', { identifier });
    expect(byId.status).toBe(404);
    expect(byId.data).toEqual({ error: { name: 'order_not_found', message: '주문을 찾지 못했습니다.' } });
    expect((await api.call('GET', '/v1/order', { uuid: hidden.uuid })).status).toBe(404);
    const open = await api.call('GET', '/v1/orders/open', { market: 'KRW-XRP' });
    expect(open.data.map((o: { uuid: string }) => o.uuid)).toEqual([seen.uuid]);
    expect((await api.call('GET', '/v1/orders/uuids', `identifiers[]=${identifier}`)).data).toEqual([]);
    // The money is locked all the same: balances are not lookups.
    expect(Number((await api.balances()).KRW.locked)).toBeGreaterThan(12_000);
    await sleep(900);
    expect((await api.call('GET', '/v1/order', { identifier })).data.uuid).toBe(hidden.uuid);
    const later = await api.call('GET', '/v1/orders/open', { market: 'KRW-XRP' });
    expect(later.data.map((o: { uuid: string }) => o.uuid).sort()).toEqual([seen.uuid, hidden.uuid].sort());
    await clearFaults();
  });
});

describe('market orders beyond the visible book (always on, as on Upbit)', () => {
  it('refuses a market sell deeper than the 30 bid levels and a market buy beyond the 30 ask levels', async () => {
    await admin('/admin/faults', { stallFillsMs: 60_000 }); // nothing of ours takes from the book meanwhile
    const units = await book('KRW-XRP');
    expect(units).toHaveLength(30);
    const bidVolume = units.reduce((s, u) => s + u.bid_size, 0);
    const askKrw = units.reduce((s, u) => s + u.ask_size * u.ask_price, 0);
    const api = await account('2000000000', { XRP: String(Math.ceil(bidVolume * 3)) });
    const sell = await api.call('POST', '/v1/orders', {
      market: 'KRW-XRP',
      side: 'ask',
      ord_type: 'market',
      volume: String(Math.ceil(bidVolume * 2)),
    });
    expect(sell.status).toBe(400);
    expect(sell.data.error.name).toBe('create_ask_error');
    const buy = await api.call('POST', '/v1/orders', {
      market: 'KRW-XRP',
      side: 'bid',
      ord_type: 'price',
      price: String(Math.ceil(askKrw * 2)),
    });
    expect(buy.status).toBe(400);
    expect(buy.data.error.name).toBe('create_bid_error');
    const test = await api.call('POST', '/v1/orders/test', {
      market: 'KRW-XRP',
      side: 'ask',
      ord_type: 'market',
      volume: String(Math.ceil(bidVolume * 2)),
    });
    expect(test.data.error.name).toBe('create_ask_error');
    // Nothing was locked by the refusals; orders within the book are taken.
    const rows = await api.balances();
    expect(rows.KRW.locked).toBe('0');
    expect(rows.XRP.locked).toBe('0');
    const within = await api.call('POST', '/v1/orders', {
      market: 'KRW-XRP',
      side: 'ask',
      ord_type: 'market',
      volume: String(Math.floor(bidVolume / 2)),
    });
    expect(within.status).toBe(201);
    await clearFaults();
  });
});

describe('marketOffline', () => {
  it('refuses orders in a market under maintenance with 403 market_offline; quotation and other markets work', async () => {
    const api = await account();
    const order = (market: string, path = '/v1/orders') =>
      api.call('POST', path, { market, side: 'bid', ord_type: 'price', price: '6000' });
    await admin('/admin/faults', { marketOffline: ['KRW-XRP'] });
    const refused = await order('KRW-XRP');
    expect(refused.status).toBe(403);
    expect(refused.data).toEqual({
      error: {
        name: 'market_offline',
        message:
          '시스템 점검 중입니다. 점검이 완료된 후에 다시 시도해주세요. \\n자세한 내용은 공지사항을 참고 부탁드립니다.',
      },
    });
    expect((await order('KRW-XRP', '/v1/orders/test')).status).toBe(403);
    // cancel_and_new is refused before the old order is touched.
    await clearFaults();
    const old = await restingBid(api, 'KRW-XRP');
    await admin('/admin/faults', { marketOffline: ['KRW-XRP'] });
    const replaced = await api.call('POST', '/v1/orders/cancel_and_new', {
      prev_order_uuid: old.uuid,
      new_ord_type: 'limit',
      new_price: String(old.price),
      new_volume: 'remain_only',
    });
    expect(replaced.data.error.name).toBe('market_offline');
    expect((await api.call('GET', '/v1/order', { uuid: old.uuid })).data.state).toBe('wait');
    expect((await get('/v1/ticker?markets=KRW-XRP')).status).toBe(200);
    expect((await get('/v1/orderbook?markets=KRW-XRP')).status).toBe(200);
    expect((await order('KRW-BTC')).status).toBe(201);
    expect((await api.balances()).XRP).toBeUndefined();
    await api.call('DELETE', '/v1/order', { uuid: old.uuid });
    await clearFaults();
    expect((await order('KRW-XRP')).status).toBe(201);
  });
});

describe('lost replies', () => {
  const orderCount = async (api: Api) =>
    (await api.call('GET', '/v1/orders/closed', { market: 'KRW-XRP' })).data.length +
    (await api.call('GET', '/v1/orders/open', { market: 'KRW-XRP' })).data.length;

  it('loseNextReplies: the order is placed, the client sees a 500; a rejection is not counted', async () => {
    const api = await account();
    await admin('/admin/faults', { loseNextReplies: 1 });
    // A rejected order executes nothing, so its reply is not the one lost.
    const rejected = await api.call('POST', '/v1/orders', {
      market: 'KRW-XRP',
      side: 'bid',
      ord_type: 'price',
      price: '100',
    });
    expect(rejected.data.error.name).toBe('under_min_total_bid');
    const identifier = `lost-500-${Date.now()}`;
    const lost = await api.call('POST', '/v1/orders', {
      market: 'KRW-XRP',
      side: 'bid',
      ord_type: 'price',
      price: '6000',
      identifier,
    });
    expect(lost.status).toBe(500);
    expect(lost.data).toEqual({ error: { name: 'internal_server_error', message: expect.any(String) } });
    expect(lost.headers['remaining-req']).toMatch(/^group=order; /);
    const placed = await api.call('GET', '/v1/order', { identifier });
    expect(placed.status).toBe(200);
    expect(Number(placed.data.executed_volume)).toBeGreaterThan(0);
    // Only one reply was lost.
    const next = await restingBid(api, 'KRW-XRP');
    // Cancels lose their reply too: the order is cancelled all the same.
    await admin('/admin/faults', { loseNextReplies: 1 });
    expect((await api.call('DELETE', '/v1/order', { uuid: next.uuid })).status).toBe(500);
    expect((await api.call('GET', '/v1/order', { uuid: next.uuid })).data.state).toBe('cancel');
    expect(await orderCount(api)).toBe(2);
    await clearFaults();
  });

  it('lostReplyMode timeout and reset: no answer, or the connection cut, with the order placed', async () => {
    const api = await account();
    for (const mode of ['timeout', 'reset'] as const) {
      await admin('/admin/faults', { loseNextReplies: 1, lostReplyMode: mode });
      const identifier = `lost-${mode}-${Date.now()}`;
      const t0 = Date.now();
      const err = await axios
        .post(
          `${sim.baseUrl}/v1/orders`,
          { market: 'KRW-XRP', side: 'bid', ord_type: 'price', price: '6000', identifier },
          {
            headers: {
              Authorization: `Bearer ${api.token(`market=KRW-XRP&side=bid&ord_type=price&price=6000&identifier=${identifier}`)}`,
            },
            timeout: 700,
          },
        )
        .then(
          () => null,
          (e) => e,
        );
      expect(err?.code).toBe(mode === 'timeout' ? 'ECONNABORTED' : 'ECONNRESET');
      if (mode === 'timeout') expect(Date.now() - t0).toBeGreaterThanOrEqual(650);
      expect((await api.call('GET', '/v1/order', { identifier })).status).toBe(200);
    }
    await clearFaults();
  });

  it('lostReplyRate loses a share of replies, the same ones for the same seed', async () => {
    const pattern = async (s: Simulator) => {
      await axios.post(`${s.baseUrl}/admin/faults`, { lostReplyRate: 0.5 });
      const api = specClient(s.baseUrl, 'f-ak', 'f-sk');
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        const r = await api.call('POST', '/v1/orders', {
          market: 'KRW-XRP',
          side: 'bid',
          ord_type: 'price',
          price: '5000',
        });
        statuses.push(r.status);
      }
      // Every one of them was placed, whatever its reply.
      const closed = await api.call('GET', '/v1/orders/closed', { market: 'KRW-XRP' });
      expect(closed.data).toHaveLength(8);
      return statuses;
    };
    const twin = () =>
      startSimulator({
        port: 0,
        seed: 11,
        tickMs: 60_000,
        historyMinutes: 60,
        accounts: [{ accessKey: 'f-ak', secretKey: 'f-sk', krw: '500000' }],
      });
    const [a, b] = [await twin(), await twin()];
    try {
      const first = await pattern(a);
      expect(await pattern(b)).toEqual(first);
      expect(first).toContain(500);
      expect(first).toContain(201);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('outageSeconds', () => {
  it('fails every REST call and drops and refuses WebSockets until it is over; the admin API keeps working', async () => {
    const api = await account();
    const ws = new WebSocket(sim.wsUrl);
    await new Promise((r) => ws.once('open', r));
    const dropped = new Promise<void>((r) => ws.once('close', () => r()));
    await admin('/admin/faults', { outageSeconds: 1.2 });
    await dropped;
    expect((await get('/v1/ticker?markets=KRW-BTC')).status).toBe(500);
    const accounts = await api.call('GET', '/v1/accounts');
    expect(accounts.status).toBe(500);
    expect(accounts.data.error.name).toBe('internal_server_error');
    const refused = new WebSocket(sim.wsUrl);
    const outcome = await new Promise<string>((r) => {
      refused.once('open', () => r('open'));
      refused.once('error', () => r('error'));
    });
    expect(outcome).toBe('error');
    // A merge of another fault keeps the outage's end.
    await admin('/admin/faults', { latencyMs: 1 });
    expect((await admin('/admin/faults', undefined, 'GET')).data).toEqual({ outageSeconds: 1.2, latencyMs: 1 });
    await sleep(1300);
    expect((await get('/v1/ticker?markets=KRW-BTC')).status).toBe(200);
    expect((await api.call('GET', '/v1/accounts')).status).toBe(200);
    expect((await admin('/admin/faults', undefined, 'GET')).data).toEqual({ latencyMs: 1 });
    const back = new WebSocket(sim.wsUrl);
    await new Promise((r) => back.once('open', r));
    back.close();
    await clearFaults();
  });

  it('DELETE /admin/faults ends an outage early; outageMode timeout leaves calls unanswered', async () => {
    await admin('/admin/faults', { outageSeconds: 600, outageMode: 'timeout' });
    const err = await axios.get(`${sim.baseUrl}/v1/ticker?markets=KRW-BTC`, { timeout: 400 }).then(
      () => null,
      (e) => e,
    );
    expect(err?.code).toBe('ECONNABORTED');
    await clearFaults();
    expect((await get('/v1/ticker?markets=KRW-BTC')).status).toBe(200);
  });
});
