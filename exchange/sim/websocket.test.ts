import { createHash, randomUUID } from 'node:crypto';
import axios from 'axios';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Simulator, startSimulator } from './server';

const AK = 'ws-access';
const SK = 'ws-secret';
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    seed: 11,
    tickMs: 100,
    historyMinutes: 600,
    accounts: [{ accessKey: AK, secretKey: SK, krw: '2000000', holdings: { XRP: '50' } }],
  });
});
afterAll(async () => {
  await sim?.close();
});

const bearer = (payload: Record<string, string>, secret = SK) =>
  `Bearer ${jwt.sign(payload, secret, { algorithm: 'HS256', noTimestamp: true })}`;

/** A socket that records every frame (decoded from binary) so tests can wait for one. */
async function open(url: string, headers: Record<string, string> = {}) {
  const socket = new WebSocket(url, { headers });
  const frames: Array<{ binary: boolean; data: Record<string, unknown> }> = [];
  const waiters: Array<() => void> = [];
  socket.on('message', (data, isBinary) => {
    frames.push({ binary: isBinary, data: JSON.parse(data.toString()) });
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const next = (pick: (f: Record<string, unknown>) => boolean, ms = 5000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching frame')), ms);
      const check = () => {
        const hit = frames.find((f) => pick(f.data));
        if (hit) {
          clearTimeout(timer);
          frames.splice(frames.indexOf(hit), 1);
          resolve(hit.data);
        } else waiters.push(check);
      };
      check();
    });
  return { socket, frames, next, send: (v: unknown) => socket.send(typeof v === 'string' ? v : JSON.stringify(v)) };
}

describe('public stream', () => {
  it('sends snapshot then realtime frames, as binary, in DEFAULT names', async () => {
    const c = await open(sim.wsUrl);
    c.send([
      { ticket: 't1' },
      { type: 'ticker', codes: ['KRW-BTC'] },
      { type: 'orderbook', codes: ['KRW-BTC.5'] },
      { type: 'trade', codes: ['KRW-BTC'] },
      { type: 'candle.1s', codes: ['KRW-BTC'] },
    ]);
    const snap = await c.next((f) => f.type === 'ticker' && f.stream_type === 'SNAPSHOT');
    expect(snap.code).toBe('KRW-BTC');
    expect(typeof snap.trade_price).toBe('number');
    const book = await c.next((f) => f.type === 'orderbook');
    expect((book.orderbook_units as unknown[]).length).toBe(5);
    const rt = await c.next((f) => f.type === 'trade' && f.stream_type === 'REALTIME');
    expect(rt.ask_bid).toMatch(/^(ASK|BID)$/);
    expect(typeof rt.sequential_id).toBe('number');
    await c.next((f) => f.type === 'candle.1s');
    expect(c.frames.every((f) => f.binary)).toBe(true);
    c.socket.close();
  });

  it('uses SIMPLE names when asked, lists subscriptions, and a new request replaces the old', async () => {
    const c = await open(sim.wsUrl);
    c.send([{ ticket: 't2' }, { type: 'ticker', codes: ['KRW-ETH'], is_only_snapshot: true }, { format: 'SIMPLE' }]);
    const t = await c.next((f) => f.ty === 'ticker');
    expect(t.cd).toBe('KRW-ETH');
    expect(t.st).toBe('SNAPSHOT');
    expect(typeof t.tp).toBe('number');
    expect(t.trade_price).toBeUndefined();
    c.send([{ ticket: 't3' }, { type: 'trade', codes: ['KRW-XRP'], is_only_realtime: true }]);
    c.send([{ ticket: 't4' }, { method: 'LIST_SUBSCRIPTIONS' }]);
    const list = await c.next((f) => f.mthd === 'LIST_SUBSCRIPTIONS');
    expect(list.rslt).toEqual([{ ty: 'trade', cds: ['KRW-XRP'] }]);
    expect(list.tckt).toBe('t4');
    c.socket.close();
  });

  it('answers a text PING with {"status":"UP"}', async () => {
    const c = await open(sim.wsUrl);
    c.send('PING');
    expect(await c.next((f) => 'status' in f)).toEqual({ status: 'UP' });
    c.socket.close();
  });

  it('answers malformed requests with error frames', async () => {
    const c = await open(sim.wsUrl);
    const cases: Array<[unknown, string]> = [
      ['not json', 'WRONG_FORMAT'],
      [[{ type: 'ticker', codes: ['KRW-BTC'] }], 'NO_TICKET'],
      [[{ ticket: 'x' }], 'NO_TYPE'],
      [[{ ticket: 'x' }, { type: 'ticker' }], 'NO_CODES'],
    ];
    for (const [req, name] of cases) {
      c.send(req);
      const f = await c.next((x) => 'error' in x);
      expect((f.error as { name: string }).name).toBe(name);
      await new Promise((r) => setTimeout(r, 250));
    }
    c.socket.close();
  });

  it('drops connections on demand (admin fault)', async () => {
    const c = await open(sim.wsUrl);
    const closed = new Promise<void>((r) => c.socket.once('close', () => r()));
    const res = await axios.post(`${sim.baseUrl}/admin/ws/drop`);
    expect(res.data.dropped).toBeGreaterThanOrEqual(1);
    await closed;
  });
});

describe('private stream', () => {
  it('refuses a bad token at the handshake with INVALID_AUTH', async () => {
    const err = await open(sim.privateWsUrl, {
      Authorization: bearer({ access_key: AK, nonce: randomUUID() }, 'wrong'),
    }).catch((e) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect(String((err as Error).message)).toContain('401');
  });

  it('reports a partial fill as myOrder state `trade` with trade_uuid, then the asset change', async () => {
    const c = await open(sim.privateWsUrl, { Authorization: bearer({ access_key: AK, nonce: randomUUID() }) });
    c.send([{ ticket: 'p1' }, { type: 'myOrder', codes: ['KRW-XRP'] }, { type: 'myAsset' }]);
    await new Promise((r) => setTimeout(r, 100));
    const m = sim.markets.get('KRW-XRP')!;
    const price = String(m.asks[4].price);
    const body = { market: 'KRW-XRP', side: 'ask', ord_type: 'limit', price, volume: '10' };
    const hash = createHash('sha512')
      .update(
        Object.entries(body)
          .map(([k, v]) => `${k}=${v}`)
          .join('&'),
      )
      .digest('hex');
    const res = await axios.post(`${sim.baseUrl}/v1/orders`, body, {
      headers: {
        Authorization: bearer({ access_key: AK, nonce: randomUUID(), query_hash: hash, query_hash_alg: 'SHA512' }),
      },
    });
    expect(res.status).toBe(201);
    const waiting = await c.next((f) => f.type === 'myOrder' && f.state === 'wait');
    expect(waiting.uuid).toBe(res.data.uuid);
    const locked = await c.next((f) => f.type === 'myAsset');
    expect(locked.assets).toEqual([{ currency: 'XRP', balance: 40, locked: 10 }]);
    sim.engine.matchPrint({ market: 'KRW-XRP', price: Number(price) + 10, volume: 4, askBid: 'BID' });
    const trade = await c.next((f) => f.type === 'myOrder' && f.state === 'trade');
    expect(trade.volume).toBe(4);
    expect(trade.price).toBe(Number(price));
    expect(trade.remaining_volume).toBe(6);
    expect(typeof trade.trade_uuid).toBe('string');
    expect(trade.is_maker).toBe(true);
    const asset = await c.next(
      (f) => f.type === 'myAsset' && (f.assets as Array<{ currency: string }>).some((a) => a.currency === 'KRW'),
    );
    expect(
      (asset.assets as Array<{ currency: string; locked: number }>).find((a) => a.currency === 'XRP')?.locked,
    ).toBe(6);
    c.socket.close();
  });
});
