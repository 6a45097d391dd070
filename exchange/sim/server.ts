// The simulator's assembly: the feed and its markets, the matching engine with its store, the key
// pairs, faults, the tick loop, the HTTP front (REST + admin) and the WebSocket streams on one port.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  addAccount as addSeedAccount,
  DEFAULT_ACCESS_KEY,
  DEFAULT_SECRET_KEY,
  defaultAccounts,
  restoreAccounts,
  type SimAccountSeed,
} from './account-setup';
import type { Balance, SimKey } from './accounts';
import { adminRoutes } from './admin-routes';
import { NonceBook } from './auth';
import { Engine } from './engine';
import { exchangeError } from './errors';
import { FaultState } from './fault-state';
import { type FaultConfig, faultsFromEnv } from './faults';
import type { MarketFeed } from './feed';
import { LiveFeed, type LiveOptions } from './live-feed';
import type { AskBid, MarketState } from './market-state';
import type { SimFill, SimOrder } from './orders';
import { floorToTick } from './price-grid';
import { RateLimiter } from './rate-limit';
import { ReplayFeed, type ReplayOptions } from './replay-feed';
import { createRestHandler, send } from './rest-handler';
import { upbitRoutes } from './routes';
import { MemorySimStore, type SimStore, StoreWriter } from './store';
import { SyntheticFeed } from './synthetic-feed';
import { startTickLoop, warmUp } from './tick-loop';
import { attachWebSockets, type WebSocketHub } from './websocket';

export {
  DEFAULT_ACCESS_KEY,
  DEFAULT_KRW,
  DEFAULT_SECRET_KEY,
  type SimAccountSeed,
} from './account-setup';

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
  await warmUp(feed, markets, now, tickMs, () => ++seqId);
  let ws: WebSocketHub | null = null;
  const hub = () => ws;

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
  restoreAccounts(engine, await store.load());
  const addAccount = (seed: SimAccountSeed) => addSeedAccount(engine, writer, now(), seed);
  const seeds = opts.accounts ?? defaultAccounts();
  for (const s of seeds) addAccount(s);

  const faults = new FaultState(
    { markets, engine, now, dropWebSockets: () => ws?.dropAll() },
    { ...faultsFromEnv(), ...(opts.faults ?? {}) },
    opts.seed ?? 1,
  );
  const nonces = new NonceBook();
  const limiter = new RateLimiter(opts.rateLimitScale ?? 1);
  const routes = upbitRoutes(
    { markets, engine, now },
    { engine, now, lookupLagMs: () => faults.current.lookupLagMs ?? 0 },
  );

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

  const requests = new Map<string, number>();
  const loop = startTickLoop({ feed, engine, faults, now, recordTrade, hub }, tickMs);
  const handle = createRestHandler({
    engine,
    routes,
    limiter,
    nonces,
    faults,
    now,
    requests,
    admin: adminRoutes({ markets, engine, faults, addAccount, setPrice, tick: loop.tick, hub }),
  });
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      console.error('simulator error', e);
      if (!res.headersSent) send(res, 500, exchangeError.internal().body());
    });
  });
  server.keepAliveTimeout = 65_000;

  ws = attachWebSockets(server, {
    markets,
    engine,
    now,
    limiter,
    findKey: (a) => engine.accounts.get(a)?.key,
    nonces,
    refuseConnections: () => faults.outage() !== null,
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';

  return {
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
    setFaults: (f: FaultConfig) => faults.set(f),
    faults: () => ({ ...faults.current }),
    tick: loop.tick,
    flush: () => writer.flush(),
    requests,
    async close() {
      loop.stop();
      ws?.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await feed.close();
      await writer.close();
      await store.close();
    },
  };
}
