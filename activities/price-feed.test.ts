// The shared price feed against a real simulator: prices stream over the public WebSocket with no REST
// polling while it is up, the REST poll takes over while it is down, and the last unsubscribe closes it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchangeProvider } from '../exchange/provider';
import { type Simulator, startSimulator } from '../exchange/sim/server';
import type { UpbitClient } from '../exchange/upbit/client';
import { PriceFeed, type PriceTick } from './price-feed';

let sim: Simulator;
let restTickerCalls = 0;
let exchange: () => UpbitClient;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 5, tickMs: 100, historyMinutes: 120 });
  const provider = exchangeProvider({ simUrl: sim.baseUrl, upbitUrl: 'http://127.0.0.1:9' });
  // Counts REST ticker requests; everything else passes through.
  const client = provider('sim');
  const counted = new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'ticker') {
        return (...args: Parameters<UpbitClient['ticker']>) => {
          restTickerCalls += 1;
          return target.ticker(...args);
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
  exchange = () => counted;
});

afterAll(async () => {
  await sim?.close();
});

const until = async (what: string, ok: () => boolean, ms = 15_000) => {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('PriceFeed', () => {
  it('streams ticker prices over the WebSocket and polls REST only while the stream is down', async () => {
    const feed = new PriceFeed(exchange, { intervalMs: 200, streamUrl: () => sim.wsUrl });
    const ticks: PriceTick[] = [];
    const off = feed.subscribe('sim', 'KRW-BTC', (t) => ticks.push(t));
    await until('the stream to connect', () => feed.streaming('sim'));
    const callsWhenStreaming = restTickerCalls;
    const seen = ticks.length;
    await until('streamed prices', () => ticks.length >= seen + 5);
    await new Promise((r) => setTimeout(r, 1_000));
    // Five poll periods with the stream up: no REST ticker request.
    expect(restTickerCalls).toBe(callsWhenStreaming);
    expect(ticks.every((t) => t.market === 'KRW-BTC' && t.price > 0)).toBe(true);

    // A second market joins the same subscription.
    const eth: PriceTick[] = [];
    const offEth = feed.subscribe('sim', 'KRW-ETH', (t) => eth.push(t));
    await until('streamed KRW-ETH prices', () => eth.length >= 3);
    expect(restTickerCalls).toBe(callsWhenStreaming);

    // The exchange drops every connection: REST stands in until the stream is back.
    const dropped = await fetch(`${sim.baseUrl}/admin/ws/drop`, { method: 'POST' });
    expect(dropped.ok).toBe(true);
    await until('the stream to come back', () => feed.streaming('sim'));
    const afterBack = ticks.length;
    await until('prices after the reconnect', () => ticks.length >= afterBack + 3);

    offEth();
    off();
    expect(feed.streaming('sim')).toBe(false);
  });

  it('polls REST when the stream cannot connect', async () => {
    const feed = new PriceFeed(exchange, { intervalMs: 200, streamUrl: () => 'ws://127.0.0.1:9' });
    const before = restTickerCalls;
    const ticks: PriceTick[] = [];
    const off = feed.subscribe('sim', 'KRW-XRP', (t) => ticks.push(t));
    await until('polled prices', () => ticks.length >= 3);
    expect(restTickerCalls - before).toBeGreaterThanOrEqual(3);
    expect(feed.streaming('sim')).toBe(false);
    off();
  });
});
