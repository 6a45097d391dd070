// Transient failures from the simulator's fault injection: reads are retried to success, writes are
// sent once and come back as typed, retryable errors for the caller to decide on.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CreateAskError, MarketOffline, NetworkError, OrderNotFound, ServerError, Timeout } from '../upbit/errors';
import { RecordingLogger, type SimHandle, startSim } from './simulator';

let sim: SimHandle;

beforeAll(async () => {
  sim = await startSim();
});
beforeEach(async () => {
  await fetch(`${sim.origin}/admin/faults`, { method: 'DELETE' });
});
afterAll(async () => {
  await sim?.close();
});

async function countOrders(): Promise<number> {
  const client = sim.client();
  const [open, closed] = await Promise.all([
    client.openOrders({ market: 'KRW-BTC' }),
    client.closedOrders({ market: 'KRW-BTC', startTime: new Date(Date.now() - 600_000) }),
  ]);
  return open.length + closed.length;
}

describe('5xx', () => {
  it('a read meeting 500s is retried with backoff until the server recovers', async () => {
    const logger = new RecordingLogger();
    const client = sim.client({ logger, maxRetries: 6 });
    await sim.admin('/admin/faults', { errorRate: 1 });
    setTimeout(() => void fetch(`${sim.origin}/admin/faults`, { method: 'DELETE' }), 300);
    const accounts = await client.accounts();
    expect(accounts.some((a) => a.currency === 'KRW')).toBe(true);
    const retries = logger.entries.filter((e) => e.msg === 'upbit: retrying read');
    expect(retries.length).toBeGreaterThan(0);
    expect(JSON.stringify(retries[0].obj)).toContain('HTTP 500');
  });

  it('a read gives up after its retries with a typed ServerError', async () => {
    const client = sim.client({ maxRetries: 2 });
    await sim.admin('/admin/faults', { errorRate: 1 });
    const err = await client.ticker(['KRW-BTC']).catch((e) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(err.retryable).toBe(true);
    expect(err.httpStatus).toBe(500);
  });

  it('an order meeting a 500 is sent once and reported as retryable', async () => {
    const before = await countOrders();
    const logger = new RecordingLogger();
    const client = sim.client({ logger });
    await sim.admin('/admin/faults', { errorRate: 1 });
    const err = await client
      .createOrder({ market: 'KRW-BTC', side: 'bid', ord_type: 'price', price: '10000' })
      .catch((e) => e);
    await fetch(`${sim.origin}/admin/faults`, { method: 'DELETE' });
    expect(err).toBeInstanceOf(ServerError);
    expect(err.retryable).toBe(true);
    expect(logger.entries.filter((e) => e.msg === 'upbit: retrying read')).toEqual([]);
    expect(await countOrders()).toBe(before);
  });
});

describe('timeouts and dead servers', () => {
  it('a slow reply past timeoutMs is a Timeout; a read retries it, a write does not', async () => {
    await sim.admin('/admin/faults', { latencyMs: 400 });
    const logger = new RecordingLogger();
    const logged = sim.client({ timeoutMs: 100, maxRetries: 1, logger });
    const read = await logged.ticker(['KRW-BTC']).catch((e) => e);
    expect(read).toBeInstanceOf(Timeout);
    expect(read.retryable).toBe(true);
    expect(logger.entries.filter((e) => e.msg === 'upbit: retrying read')).toHaveLength(1);
    const write = await logged.cancelOrder({ uuid: '00000000-0000-4000-8000-000000000000' }).catch((e) => e);
    expect(write).toBeInstanceOf(Timeout);
    expect(logger.entries.filter((e) => e.msg === 'upbit: retrying read')).toHaveLength(1);
    expect(write.message).toContain('DELETE /v1/order');
  });

  it('a refused connection is a retryable NetworkError', async () => {
    const dead = await startSim();
    const client = dead.client({ maxRetries: 0 });
    await dead.close();
    const err = await client.markets().catch((e) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('GET /v1/market/all');
  });
});

// The faults that make the simulator as unkind as Upbit, as our client sees them.
describe('exchange behaviour the callers must survive', () => {
  it('a lost order reply is a retryable ServerError although the order was placed; lagging lookups say OrderNotFound', async () => {
    const client = sim.client({ maxRetries: 0 });
    await sim.admin('/admin/faults', { loseNextReplies: 1, lookupLagMs: 600 });
    const identifier = `contract-lost-${Date.now()}`;
    const err = await client
      .createOrder({ market: 'KRW-BTC', side: 'bid', ord_type: 'price', price: '10000', identifier })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(err.retryable).toBe(true);
    // Not visible yet: exactly the reply that must not be taken for "never placed".
    expect(await client.getOrder({ identifier }).catch((e) => e)).toBeInstanceOf(OrderNotFound);
    await new Promise((r) => setTimeout(r, 700));
    const found = await client.getOrder({ identifier });
    expect(Number(found.executed_volume)).toBeGreaterThan(0);
  });

  it('a lost reply in timeout mode is a Timeout; the order is there', async () => {
    const client = sim.client({ maxRetries: 0, timeoutMs: 300 });
    await sim.admin('/admin/faults', { loseNextReplies: 1, lostReplyMode: 'timeout' });
    const identifier = `contract-timeout-${Date.now()}`;
    const err = await client
      .createOrder({ market: 'KRW-BTC', side: 'bid', ord_type: 'price', price: '10000', identifier })
      .catch((e) => e);
    expect(err).toBeInstanceOf(Timeout);
    expect((await client.getOrder({ identifier })).identifier).toBe(identifier);
  });

  it('an order in a market under maintenance is a MarketOffline rejection, not retryable', async () => {
    const client = sim.client();
    await sim.admin('/admin/faults', { marketOffline: ['KRW-BTC'] });
    const err = await client
      .createOrder({ market: 'KRW-BTC', side: 'bid', ord_type: 'price', price: '10000' })
      .catch((e) => e);
    expect(err).toBeInstanceOf(MarketOffline);
    expect(err.retryable).toBe(false);
    expect((await client.ticker(['KRW-BTC']))[0].market).toBe('KRW-BTC');
  });

  it('a market sell deeper than the visible book is a CreateAskError; what the book holds is sold', async () => {
    const keys = { accessKey: `contract-deep-${Date.now()}`, secretKey: 'contract-deep' };
    await sim.admin('/admin/keys', { ...keys, krw: '0', holdings: { XRP: '10000000' } });
    const client = sim.client({ keys });
    await sim.admin('/admin/faults', { stallFillsMs: 60_000 });
    const [book] = await client.orderbook(['KRW-XRP']);
    const depth = book.orderbook_units.reduce((s, u) => s + u.bid_size, 0);
    const err = await client
      .createOrder({ market: 'KRW-XRP', side: 'ask', ord_type: 'market', volume: String(Math.ceil(depth * 2)) })
      .catch((e) => e);
    expect(err).toBeInstanceOf(CreateAskError);
    expect(err.retryable).toBe(false);
    const sold = await client.createOrder({
      market: 'KRW-XRP',
      side: 'ask',
      ord_type: 'market',
      volume: String(Math.floor(depth / 2)),
    });
    expect(sold.state).toBe('wait');
  });

  it('reads meeting an outage are retried until it ends', async () => {
    const logger = new RecordingLogger();
    const client = sim.client({ logger, maxRetries: 8 });
    await sim.admin('/admin/faults', { outageSeconds: 0.5 });
    const accounts = await client.accounts();
    expect(accounts.some((a) => a.currency === 'KRW')).toBe(true);
    expect(logger.entries.filter((e) => e.msg === 'upbit: retrying read').length).toBeGreaterThan(0);
  });
});
