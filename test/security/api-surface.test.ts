// The API surface a browser or a script meets before any route runs: security headers (helmet), the
// request limits (per address, and per-user quotas on session starts and backtest launches), strict
// request types (a JSON body is never coerced), and a 500 that tells the client only a request id.
// Real API on loopback, real Temporal, database and simulator.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS, readRateLimits } from '../../api/rate-limits';
import { buildApi } from '../../api/server';
import { CHROMIUM, launchChromium } from '../../bench/browser';
import { exchangeProvider } from '../../exchange/provider';
import { type Stack, startStack } from '../stack';

const QUOTA = 2;
const WEB_DIST = join(import.meta.dirname, '..', '..', 'web', 'dist');
let stack: Stack;
const extra: FastifyInstance[] = [];

beforeAll(async () => {
  stack = await startStack({ rateLimits: { sessionStartsPerHour: QUOTA, backtestsPerHour: QUOTA } });
});
afterAll(async () => {
  for (const api of extra) await api.close();
  await stack?.stop();
});

async function call(method: string, path: string, body?: unknown, token?: string, base = stack.apiUrl) {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : await stack.authHeaders();
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...headers, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, body: json, text };
}

/** A second API on the stack's database and Temporal, with its own options, listening on loopback. */
async function otherApi(ctx: Partial<Parameters<typeof buildApi>[0]>, opts: Parameters<typeof buildApi>[1]) {
  const api = await buildApi(
    {
      db: stack.db,
      temporal: stack.client,
      exchange: stack.exchange,
      defaultMode: 'sim',
      namespace: 'default',
      masterKey: stack.masterKey,
      ...ctx,
    },
    opts,
  );
  extra.push(api);
  await api.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
}

describe('security headers', () => {
  it('the dashboard and Swagger UI get a strict policy; every answer the helmet headers', async () => {
    const page = await fetch(`${stack.apiUrl}/`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    for (const directive of ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"])
      expect(csp).toContain(directive);
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('strict-transport-security')).toMatch(/^max-age=\d+$/);

    const docs = await fetch(`${stack.apiUrl}/api/docs/static/index.html`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-security-policy')).toBe(csp);

    // Errors carry them too, and /api answers are not cached.
    const denied = await fetch(`${stack.apiUrl}/api/sessions`);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('x-content-type-options')).toBe('nosniff');
    expect(denied.headers.get('cache-control')).toBe('no-store');
  });
});

describe.skipIf(!existsSync(CHROMIUM) || !existsSync(join(WEB_DIST, 'index.html')))('in a browser', () => {
  it('Swagger UI and the dashboard render with no Content-Security-Policy violation', async () => {
    const browser = await launchChromium();
    try {
      for (const [path, shows] of [
        // Swagger UI lists the routes; the dashboard shows its sign-in form.
        ['/api/docs', '.opblock-summary-path[data-path="/api/auth/login"]'],
        ['/', 'button >> text=Sign in'],
      ]) {
        const page = await browser.newPage();
        const problems: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error') problems.push(m.text());
        });
        page.on('pageerror', (e) => problems.push(e.message));
        await page.goto(`${stack.apiUrl}${path}`);
        await page.locator(shows).first().waitFor({ timeout: 30_000 });
        expect(
          problems.filter((p) => /Content Security Policy/i.test(p)),
          path,
        ).toEqual([]);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  }, 90_000);
});

describe('strict request types', () => {
  it('a number where the body wants a string -> 400 naming the field; nothing created', async () => {
    const before = await stack.db.prisma.session.count();
    const r = await call('POST', '/api/sessions', { name: 12345 });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: 'Bad Request', message: 'body/name must be string' });
    const login = await call('POST', '/api/auth/login', { username: 'admin', password: 1234567890 });
    expect(login.status).toBe(400);
    expect(login.body.message).toBe('body/password must be string');
    const flag = await call('POST', '/api/sessions', { name: 'x', config: { liveConfirmed: 'true' } });
    expect(flag.status).toBe(400);
    expect(flag.body.message).toContain('liveConfirmed');
    expect(await stack.db.prisma.session.count()).toBe(before);
  });

  it('a query parameter is converted only to the type its schema declares', async () => {
    const ok = await call('GET', '/api/orders?limit=5');
    expect(ok.status).toBe(200);
    const text = await call('GET', '/api/orders?limit=five');
    expect(text.status).toBe(400);
    expect(text.body.message).toBe('querystring/limit must be integer');
    const infinite = await call('GET', '/api/orders?limit=1e999');
    expect(infinite.status).toBe(400);
    expect(infinite.body.message).toContain('limit');
  });

  it('a path parameter the schema keeps as text is never read as a number: an id like 8e56675492 reaches its route', async () => {
    // Session ids are 10 hex digits; about one in two hundred reads as a number too large for a double. The
    // guard against such numbers refused them, so that session could not be read or emergency-stopped.
    const read = await call('GET', '/api/sessions/8e56675492');
    expect(read.status).toBe(404);
    expect(read.body.message).toBe('no session 8e56675492');
    const stop = await call('POST', '/api/sessions/8e56675492/emergency-stop', {
      mode: 'halt',
      confirm: '8e56675492',
    });
    expect(stop.status).toBe(404);
    expect(stop.body.message).toBe('no session 8e56675492');
  });
});

