// Requests as Upbit clients nobody here wrote send them, built by hand from the protocol (fetch, a JWT
// signed with jsonwebtoken, SHA-512 query_hash): parameters of GET/DELETE in a form or JSON body and of
// POST in the query, repeated keys, booleans written True/False, the legacy GET /v1/orders listing and
// amounts in exponent notation. The shapes are pyupbit's (0.2.34: GET `data=` form bodies, DELETE JSON
// bodies, HS256, hash over `k=v&...`) and Python's own str() of floats and booleans.
import { createHash, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import Decimal from 'decimal.js';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { roundToTick } from '../../core/market';
import { type SimHandle, startSim } from './simulator';

const AK = 'wild-access';
const SK = 'wild-secret';
let sim: SimHandle;

beforeAll(async () => {
  sim = await startSim({ tickMs: 60_000 });
  await sim.admin('/admin/keys', { accessKey: AK, secretKey: SK, krw: '1000000' });
});
afterAll(async () => {
  await sim?.close();
});
// The `order` group allows 12 requests a second and `default` 30: each test starts on a fresh second.
beforeEach(async () => {
  await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000)));
});

const sha512 = (s: string) => createHash('sha512').update(s, 'utf8').digest('hex');

/** The JWT of the auth guide: access_key, a fresh UUID nonce, and the hash of the parameters if any. */
function bearer(hashInput: string | null, hash?: string): string {
  const payload: Record<string, string> = { access_key: AK, nonce: randomUUID() };
  if (hashInput !== null) {
    payload.query_hash = hash ?? sha512(hashInput);
    payload.query_hash_alg = 'SHA512';
  }
  return `Bearer ${jwt.sign(payload, SK, { algorithm: 'HS256' })}`;
}

interface Sent {
  status: number;
  remainingReq: string | null;
  // biome-ignore lint/suspicious/noExplicitAny: replies are JSON of many shapes; each test reads what it checks
  data: any;
}

/**
 * Sends one signed request. `query` goes in the URL as written; `form` and `json` are bodies;
 * `hashInput` is what the client hashed (null: no query_hash claim), `hash` overrides the hash.
 */
