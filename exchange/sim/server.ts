import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { type Balance, Dec, type SimKey } from './accounts';
import { authenticate, NonceBook } from './auth';
import { type Account, Engine } from './engine';
import { exchangeError, quotationError, UpbitError } from './errors';
import { type FailureMode, type FaultConfig, faultsFromEnv, parseFaults } from './faults';
import type { MarketFeed } from './feed';
import { LiveFeed, type LiveOptions } from './live-feed';
import type { AskBid, MarketState } from './market-state';
import type { SimFill, SimOrder } from './orders';
import { floorToTick } from './price-grid';
import { RateLimiter, remainingReq } from './rate-limit';
import { ReplayFeed, type ReplayOptions } from './replay-feed';
import { exchangeParams, quotationParams } from './request-params';
import { findRoute, type Route, upbitRoutes } from './routes';
import { loadBalance, loadFill, loadOrder, MemorySimStore, type SimStore, StoreWriter } from './store';
import { Rng, SyntheticFeed } from './synthetic-feed';
import { attachWebSockets, type WebSocketHub } from './websocket';

export interface SimAccountSeed {
  accessKey: string;
  secretKey: string;
  /** Starting KRW (decimal string), credited only when the key is new to the store. */
  krw?: string;
  /** Other starting holdings, e.g. { BTC: '0.5' }. */
  holdings?: Record<string, string>;
}

export interface SimOptions {
  /** 0 = a free port (default SIM_PORT or 7780 only in main.ts). */
  port?: number;
  host?: string;
  /** Seed of the synthetic market (same seed, same prices). */
  seed?: number;
  feed?: 'synthetic' | 'replay' | 'live';
  /** How often the market trades, ms (default 250). */
  tickMs?: number;
  store?: SimStore;
  /** Key pairs; default one pair from SIM_ACCESS_KEY / SIM_SECRET_KEY with SIM_KRW. */
  accounts?: SimAccountSeed[];
  faults?: FaultConfig;
  /** Multiplies every rate-limit budget (benchmarks); 0 disables limits. Default 1 (Upbit's budgets). */
  rateLimitScale?: number;
  /** Minutes of one-minute history generated at start (synthetic feed; default 5760). */
  historyMinutes?: number;
  /** Replay feed: stored candles from the database. */
  replay?: ReplayOptions;
  /** Live (paper) feed: polls an Upbit-compatible quotation API. */
  live?: LiveOptions;
  /** A ready feed, replacing `feed`. */
  customFeed?: MarketFeed;
  /** Clock (ms); tests may pin it. */
  now?: () => number;
}

export interface Simulator {
  baseUrl: string;
  wsUrl: string;
  privateWsUrl: string;
  port: number;
  /** The default (first) key pair. */
  keys: { accessKey: string; secretKey: string };
  engine: Engine;
  markets: Map<string, MarketState>;
  /** Adds a key pair with starting holdings. */
  addAccount(seed: SimAccountSeed): void;
  /** Moves a market's price at once; resting orders at or through it fill. */
  setPrice(market: string, price: number): number;
  setFaults(f: FaultConfig): void;
  faults(): FaultConfig;
  /** Runs one market tick now. */
  tick(): Promise<void>;
  /** Waits until every change is written to the store. */
  flush(): Promise<void>;
  /** API requests served so far (admin calls not counted), by path without the query, e.g. `/v1/candles/minutes/1`. */
  requests: ReadonlyMap<string, number>;
  close(): Promise<void>;
}

export const DEFAULT_ACCESS_KEY = 'sim-access-key';
export const DEFAULT_SECRET_KEY = 'sim-secret-key';
export const DEFAULT_KRW = '10000000';
const MAX_BODY = 16 * 1024;

function defaultAccounts(env = process.env): SimAccountSeed[] {
  return [
    {
      accessKey: env.SIM_ACCESS_KEY || DEFAULT_ACCESS_KEY,
      secretKey: env.SIM_SECRET_KEY || DEFAULT_SECRET_KEY,
      krw: env.SIM_KRW || DEFAULT_KRW,
    },
  ];
}

async function makeFeed(opts: SimOptions, tickMs: number): Promise<MarketFeed> {
  if (opts.customFeed) return opts.customFeed;
  const kind = opts.feed ?? 'synthetic';
  if (kind === 'replay') {
    if (!opts.replay) throw new Error('feed "replay" needs options.replay (the database and what to replay)');
    return new ReplayFeed(opts.replay);
  }
  if (kind === 'live') {
    if (!opts.live) throw new Error('feed "live" needs options.live (the upstream base URL)');
    return new LiveFeed(opts.live);
  }
  return new SyntheticFeed({ seed: opts.seed ?? 1, tickMs, historyMinutes: opts.historyMinutes });
}

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

