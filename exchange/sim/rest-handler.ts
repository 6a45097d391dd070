// The simulator's HTTP front: reads a request, sends admin calls to the admin API, and serves the Upbit
// REST routes (routes.ts) through the faults, authentication and rate limits an Upbit client meets.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { AdminHandler } from './admin-routes';
import { authenticate, type NonceBook } from './auth';
import type { Account, Engine } from './engine';
import { exchangeError, quotationError, UpbitError } from './errors';
import type { FaultState } from './fault-state';
import type { FailureMode } from './faults';
import { type RateLimiter, remainingReq } from './rate-limit';
import { exchangeParams, quotationParams } from './request-params';
import { findRoute, type Route } from './routes';

const MAX_BODY = 16 * 1024;

export interface RestContext {
  engine: Engine;
  routes: Map<string, Route>;
  limiter: RateLimiter;
  nonces: NonceBook;
  faults: FaultState;
  now(): number;
  admin: AdminHandler;
  /** API requests served, by path without the query (admin calls not counted). */
  requests: Map<string, number>;
}

/** A body up to MAX_BODY, or null when it was longer. */
function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) tooBig = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(tooBig ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  gzip = false,
) {
  let payload: string | Buffer = typeof body === 'string' ? body : JSON.stringify(body);
  const h: Record<string, string> = {
    'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    ...headers,
  };
  if (gzip && payload.length > 1024) {
    payload = gzipSync(payload);
    h['Content-Encoding'] = 'gzip';
  }
  res.writeHead(status, h);
  res.end(payload);
}

/** Answers a request as a failure mode does: a 500, nothing at all (the client times out), or a cut. */
function fail(req: IncomingMessage, res: ServerResponse, mode: FailureMode, headers: Record<string, string> = {}) {
  if (mode === '500') send(res, 500, exchangeError.internal().body(), headers);
  else if (mode === 'reset') req.socket.destroy();
  // timeout: the reply never comes; the socket closes when the client gives up or the simulator closes.
}

/** Requests that change orders (not /v1/orders/test): the ones whose reply the lost-reply fault loses. */
const executes = (method: string, route: Route) =>
  (method === 'POST' || method === 'DELETE') && route.group !== 'order-test';

export function createRestHandler(ctx: RestContext): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { engine, routes, limiter, nonces, faults, now, requests } = ctx;

  async function admin(res: ServerResponse, method: string, path: string, rawQuery: string, rawBody: string) {
    try {
      const out = await ctx.admin(method, path, new URLSearchParams(rawQuery), rawBody);
      if (out === undefined) send(res, 404, { error: 'no such admin endpoint' });
      else send(res, 200, out);
    } catch (e) {
      send(res, 400, { error: (e as Error).message });
    }
  }

  return async (req, res) => {
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const path = qi >= 0 ? url.slice(0, qi) : url;
    const rawQuery = qi >= 0 ? url.slice(qi + 1) : '';
    const method = req.method ?? 'GET';
    // Every method may carry a body: some clients send GET parameters in one.
    const rawBody = await readBody(req);

    if (path.startsWith('/admin/')) return admin(res, method, path, rawQuery, rawBody ?? '');

    const down = faults.outage();
    if (down) {
      fail(req, res, down);
      return;
    }
    engine.releasePending();
    const { latencyMs, latencyJitterMs } = faults.current;
    if (latencyMs || latencyJitterMs) {
      const ms = (latencyMs ?? 0) + Math.random() * (latencyJitterMs ?? 0);
      await new Promise((r) => setTimeout(r, ms));
    }
    requests.set(path, (requests.get(path) ?? 0) + 1);
    const found = findRoute(routes, method, path);
    if (!found) {
      send(res, 404, quotationError.codeNotFound().body());
      return;
    }
    const { route, params } = found;
    const gzip = !route.auth && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    // Replies refused before the budget was counted (auth errors, faults) still carry Remaining-Req.
    const peekHeader = () => ({
      'Remaining-Req': remainingReq(route.group, limiter.peek(route.group, req.socket.remoteAddress ?? 'local', now())),
    });
    try {
      if (faults.takeBurst()) {
        send(res, 429, 'Too many API requests.', { 'Remaining-Req': remainingReq(route.group, 0) });
        return;
      }
      const { errorRate } = faults.current;
      if (errorRate && Math.random() < errorRate) {
        send(res, 500, exchangeError.internal().body(), peekHeader());
        return;
      }
      let account: Account | null = null;
      let query: URLSearchParams;
      let body: Record<string, unknown> = {};
      if (route.auth) {
        if (rawBody === null) throw exchangeError.validation('요청 본문이 너무 큽니다.');
        const parsed = exchangeParams(method, rawQuery, rawBody, req.headers['content-type']);
        ({ params: query, body } = parsed);
        const key = authenticate(
          req.headers.authorization,
          parsed.hashInput,
          (a) => engine.accounts.get(a)?.key,
          nonces,
        );
        account = engine.accounts.get(key.accessKey)!;
      } else query = quotationParams(rawQuery);
      const scope = route.auth ? account!.key.accessKey : (req.socket.remoteAddress ?? 'local');
      const banSeconds = faults.takeBanSeconds();
      if (banSeconds) limiter.ban(route.group, scope, now() + banSeconds * 1000);
      const browser = !route.auth && req.headers.origin !== undefined;
      const budget = limiter.take(browser ? 'browser-quotation' : route.group, scope, now());
      const header = { 'Remaining-Req': remainingReq(route.group, budget.remaining) };
      if (budget.bannedMs) {
        // Upbit documents no body or header for 418; the block length is stated in the text.
        send(
          res,
          418,
          `I'm a teapot. Too many requests; blocked for ${Math.ceil(budget.bannedMs / 1000)} seconds.`,
          header,
        );
        return;
      }
      if (!budget.allowed) {
        send(res, 429, 'Too many API requests.', header);
        return;
      }
      try {
        const out = route.handler({ query, body, account, params });
        const lost = executes(method, route) ? faults.loseReply() : null;
        if (lost) fail(req, res, lost, header);
        else send(res, route.status ?? 200, out, header, gzip);
      } catch (e) {
        if (e instanceof UpbitError) send(res, e.status, e.body(), header);
        else throw e;
      }
    } catch (e) {
      if (e instanceof UpbitError) {
        const status = e.code === 'validation_error' && rawBody === null ? 413 : e.status;
        send(res, status, e.body(), peekHeader());
      } else {
        console.error('simulator error', e);
        send(res, 500, exchangeError.internal().body(), peekHeader());
      }
    }
  };
}