async function send(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  opts: { query?: string; form?: string; json?: object; hashInput: string | null; hash?: string },
): Promise<Sent> {
  const headers: Record<string, string> = { Authorization: bearer(opts.hashInput, opts.hash) };
  let body: string | undefined;
  if (opts.form !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = opts.form;
  } else if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
  // node:http rather than fetch: fetch refuses a GET with a body, which is what these clients send.
  return new Promise((resolve, reject) => {
    const req = request(`${sim.baseUrl}${path}${opts.query ? `?${opts.query}` : ''}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          remainingReq: (res.headers['remaining-req'] as string | undefined) ?? null,
          data: text ? JSON.parse(text) : null,
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function krw(): Promise<{ balance: string; locked: string }> {
  const r = await send('GET', '/v1/accounts', { hashInput: null });
  const row = r.data.find((a: { currency: string }) => a.currency === 'KRW');
  return { balance: row.balance, locked: row.locked };
}

async function bestBid(market: string): Promise<Decimal> {
  const res = await fetch(`${sim.baseUrl}/v1/orderbook?markets=${market}`);
  const [book] = await res.json();
  return new Decimal(book.orderbook_units[0].bid_price);
}

/** A limit bid resting 10% under the market, placed the documented way (JSON body). */
async function restingBid(market: string, krwWorth: number): Promise<{ uuid: string; price: Decimal }> {
  const price = roundToTick('KRW', (await bestBid(market)).mul('0.9'), 'bid');
  const volume = new Decimal(krwWorth).div(price).toDecimalPlaces(8, Decimal.ROUND_UP);
  const body = { market, side: 'bid', ord_type: 'limit', price: price.toFixed(), volume: volume.toFixed() };
  const r = await send('POST', '/v1/orders', {
    json: body,
    hashInput: Object.entries(body)
      .map(([k, v]) => `${k}=${v}`)
      .join('&'),
  });
  expect(r.status).toBe(201);
  return { uuid: r.data.uuid, price };
}

describe('GET and DELETE parameters in the body', () => {
  it('order chance and get order read a form-encoded GET body (pyupbit get_chance, get_individual_order)', async () => {
    const chance = await send('GET', '/v1/orders/chance', { form: 'market=KRW-ETH', hashInput: 'market=KRW-ETH' });
    expect(chance.status).toBe(200);
    expect(chance.data.market.id).toBe('KRW-ETH');
    const { uuid } = await restingBid('KRW-BTC', 6000);
    const got = await send('GET', '/v1/order', { form: `uuid=${uuid}`, hashInput: `uuid=${uuid}` });
    expect(got.status).toBe(200);
    expect(got.data.uuid).toBe(uuid);
    expect(got.data.trades).toEqual([]);
  });

  it('cancel reads a JSON DELETE body (pyupbit cancel_order) and gives the locked KRW back exactly', async () => {
    const before = await krw();
    const { uuid } = await restingBid('KRW-BTC', 7000);
    expect((await krw()).locked).not.toBe(before.locked);
    const c = await send('DELETE', '/v1/order', { json: { uuid }, hashInput: `uuid=${uuid}` });
    expect(c.status).toBe(200);
    expect(c.data.uuid).toBe(uuid);
    expect(await krw()).toEqual(before);
    const after = await send('GET', '/v1/order', { query: `uuid=${uuid}`, hashInput: `uuid=${uuid}` });
    expect(after.data.state).toBe('cancel');
  });

  it('a body the token does not cover is refused before anything is done: no query_hash, or one over other parameters', async () => {
    const { uuid } = await restingBid('KRW-BTC', 6000);
    const other = 'uuid=00000000-0000-0000-0000-000000000000';
    for (const attempt of [
      send('DELETE', '/v1/order', { json: { uuid }, hashInput: other }),
      send('DELETE', '/v1/order', { form: `uuid=${uuid}`, hashInput: other }),
      send('DELETE', '/v1/order', { json: { uuid }, hashInput: null }),
      send('GET', '/v1/orders/chance', { form: 'market=KRW-BTC', hashInput: 'x', hash: 'ab'.repeat(64) }),
    ]) {
      const r = await attempt;
      expect(r.status).toBe(401);
      expect(r.data).toEqual({ error: { name: 'invalid_query_payload', message: expect.any(String) } });
      expect(r.remainingReq).toMatch(/^group=default; min=\d+; sec=\d+$/);
    }
    const still = await send('GET', '/v1/order', { query: `uuid=${uuid}`, hashInput: `uuid=${uuid}` });
    expect(still.data.state).toBe('wait');
  });

  it('parameters split between the query and the body are all covered by the hash', async () => {
    const { uuid } = await restingBid('KRW-BTC', 6000);
    // The hash over the query alone does not cover the body's uuid.
    const partial = await send('DELETE', '/v1/order', {
      query: 'identifier=none',
      json: { uuid },
      hashInput: 'identifier=none',
    });
    expect(partial.status).toBe(401);
    expect(partial.data.error.name).toBe('invalid_query_payload');
    const same = await send('DELETE', '/v1/order', {
      query: `uuid=${uuid}`,
      json: { uuid },
      hashInput: `uuid=${uuid}&uuid=${uuid}`,
    });
    expect(same.status).toBe(400);
    expect(same.data.error.name).toBe('validation_error');
  });
});

describe('POST parameters in the query string', () => {
  it('an order sent as query parameters is placed, hashed over the query as sent', async () => {
    const price = roundToTick('KRW', (await bestBid('KRW-XRP')).mul('0.9'), 'bid');
    const volume = new Decimal(6000).div(price).toDecimalPlaces(0, Decimal.ROUND_UP);
    const identifier = `wild-${randomUUID()}`;
    const query = `market=KRW-XRP&side=bid&ord_type=limit&price=${price.toFixed()}&volume=${volume.toFixed()}&identifier=${identifier}`;
    const wrong = await send('POST', '/v1/orders', { query, hashInput: query.replace('side=bid', 'side=ask') });
    expect(wrong.status).toBe(401);
    expect(wrong.data.error.name).toBe('invalid_query_payload');
    const r = await send('POST', '/v1/orders', { query, hashInput: query });
    expect(r.status).toBe(201);
    expect(r.data).toMatchObject({
      market: 'KRW-XRP',
      side: 'bid',
      ord_type: 'limit',
      price: price.toFixed(),
      volume: volume.toFixed(),
      identifier,
      state: 'wait',
    });
    expect(r.data.locked).toBe(price.mul(volume).mul('1.0005').toFixed());
  });
});

describe('repeated keys are the list they spell', () => {
  it('markets=A&markets=B asks for both markets, as markets=A,B does', async () => {
    for (const path of ['/v1/ticker', '/v1/orderbook']) {
      const repeated = await (await fetch(`${sim.baseUrl}${path}?markets=KRW-BTC&markets=KRW-ETH`)).json();
      const comma = await (await fetch(`${sim.baseUrl}${path}?markets=KRW-BTC,KRW-ETH`)).json();
      expect(repeated.map((r: { market: string }) => r.market)).toEqual(['KRW-BTC', 'KRW-ETH']);
      expect(repeated.map((r: { market: string }) => r.market)).toEqual(comma.map((r: { market: string }) => r.market));
    }
  });

  it('states[]=done&states[]=cancel in a form body lists both states', async () => {
    // A done order: a small bid above the best ask fills at once. A cancelled one: a resting bid, cancelled.
    const ask = new Decimal(
      (await (await fetch(`${sim.baseUrl}/v1/orderbook?markets=KRW-BTC`)).json())[0].orderbook_units[2].ask_price,
    );
    const volume = new Decimal(6000).div(ask).toDecimalPlaces(8, Decimal.ROUND_UP);
    const buy = { market: 'KRW-BTC', side: 'bid', ord_type: 'limit', price: ask.toFixed(), volume: volume.toFixed() };
    const done = await send('POST', '/v1/orders', {
      json: buy,
      hashInput: Object.entries(buy)
        .map(([k, v]) => `${k}=${v}`)
        .join('&'),
    });
    expect(done.status).toBe(201);
    const { uuid: cancelled } = await restingBid('KRW-BTC', 6000);
    await send('DELETE', '/v1/order', { query: `uuid=${cancelled}`, hashInput: `uuid=${cancelled}` });
    // On the legacy listing, whose default state is `wait`: a body not read, or one state kept, shows.
    const form = 'market=KRW-BTC&states[]=done&states[]=cancel';
    const r = await send('GET', '/v1/orders', { form: form.replaceAll('[]', '%5B%5D'), hashInput: form });
    expect(r.status).toBe(200);
    const byUuid = new Map(r.data.map((o: { uuid: string; state: string }) => [o.uuid, o.state]));
    expect(byUuid.get(done.data.uuid)).toBe('done');
    expect(byUuid.get(cancelled)).toBe('cancel');
    expect([...new Set(byUuid.values())].sort()).toEqual(['cancel', 'done']);
  });
});

describe('booleans written True/False', () => {
  it('isDetails=True gives the market events, is_details=False does not, anything else is a type mismatch', async () => {
    const on = await (await fetch(`${sim.baseUrl}/v1/market/all?isDetails=True`)).json();
    expect(on[0].market_event).toBeDefined();
    const off = await (await fetch(`${sim.baseUrl}/v1/market/all?is_details=False`)).json();
    expect(off[0].market_event).toBeUndefined();
    const bad = await fetch(`${sim.baseUrl}/v1/market/all?is_details=maybe`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: { name: 400, message: 'Type mismatch error. Check the parameters type!' },
    });
  });
});

describe('the legacy GET /v1/orders listing', () => {
  it('answers pyupbit get_order(ticker): form body market, state, page, limit, order_by', async () => {
    const { uuid } = await restingBid('KRW-ETH', 6000);
    const form = 'market=KRW-ETH&state=wait&page=1&limit=100&order_by=desc';
    const r = await send('GET', '/v1/orders', { form, hashInput: form });
    expect(r.status).toBe(200);
    expect(r.remainingReq).toMatch(/^group=default; min=\d+; sec=\d+$/);
    expect(r.data.map((o: { uuid: string }) => o.uuid)).toContain(uuid);
    expect(r.data.every((o: { market: string; state: string }) => o.market === 'KRW-ETH' && o.state === 'wait')).toBe(
      true,
    );
    const byUuid = await send('GET', '/v1/orders', { query: `uuids[]=${uuid}`, hashInput: `uuids[]=${uuid}` });
    expect(byUuid.data.map((o: { uuid: string }) => o.uuid)).toEqual([uuid]);
  });

  it('refuses mixing open and closed states with an exchange error and Remaining-Req, never a quotation 404', async () => {
    const query = 'states[]=wait&states[]=done';
    const r = await send('GET', '/v1/orders', { query, hashInput: query });
    expect(r.status).toBe(400);
    expect(r.data).toEqual({ error: { name: 'validation_error', message: expect.any(String) } });
    expect(r.remainingReq).toMatch(/^group=default; min=\d+; sec=\d+$/);
  });
});

describe('amounts in exponent notation', () => {
  it('volume "4.2e-05" (Python str of a float) is the plain decimal it denotes', async () => {
    const price = roundToTick('KRW', (await bestBid('KRW-BTC')).mul('0.9'), 'bid');
    const plain = new Decimal(6000).div(price).toDecimalPlaces(8, Decimal.ROUND_UP);
    const written = plain.toExponential();
    expect(written).toMatch(/e-/);
    const body = { market: 'KRW-BTC', side: 'bid', volume: written, price: price.toFixed(), ord_type: 'limit' };
    const hashInput = Object.entries(body)
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const r = await send('POST', '/v1/orders', { json: body, hashInput });
    expect(r.status).toBe(201);
    expect(r.data.volume).toBe(plain.toFixed());
    expect(r.data.locked).toBe(price.mul(plain).mul('1.0005').toFixed());
    // Exponent notation changes nothing else: nine decimals are refused as they are written plainly,
    // and an absurd exponent is refused at once instead of being written out.
    for (const volume of ['1.23456789e-1', '1e999999999']) {
      const refused = { ...body, volume };
      const t = await send('POST', '/v1/orders', {
        json: refused,
        hashInput: Object.entries(refused)
          .map(([k, v]) => `${k}=${v}`)
          .join('&'),
      });
      expect(t.status).toBe(400);
      expect(t.data.error.name).toBe('validation_error');
    }
  });
});
