import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseFaults } from './faults';
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
    const set = await admin('/admin/price', { market: 'KRW-ETH', price: 4_123_456 });
    expect(set.data).toEqual({ market: 'KRW-ETH', price: 4_123_000 });
    const read = await admin('/admin/price?market=KRW-ETH', undefined, 'GET');
    expect(read.data.price).toBe(4_123_000);
    expect(read.data.bid).toBe(4_123_000);
    expect((await admin('/admin/price', { market: 'KRW-NOPE', price: 1 })).status).toBe(400);
    expect((await admin('/admin/price', { market: 'KRW-ETH', price: 'abc' })).status).toBe(400);
  });
});
