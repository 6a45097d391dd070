// A third-party Upbit client, ccxt, used unchanged against the simulator: if it works, the simulator
// speaks Upbit's protocol and not merely our client's reading of it.
import ccxt from 'ccxt';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floorVolume, roundToTick } from '../../core/market';
import { SIM_KEYS, type SimHandle, startSim } from './simulator';

let sim: SimHandle;
let exchange: InstanceType<typeof ccxt.upbit>;

beforeAll(async () => {
  sim = await startSim();
  exchange = new ccxt.upbit({ apiKey: SIM_KEYS.accessKey, secret: SIM_KEYS.secretKey });
  // ccxt appends `/v1/<path>` to these.
  exchange.urls.api = { public: sim.origin, private: sim.origin };
});
afterAll(async () => {
  await sim?.close();
});

describe('ccxt upbit against the simulator', () => {
  it('loads markets and candles', async () => {
    const markets = await exchange.loadMarkets();
    expect(markets['BTC/KRW']?.id).toBe('KRW-BTC');
    const ohlcv = await exchange.fetchOHLCV('BTC/KRW', '1m', undefined, 5);
    expect(ohlcv).toHaveLength(5);
    for (const [t, o, h, l, c, v] of ohlcv) {
      expect(t! % 60_000).toBe(0);
      expect(h!).toBeGreaterThanOrEqual(Math.max(o!, c!, l!));
      expect(v!).toBeGreaterThanOrEqual(0);
    }
    // ccxt returns candles oldest first.
    expect(ohlcv[0][0]! < ohlcv[4][0]!).toBe(true);
  });

  it('reads the balance, places, reads and cancels a limit order', async () => {
    const balance = await exchange.fetchBalance();
    const krwBefore = balance.KRW;
    expect(Number(krwBefore.free)).toBeGreaterThan(100_000);

    const book = await exchange.fetchOrderBook('BTC/KRW');
    const price = roundToTick('KRW', new Decimal(book.bids[0][0]!).mul('0.9'), 'bid');
    const amount = floorVolume(new Decimal(20_000).div(price));
    const placed = await exchange.createOrder('BTC/KRW', 'limit', 'buy', amount.toNumber(), price.toNumber());
    expect(typeof placed.id).toBe('string');
    const id = String(placed.id);

    const read = await exchange.fetchOrder(id, 'BTC/KRW');
    expect(read.id).toBe(id);
    expect(read.status).toBe('open');
    expect(read.price).toBe(price.toNumber());
    expect(read.amount).toBe(amount.toNumber());
    const locked = Number((await exchange.fetchBalance()).KRW.used);
    expect(locked).toBeGreaterThan(Number(krwBefore.used ?? 0));

    await exchange.cancelOrder(id, 'BTC/KRW');
    let status = '';
    for (let i = 0; i < 20 && status !== 'canceled'; i++) {
      status = String((await exchange.fetchOrder(id, 'BTC/KRW')).status);
      if (status !== 'canceled') await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe('canceled');
  });
});
