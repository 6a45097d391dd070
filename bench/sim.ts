// Simulator throughput on loopback: quotation requests/s, authenticated order create+cancel pairs/s,
// and WebSocket messages/s delivered to subscribers. Rate limits are lifted (rateLimitScale 0) so the
// figures are the simulator's own speed. `npm run bench -- sim [seconds]`; last line is JSON.
import { createHash, createSecretKey, randomUUID } from 'node:crypto';
import http from 'node:http';
import jwt from 'jsonwebtoken';
import WebSocket from 'ws';
import { startSimulator } from '../exchange/sim/server';

const seconds = Number(process.argv[2] ?? 3);
const AK = 'bench-ak';
const SK = 'bench-sk';
const signingKey = createSecretKey(Buffer.from(SK, 'utf8'));
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function request(url: string, method: string, headers: Record<string, string> = {}, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    if (body) req.end(body);
    else req.end();
  });
}

function auth(hashInput: string | null): string {
  const payload: Record<string, string> = { access_key: AK, nonce: randomUUID() };
  if (hashInput) {
    payload.query_hash = createHash('sha512').update(hashInput).digest('hex');
    payload.query_hash_alg = 'SHA512';
  }
  return `Bearer ${jwt.sign(payload, signingKey, { algorithm: 'HS512', noTimestamp: true })}`;
}

/** Runs `op` from `concurrency` loops for the duration; returns completed ops per second. */
async function rate(concurrency: number, op: () => Promise<void>): Promise<number> {
  const until = Date.now() + seconds * 1000;
  let done = 0;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        await op();
        done++;
      }
    }),
  );
  return done / ((Date.now() - t0) / 1000);
}

const t0 = Date.now();
const sim = await startSimulator({
  port: 0,
  seed: 1,
  tickMs: 100,
  rateLimitScale: 0,
  accounts: [{ accessKey: AK, secretKey: SK, krw: '100000000000' }],
});
const startupMs = Date.now() - t0;
console.log(`startup (36 markets, 4 days of 1m history): ${startupMs} ms`);

let errors = 0;
const tickerRps = await rate(32, async () => {
  if ((await request(`${sim.baseUrl}/v1/ticker?markets=KRW-BTC`, 'GET')) !== 200) errors++;
});
console.log(`GET /v1/ticker: ${tickerRps.toFixed(0)} req/s (32 concurrent)`);

const candleRps = await rate(32, async () => {
  if ((await request(`${sim.baseUrl}/v1/candles/minutes/1?market=KRW-BTC&count=200`, 'GET')) !== 200) errors++;
});
console.log(`GET /v1/candles/minutes/1 count=200: ${candleRps.toFixed(0)} req/s (32 concurrent)`);

const xrp = sim.markets.get('KRW-XRP')!;
const pairRps = await rate(16, async () => {
  const price = String(xrp.bids[20].price);
  const body = { market: 'KRW-XRP', side: 'bid', ord_type: 'limit', price, volume: '10' };
  const text = JSON.stringify(body);
  const hash = Object.entries(body)
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const uuid = await new Promise<string>((resolve, reject) => {
    const req = http.request(
      `${sim.baseUrl}/v1/orders`,
      { method: 'POST', agent, headers: { 'Content-Type': 'application/json', Authorization: auth(hash) } },
      (res) => {
        let data = '';
        res.on('data', (c) => {
          data += c;
        });
        res.on('end', () => (res.statusCode === 201 ? resolve(JSON.parse(data).uuid) : reject(new Error(data))));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
  if (
    (await request(`${sim.baseUrl}/v1/order?uuid=${uuid}`, 'DELETE', { Authorization: auth(`uuid=${uuid}`) })) !== 200
  )
    errors++;
});
console.log(`POST /v1/orders + DELETE /v1/order: ${pairRps.toFixed(0)} pairs/s (16 concurrent)`);

// WebSocket: 20 clients, each subscribed to trade, ticker and orderbook of every market.
const codes = [...sim.markets.keys()];
const clients = await Promise.all(
  Array.from({ length: 20 }, async () => {
    const ws = new WebSocket(sim.wsUrl, { perMessageDeflate: false });
    await new Promise((r) => ws.once('open', r));
    ws.send(
      JSON.stringify([
        { ticket: randomUUID() },
        { type: 'trade', codes, is_only_realtime: true },
        { type: 'ticker', codes, is_only_realtime: true },
        { type: 'orderbook', codes, is_only_realtime: true },
      ]),
    );
    return ws;
  }),
);
let messages = 0;
for (const ws of clients) ws.on('message', () => messages++);
await new Promise((r) => setTimeout(r, 300));
messages = 0;
const w0 = Date.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
const wsRate = messages / ((Date.now() - w0) / 1000);
console.log(
  `WebSocket: ${wsRate.toFixed(0)} messages/s delivered to 20 clients (${codes.length} markets, tick 100 ms)`,
);
for (const ws of clients) ws.close();
await sim.close();
agent.destroy();

console.log(
  JSON.stringify({
    bench: 'sim',
    seconds,
    startupMs,
    tickerReqPerSec: Math.round(tickerRps),
    candlesReqPerSec: Math.round(candleRps),
    orderCreateCancelPairsPerSec: Math.round(pairRps),
    wsMessagesPerSec: Math.round(wsRate),
    errors,
  }),
);