/** Starts an Upbit-compatible exchange on 127.0.0.1 (REST, WebSocket, admin API). */
export async function startSimulator(opts: SimOptions = {}): Promise<Simulator> {
  const tickMs = opts.tickMs ?? 250;
  const feed = await makeFeed(opts, tickMs);
  const now = opts.now ?? (feed.clock ? () => feed.clock!() : Date.now);
  const store = opts.store ?? new MemorySimStore();
  const writer = new StoreWriter(store);
  const states = await feed.init(now());
  const markets = new Map(states.map((s) => [s.market, s]));
  let seqId = now() * 1000;
  // Warm-up: a few seconds of trading before start, so trades and one-second candles exist at once.
  const warmStep = Math.min(tickMs, 500);
  for (let t = now() - 20 * warmStep; t < now(); t += warmStep) {
    for (const p of await feed.step(t)) {
      const m = markets.get(p.market);
      m?.record({
        market: p.market,
        price: p.price,
        volume: p.volume,
        askBid: p.askBid,
        timestamp: t,
        sequentialId: ++seqId,
      });
    }
  }
  let faults: FaultConfig = { ...faultsFromEnv(), ...(opts.faults ?? {}) };
  let burstLeft = faults.burst429 ?? 0;
  // Faults that count down or last a while; their random draws follow the seed.
  const faultRandom = new Rng((opts.seed ?? 1) ^ 0x5eed5eed);
  let loseLeft = 0;
  let outageUntil = 0;
  let ws: WebSocketHub | null = null;

  const recordTrade = (market: string, price: number, volume: number, askBid: AskBid, timestamp: number) => {
    const m = markets.get(market);
    if (!m) return;
    const trade = { market, price, volume, askBid, timestamp, sequentialId: ++seqId };
    m.record(trade);
    ws?.trade(m, trade);
  };

  const engine = new Engine(
    markets,
    {
      trade: recordTrade,
      order: (o: SimOrder, f: SimFill | null) => {
        writer.order(o);
        ws?.myOrder(o, f);
      },
      balances: (accessKey: string, rows: Balance[]) => {
        for (const b of rows) writer.balance(accessKey, b);
        ws?.myAsset(accessKey, rows);
      },
      keyAdded: (k: SimKey) => writer.key(k),
      identifierBurned: (a: string, i: string) => writer.identifier(a, i),
      fill: (f: SimFill, accessKey: string) => writer.fill(accessKey, f),
    },
    now,
  );

  // Restore what the store holds, then add the configured keys that are new to it.
  const saved = await store.load();
  const fillsByOrder = new Map<string, SimFill[]>();
  for (const f of saved.fills) {
    const list = fillsByOrder.get(f.orderUuid) ?? [];
    list.push(loadFill(f));
    fillsByOrder.set(f.orderUuid, list);
  }
  for (const k of saved.keys) {
    const acc = engine.addKey(k, null, false);
    engine.restore(
      acc,
      saved.balances.filter((b) => b.accessKey === k.accessKey).map(loadBalance),
      saved.orders.filter((o) => o.accessKey === k.accessKey).map((o) => loadOrder(o, fillsByOrder.get(o.uuid) ?? [])),
      saved.identifiers.filter((i) => i.accessKey === k.accessKey).map((i) => i.identifier),
    );
  }
  const addAccount = (seed: SimAccountSeed) => {
    if (!seed.accessKey || !seed.secretKey) throw new Error('accessKey and secretKey are required');
    if (engine.accounts.has(seed.accessKey)) return;
    const acc = engine.addKey(
      { accessKey: seed.accessKey, secretKey: seed.secretKey, createdAt: now() },
      new Dec(seed.krw ?? DEFAULT_KRW),
    );
    for (const [currency, amount] of Object.entries(seed.holdings ?? {})) {
      const b = engine.balance(acc, currency);
      b.balance = b.balance.plus(amount);
      writer.balance(seed.accessKey, b);
    }
  };
  const seeds = opts.accounts ?? defaultAccounts();
  for (const s of seeds) addAccount(s);

  const nonces = new NonceBook();
  const limiter = new RateLimiter(opts.rateLimitScale ?? 1);
  const qctx = { markets, engine, now };
  const ectx = { engine, now, lookupLagMs: () => faults.lookupLagMs ?? 0 };

  const routes = upbitRoutes(qctx, ectx);

  const send = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
    gzip = false,
  ) => {
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
  };

  const setPrice = (market: string, raw: number): number => {
    const m = markets.get(market);
    if (!m) throw new Error(`unknown market ${market}`);
    if (!Number.isFinite(raw) || raw <= 0) throw new Error('price must be a positive number');
    const price = floorToTick(raw);
    feed.setPrice(market, price, now());
    engine.matchPrint({ market, price, volume: Number.POSITIVE_INFINITY, askBid: 'ASK' });
    engine.matchPrint({ market, price, volume: Number.POSITIVE_INFINITY, askBid: 'BID' });
    recordTrade(market, price, Number(Math.max(10_000 / price, 1e-8).toFixed(8)), 'BID', now());
    ws?.marketChanged(m);
    return price;
  };

  const admin = async (method: string, path: string, query: URLSearchParams, rawBody: string) => {
    const body = rawBody ? (JSON.parse(rawBody) as Record<string, unknown>) : {};
    if (method === 'GET' && path === '/admin/health') return { ok: true, markets: markets.size };
    if (method === 'POST' && path === '/admin/keys') {
      const seed = body as unknown as SimAccountSeed;
      if (typeof seed.accessKey !== 'string' || typeof seed.secretKey !== 'string')
        throw new Error('accessKey and secretKey (strings) are required');
      if (engine.accounts.has(seed.accessKey)) throw new Error('accessKey already exists');
      if (seed.krw !== undefined && !/^\d+(\.\d+)?$/.test(String(seed.krw)))
        throw new Error('krw must be a decimal string');
      addAccount({ ...seed, krw: seed.krw === undefined ? undefined : String(seed.krw) });
      return { accessKey: seed.accessKey };
    }
    if (path === '/admin/price' && method === 'POST') {
      const market = String(body.market);
      const price = setPrice(market, Number(body.price));
      return { market, price };
    }
    if (path === '/admin/price' && method === 'GET') {
      const m = markets.get(query.get('market') ?? '');
      if (!m) throw new Error('unknown market');
      return { market: m.market, price: m.last, bid: m.bids[0]?.price, ask: m.asks[0]?.price };
    }
    if (path === '/admin/faults') {
      outage();
      if (method === 'DELETE') api.setFaults({});
      else if (method === 'POST') {
        // A merge: only what the body names (re)starts, e.g. an outage keeps its end when latency is added;
        // a key sent as null is removed.
        const patch = parseFaults(body);
        const next: Record<string, unknown> = { ...faults, ...patch };
        for (const [k, v] of Object.entries(body)) if (v === null) delete next[k];
        applyFaults(next as FaultConfig, (k) => k in body);
      }
      return faults;
    }
    if (path === '/admin/ws/drop' && method === 'POST') return { dropped: ws?.dropAll() ?? 0 };
    if (path === '/admin/tick' && method === 'POST') {
      await tick();
      return { ok: true };
    }
    return undefined;
  };

  const requests = new Map<string, number>();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const path = qi >= 0 ? url.slice(0, qi) : url;
    const rawQuery = qi >= 0 ? url.slice(qi + 1) : '';
    const method = req.method ?? 'GET';
    // Every method may carry a body: some clients send GET parameters in one.
    const rawBody = await readBody(req);

    if (path.startsWith('/admin/')) {
      try {
        const out = await admin(method, path, new URLSearchParams(rawQuery), rawBody ?? '');
        if (out === undefined) send(res, 404, { error: 'no such admin endpoint' });
        else send(res, 200, out);
      } catch (e) {
        send(res, 400, { error: (e as Error).message });
      }
      return;
    }

    const down = outage();
    if (down) {
      fail(req, res, down);
      return;
    }
    engine.releasePending();
    if (faults.latencyMs || faults.latencyJitterMs) {
      const ms = (faults.latencyMs ?? 0) + Math.random() * (faults.latencyJitterMs ?? 0);
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
      if (burstLeft > 0) {
        burstLeft--;
        send(res, 429, 'Too many API requests.', { 'Remaining-Req': remainingReq(route.group, 0) });
        return;
      }
      if (faults.errorRate && Math.random() < faults.errorRate) {
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
      if (faults.ban418Seconds) {
        limiter.ban(route.group, scope, now() + faults.ban418Seconds * 1000);
        faults = { ...faults, ban418Seconds: undefined };
      }
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
        const lost = executes(method, route) ? loseReply() : null;
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

  /** Answers a request as a failure mode does: a 500, nothing at all (the client times out), or a cut. */
  const fail = (req: IncomingMessage, res: ServerResponse, mode: FailureMode, headers: Record<string, string> = {}) => {
    if (mode === '500') send(res, 500, exchangeError.internal().body(), headers);
    else if (mode === 'reset') req.socket.destroy();
    // timeout: the reply never comes; the socket closes when the client gives up or the simulator closes.
  };
  /** Requests that change orders (not /v1/orders/test): the ones whose reply the lost-reply fault loses. */
  const executes = (method: string, route: Route) =>
    (method === 'POST' || method === 'DELETE') && route.group !== 'order-test';
  const loseReply = (): FailureMode | null => {
    const mode = faults.lostReplyMode ?? '500';
    if (loseLeft > 0) {
      loseLeft--;
      return mode;
    }
    return faults.lostReplyRate && faultRandom.next() < faults.lostReplyRate ? mode : null;
  };
  /** The outage's failure mode while it lasts; once over, it leaves the configuration. */
  const outage = (): FailureMode | null => {
    if (!outageUntil) return null;
    if (now() < outageUntil) return faults.outageMode ?? '500';
    outageUntil = 0;
    faults = { ...faults, outageSeconds: undefined };
    return null;
  };
  /** Installs a fault configuration; counters and timers of the keys `restarts` names start anew. */
  const applyFaults = (next: FaultConfig, restarts: (key: keyof FaultConfig) => boolean) => {
    const unknown = (next.marketOffline ?? []).filter((m) => !markets.has(m));
    if (unknown.length) throw new Error(`fault "marketOffline": unknown market ${unknown.join(', ')}`);
    faults = next;
    if (restarts('burst429')) burstLeft = next.burst429 ?? 0;
    if (restarts('loseNextReplies')) loseLeft = next.loseNextReplies ?? 0;
    if (restarts('outageSeconds')) {
      outageUntil = next.outageSeconds ? now() + next.outageSeconds * 1000 : 0;
      if (!outageUntil) faults = { ...faults, outageSeconds: undefined };
      else ws?.dropAll();
    }
    engine.stallFillsMs = next.stallFillsMs ?? 0;
    engine.cancelDelayMs = next.cancelDelayMs ?? 0;
    engine.offlineMarkets = new Set(next.marketOffline ?? []);
  };
  applyFaults(parseFaults(faults), () => true);

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      console.error('simulator error', e);
      if (!res.headersSent) send(res, 500, exchangeError.internal().body());
    });
  });
  server.keepAliveTimeout = 65_000;

  let ticking = false;
  const tick = async () => {
    if (ticking) return;
    ticking = true;
    try {
      const prints = await feed.step(now());
      for (const p of prints) {
        const left = engine.matchPrint(p);
        if (left > 1e-8) recordTrade(p.market, p.price, Number(left.toFixed(8)), p.askBid, now());
      }
      engine.releasePending();
      outage();
      ws?.afterTick(now());
      if (faults.wsDropRate) ws?.dropShare(faults.wsDropRate);
    } finally {
      ticking = false;
    }
  };
  const timer = setInterval(() => void tick().catch((e) => console.error('simulator tick failed', e)), tickMs);

  ws = attachWebSockets(server, {
    markets,
    engine,
    now,
    limiter,
    findKey: (a) => engine.accounts.get(a)?.key,
    nonces,
    refuseConnections: () => outage() !== null,
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';

  const api: Simulator = {
    baseUrl: `http://${host}:${port}`,
    wsUrl: `ws://${host}:${port}/websocket/v1`,
    privateWsUrl: `ws://${host}:${port}/websocket/v1/private`,
    port,
    keys: {
      accessKey: seeds[0]?.accessKey ?? DEFAULT_ACCESS_KEY,
      secretKey: seeds[0]?.secretKey ?? DEFAULT_SECRET_KEY,
    },
    engine,
    markets,
    addAccount,
    setPrice,
    setFaults(f: FaultConfig) {
      applyFaults(parseFaults(f), () => true);
    },
    faults: () => ({ ...faults }),
    tick,
    flush: () => writer.flush(),
    requests,
    async close() {
      clearInterval(timer);
      ws?.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await feed.close();
      await writer.close();
      await store.close();
    },
  };
  return api;
}
