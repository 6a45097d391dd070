// Pacing against the simulator's rate limits: the client's own pacing never meets a 429 on a burst,
// a forced 429 is absorbed by a paused-and-retried read, a forced 418 stops the group with an alert.
import Decimal from 'decimal.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { floorVolume, roundToTick } from '../../core/market';
import { Banned, RateLimited } from '../upbit/errors';
import { RecordingLogger, type SimHandle, startSim } from './simulator';

let sim: SimHandle;

beforeEach(async () => {
  sim = await startSim();
});
afterEach(async () => {
  await sim?.close();
});

describe('pacing', () => {
  it('the simulator does enforce the candle group limit (so the next test can fail)', async () => {
    const replies = await Promise.all(
      Array.from({ length: 25 }, () => fetch(`${sim.origin}/v1/candles/minutes/1?market=KRW-BTC&count=1`)),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
  });

  it('a burst of 25 candle reads through the client never gets a 429 and takes at least two windows', async () => {
    const logger = new RecordingLogger();
    const client = sim.client({ logger, maxRetries: 0 });
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 25 }, () => client.candles({ market: 'KRW-BTC', unit: 'minutes', minutes: 1, count: 1 })),
    );
    const elapsed = Date.now() - started;
    expect(results.every((r) => r.length === 1)).toBe(true);
    expect(logger.entries.filter((e) => e.msg.includes('429'))).toEqual([]);
    // 25 calls at 10 per second need at least two full windows after the first.
    expect(elapsed).toBeGreaterThanOrEqual(2000);
  });

  it('a burst of 20 test orders (8/s, never retried) all go through without one 429', async () => {
    const client = sim.client({ maxRetries: 0 });
    const [book] = await client.orderbook(['KRW-BTC']);
    const price = roundToTick('KRW', new Decimal(book.orderbook_units[0].bid_price).mul('0.9'), 'bid');
    const volume = floorVolume(new Decimal(10_000).div(price)).toFixed();
    const started = Date.now();
    const replies = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        client.testOrder({ market: 'KRW-BTC', side: 'bid', ord_type: 'limit', price: price.toFixed(), volume }),
      ),
    );
    const failures = replies
      .filter((r) => r.status === 'rejected')
      .map((r) => String((r as PromiseRejectedResult).reason));
    expect(failures).toEqual([]);
    // 20 calls at 8 per second span at least two full windows.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
  });

  it('order-cancel-all is paced to one call per two seconds', async () => {
    const client = sim.client({ maxRetries: 0 });
    const started = Date.now();
    await client.cancelOpenOrders({ pairs: ['KRW-BTC'] });
    await client.cancelOpenOrders({ pairs: ['KRW-BTC'] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
  });
});

describe('forced rate-limit faults', () => {
  it('a 429 pauses the group and the read is retried to success; an order is not retried', async () => {
    const logger = new RecordingLogger();
    const client = sim.client({ logger });
    await sim.admin('/admin/faults', { burst429: 1 });
    const [ticker] = await client.ticker(['KRW-BTC']);
    expect(ticker.market).toBe('KRW-BTC');
    expect(logger.entries.some((e) => e.msg.includes('429'))).toBe(true);

    await sim.admin('/admin/faults', { burst429: 1 });
    const order = await client
      .createOrder({ market: 'KRW-BTC', side: 'bid', ord_type: 'price', price: '10000' })
      .catch((e) => e);
    expect(order).toBeInstanceOf(RateLimited);
    expect(order.retryable).toBe(true);
  });

  it('a 418 stops the group until the ban ends, flagged alert-worthy; other groups still work', async () => {
    const logger = new RecordingLogger();
    const client = sim.client({ logger });
    // The simulator's 418 fault: the next request is answered 418 and its group stays blocked 3 s.
    await sim.admin('/admin/faults', { ban418Seconds: 3 });
    const banned = await client.candles({ market: 'KRW-BTC', unit: 'days' }).catch((e) => e);
    expect(banned).toBeInstanceOf(Banned);
    expect(banned.alert).toBe(true);
    // The simulator states "blocked for 3 seconds": the client reads it instead of its 60 s fallback.
    expect(banned.bannedUntil - Date.now()).toBeGreaterThan(1000);
    expect(banned.bannedUntil - Date.now()).toBeLessThanOrEqual(3500);
    expect(logger.entries.some((e) => (e.obj as { alert?: boolean }).alert === true)).toBe(true);
    // Not even sent while banned.
    const again = await client.candles({ market: 'KRW-BTC', unit: 'days' }).catch((e) => e);
    expect(again).toBeInstanceOf(Banned);
    expect(again.httpStatus).toBeUndefined();
    expect(client.limiter.bannedUntil('candle')).toBe(banned.bannedUntil);
    // Another group is not affected.
    const [t] = await client.ticker(['KRW-BTC']);
    expect(t.market).toBe('KRW-BTC');
    // Once the ban is over the group works again.
    await new Promise((r) => setTimeout(r, banned.bannedUntil - Date.now() + 50));
    const [day] = await client.candles({ market: 'KRW-BTC', unit: 'days' });
    expect(day.market).toBe('KRW-BTC');
  });
});
