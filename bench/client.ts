// Client overhead per request: UpbitClient (pacing, JWT signing, URL building, axios, JSON parsing)
// against a raw keep-alive node:http request for the same reply, both on loopback to the simulator
// with its rate limits off. Prints figures, the last line as JSON.
// Usage: npm run bench -- client [requestsPerVariant=2000]
import http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import jwt from 'jsonwebtoken';
import { startSimulator } from '../exchange/sim/server';
import { UpbitClient } from '../exchange/upbit/client';
import { RateLimiter } from '../exchange/upbit/rate-limit';
import { authorizationHeader, jwtPayload } from '../exchange/upbit/signing';

const KEYS = { accessKey: 'sim-access-key', secretKey: 'sim-secret-key' };
const perVariant = Number(process.argv[2] ?? 2000);

const sim = await startSimulator({ port: 0, seed: 1, rateLimitScale: 0 });
const origin = sim.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function rawGet(path: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${origin}${path}`, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) reject(new Error(`raw GET ${path} -> ${res.statusCode}: ${body}`));
        else resolve(body);
      });
    });
    req.on('error', reject);
  });
}

// Our pacing stays in the measured path, with budgets high enough never to wait.
const unlimited = new RateLimiter({ limits: { ticker: [1e9, 1000], default: [1e9, 1000] } });
const client = new UpbitClient({ baseUrl: sim.baseUrl, keys: async () => KEYS, limiter: unlimited });

async function timed(call: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await call();
  return (performance.now() - start) * 1000;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

// Raw private requests need a fresh nonce each; their tokens are made before any clock starts.
const tokens = Array.from(
  { length: perVariant },
  () => `Bearer ${jwt.sign(jwtPayload(KEYS.accessKey), KEYS.secretKey, { algorithm: 'HS512', noTimestamp: true })}`,
);

// Warm-up: JIT, sockets, the simulator's first replies.
for (let i = 0; i < 200; i++) {
  await rawGet('/v1/ticker?markets=KRW-BTC');
  await client.ticker(['KRW-BTC']);
  await client.accounts();
}

// Raw and client calls alternate one by one (order flipped every time), so both see the same machine
// load; per-request medians keep load spikes from other processes out of the comparison.
const samples = {
  rawPublic: [] as number[],
  clientPublic: [] as number[],
  rawPrivate: [] as number[],
  clientPrivate: [] as number[],
};
for (let i = 0; i < perVariant; i++) {
  const calls: Array<[number[], () => Promise<unknown>]> = [
    [samples.rawPublic, () => rawGet('/v1/ticker?markets=KRW-BTC')],
    [samples.clientPublic, () => client.ticker(['KRW-BTC'])],
    [samples.rawPrivate, () => rawGet('/v1/accounts', { Authorization: tokens[i] })],
    [samples.clientPrivate, () => client.accounts()],
  ];
  if (i % 2) calls.reverse();
  for (const [into, call] of calls) into.push(await timed(call));
}

// Signing alone: JWT with a query hash, as for GET /v1/orders/open?market=KRW-BTC&states[]=wait&states[]=watch.
const signN = 20_000;
const params = { market: 'KRW-BTC', 'states[]': ['wait', 'watch'] };
const signStart = performance.now();
for (let i = 0; i < signN; i++) authorizationHeader(KEYS, params);
const signUs = ((performance.now() - signStart) * 1000) / signN;

const tickerBody = await rawGet('/v1/ticker?markets=KRW-BTC');
const parseStart = performance.now();
for (let i = 0; i < signN; i++) JSON.parse(tickerBody);
const parseUs = ((performance.now() - parseStart) * 1000) / signN;

await sim.close();
agent.destroy();

const round1 = (x: number) => Math.round(x * 10) / 10;
const med = (xs: number[]) => round1(percentile(xs, 50));
const result = {
  bench: 'client',
  requestsPerVariant: perVariant,
  loadAverage1m: round1(os.loadavg()[0]),
  cpus: os.cpus().length,
  rawPublicUs: med(samples.rawPublic),
  clientPublicUs: med(samples.clientPublic),
  publicOverheadUs: round1(med(samples.clientPublic) - med(samples.rawPublic)),
  clientPublicP90Us: round1(percentile(samples.clientPublic, 90)),
  rawPrivateUs: med(samples.rawPrivate),
  clientPrivateUs: med(samples.clientPrivate),
  privateOverheadUs: round1(med(samples.clientPrivate) - med(samples.rawPrivate)),
  clientPrivateP90Us: round1(percentile(samples.clientPrivate, 90)),
  signUs: round1(signUs),
  parseTickerUs: round1(parseUs),
};
console.log(`median per request (load average ${result.loadAverage1m} on ${result.cpus} CPUs)`);
console.log(
  `GET /v1/ticker   raw ${result.rawPublicUs} us  client ${result.clientPublicUs} us  overhead ${result.publicOverheadUs} us`,
);
console.log(
  `GET /v1/accounts raw ${result.rawPrivateUs} us (pre-signed)  client ${result.clientPrivateUs} us  overhead ${result.privateOverheadUs} us`,
);
console.log(`JWT signing with query hash ${result.signUs} us; JSON.parse of a ticker reply ${result.parseTickerUs} us`);
console.log(JSON.stringify(result));