describe('request limits', () => {
  it('session starts have a per-user quota: past it 429 with a clear JSON error; reads go on', async () => {
    const user = { username: 'quota-admin', password: 'quota-admin-password' };
    expect((await call('POST', '/api/users', { ...user, role: 'admin' })).status).toBe(201);
    const token = await stack.login(user.username, user.password);
    // Input the schema refuses uses no quota.
    for (let i = 0; i < QUOTA + 2; i++)
      expect((await call('POST', '/api/sessions', { name: 7 }, token)).status).toBe(400);
    for (let i = 0; i < QUOTA; i++) {
      const started = await call('POST', '/api/sessions', { name: `quota-${i}` }, token);
      expect(started.status, started.text).toBe(201);
    }
    const refused = await call('POST', '/api/sessions', { name: 'one-too-many' }, token);
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      error: 'Too Many Requests',
      message: expect.stringMatching(/^rate limit of 2 session starts per hour per user reached; try again in \d+ s$/),
    });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await stack.db.prisma.session.count({ where: { name: 'one-too-many' } })).toBe(0);
    // Reading is not blocked by it.
    for (const path of ['/api/sessions', '/api/orders', '/api/health'])
      expect((await call('GET', path, undefined, token)).status, path).toBe(200);
    // The quota is per user: another admin still may start one.
    expect((await call('POST', '/api/sessions', { name: 'quota-other' })).status).toBe(201);
  });

  it('backtest launches have a per-user quota', async () => {
    const body = {
      strategy: 'probe',
      markets: ['KRW-BTC'],
      timeframe: 'minute1',
      from: '2026-01-01T00:00:00Z',
      to: '2026-01-02T00:00:00Z',
    };
    const answers: number[] = [];
    for (let i = 0; i < QUOTA + 1; i++) answers.push((await call('POST', '/api/backtests', body)).status);
    // No candles are stored, so the launches that get through are told so (422); the next is refused.
    expect(answers).toEqual([422, 422, 429]);
    const refused = await call('POST', '/api/backtests', body);
    expect(refused.body.message).toMatch(/^rate limit of 2 backtest launches per hour per user reached/);
  });

  it('the limits come from the environment; a bad value is refused, naming the variable', () => {
    expect(readRateLimits({})).toEqual(DEFAULT_RATE_LIMITS);
    expect(readRateLimits({ RATE_LIMIT_PER_MIN: '50', SESSION_START_QUOTA_PER_HOUR: '3' })).toEqual({
      ...DEFAULT_RATE_LIMITS,
      perMinute: 50,
      sessionStartsPerHour: 3,
    });
    for (const bad of ['0', '-1', '1.5', 'Infinity', 'many'])
      expect(() => readRateLimits({ BACKTEST_QUOTA_PER_HOUR: bad })).toThrow(/^BACKTEST_QUOTA_PER_HOUR must be/);
  });

  it('every address has a per-minute limit, counted before the token is looked at', async () => {
    const base = await otherApi({}, { rateLimits: { perMinute: 5, backtestsPerHour: 9, sessionStartsPerHour: 9 } });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${base}/api/sessions`)).status);
    for (let i = 0; i < 2; i++) statuses.push((await call('GET', '/api/sessions', undefined, undefined, base)).status);
    expect(statuses).toEqual([401, 401, 401, 200, 200]);
    const over = await call('GET', '/api/sessions', undefined, undefined, base);
    expect(over.status).toBe(429);
    expect(over.body).toEqual({
      error: 'Too Many Requests',
      message: expect.stringMatching(
        /^rate limit of 5 requests per minute from one address reached; try again in \d+ s$/,
      ),
    });
    expect(over.headers.get('x-content-type-options')).toBe('nosniff');
    // The main API (its own counters) is not affected.
    expect((await call('GET', '/api/sessions')).status).toBe(200);
  });
});

describe('internal errors', () => {
  it('a 500 answers a generic message with a request id; the detail goes to the log only', async () => {
    const lines: string[] = [];
    const log = new PassThrough();
    log.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    // An exchange nobody listens on: the markets route's call fails in a way no route expects.
    const base = await otherApi(
      { exchange: exchangeProvider({ simUrl: 'http://127.0.0.1:9', upbitUrl: 'http://127.0.0.1:9' }) },
      { logger: { level: 'info', stream: log } },
    );
    const r = await call('GET', '/api/markets', undefined, undefined, base);
    expect(r.status).toBe(500);
    expect(Object.keys(r.body).sort()).toEqual(['error', 'message', 'requestId']);
    expect(r.body.error).toBe('Internal Server Error');
    expect(r.body.message).toBe(`internal error (request id ${r.body.requestId})`);
    expect(r.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|at .*\.ts/);
    const entry = lines
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { reqId?: string; msg?: string; err?: { message?: string; stack?: string } })
      .find((l) => l.msg === 'request failed' && l.reqId === r.body.requestId);
    expect(entry?.err?.message ?? entry?.err?.stack).toBeTruthy();
  });
});
