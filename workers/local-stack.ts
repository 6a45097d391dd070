// The whole system on loopback for integration tests and benchmarks: a Temporal dev server of its own (so
// test files never share task queues), an in-memory PGlite, the simulator, the workers and the API.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../api/server';
import type { RateLimits } from '../core/environment';
import type { TradingMode } from '../core/session/config';
import { exchangeProvider, keysFor } from '../exchange/provider';
import { type SimOptions, type Simulator, startSimulator } from '../exchange/sim/server';
import type { UpbitClient } from '../exchange/upbit/client';
import { type Database, openDatabase } from '../prisma/db';
import { ensureFirstAdmin } from '../security/users';
import { KeyVault } from '../security/vault';
import { TASK_QUEUE_BACKTEST, TASK_QUEUE_DATA, TASK_QUEUE_TRADING } from '../workflows/ids';
import { ExchangeHealth } from './exchange-health';
import { startTradingServices, type TradingServices } from './services';
import { type DevServer, startDevServer } from './temporal-server';
import { installRuntimeLogger } from './workers';

installRuntimeLogger();

export interface Stack {
  temporal: DevServer;
  client: Client;
  db: Database;
  sim: Simulator;
  exchange: (mode: TradingMode) => UpbitClient;
  /** The exchange clients' warnings (429s, bans, retries), counted until the next report. */
  health: ExchangeHealth;
  api: FastifyInstance;
  apiUrl: string;
  /** The master key the API signs tokens with (a test can forge an expired token with it). */
  masterKey: Buffer;
  /** The exchange keys' vault the API and the workers share. */
  vault: KeyVault;
  /** The first admin's credentials. */
  admin: { username: string; password: string };
  /** An access token for the user (a fresh login each call). */
  login(username: string, password: string): Promise<string>;
  /** `Authorization: Bearer` of the admin, signed in once and again before the token expires. */
  authHeaders(): Promise<Record<string, string>>;
  /** Starts the workers (separately, so a test can stop and restart them). */
  startWorkers(): Promise<TradingServices>;
  stop(): Promise<void>;
}

export interface StackOptions {
  sim?: SimOptions;
  dynamicConfig?: Record<string, unknown>;
  /** A PostgreSQL URL (shared with worker processes) instead of an in-memory PGlite. */
  databaseUrl?: string;
  /**
   * Live mode allowed (as with ALLOW_LIVE=1), with the simulator standing in for Upbit: `live` clients
   * talk to it with the keys in UPBIT_ACCESS_KEY/UPBIT_SECRET_KEY.
   */
  live?: boolean;
  /** Where the API writes its log (JSON lines, level info); none by default. */
  apiLog?: NodeJS.WritableStream;
  /** Starts the candle collector's schedule with this many days of history (off by default: it uses rate budget). */
  candleHistoryDays?: number;
  /**
   * The API's request limits. Tests call far more often than people do (the fuzz test alone makes
   * thousands of calls), so the stack's defaults are high; a test of the limits passes its own.
   */
  rateLimits?: Partial<RateLimits>;
}

const TEST_RATE_LIMITS: RateLimits = { perMinute: 100_000, backtestsPerHour: 10_000, sessionStartsPerHour: 10_000 };

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const temporal = await startDevServer({ headless: true, dynamicConfig: opts.dynamicConfig });
  const db = await openDatabase({ databaseUrl: opts.databaseUrl ?? 'memory://' });
  const sim = await startSimulator({ port: 0, seed: 7, tickMs: 100, historyMinutes: 600, ...opts.sim });
  const health = new ExchangeHealth(5_000);
  const masterKey = randomBytes(32);
  const vault = new KeyVault(db, masterKey);
  const exchange = exchangeProvider({
    vault,
    simUrl: sim.baseUrl,
    upbitUrl: opts.live ? sim.baseUrl : 'http://127.0.0.1:9',
    logger: health,
  });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: 'default' });
  const admin = { username: 'admin', password: 'admin-password-for-tests' };
  await ensureFirstAdmin(db, admin.password);
  const api = await buildApi(
    {
      db,
      temporal: client,
      exchange,
      defaultMode: 'sim',
      namespace: 'default',
      masterKey,
      allowLive: opts.live ?? false,
      liveKeyAvailable: () =>
        keysFor('live', vault)().then(
          () => true,
          () => false,
        ),
    },
    {
      webDist: join(import.meta.dirname, '..', 'web', 'dist'),
      logger: opts.apiLog ? { level: 'info', stream: opts.apiLog } : false,
      rateLimits: { ...TEST_RATE_LIMITS, ...opts.rateLimits },
    },
  );
  await api.listen({ port: 0, host: '127.0.0.1' });
  const { port } = api.server.address() as { port: number };
  const running: TradingServices[] = [];
  const apiUrl = `http://127.0.0.1:${port}`;
  const login = (username: string, password: string) => loginAt(apiUrl, username, password);
  let adminToken: { token: string; at: number } | undefined;

  return {
    temporal,
    client,
    db,
    sim,
    exchange,
    health,
    api,
    apiUrl,
    masterKey,
    vault,
    admin,
    login,
    async authHeaders() {
      // Access tokens live 15 minutes; sign in again well before.
      if (!adminToken || Date.now() - adminToken.at > 10 * 60_000)
        adminToken = { token: await login(admin.username, admin.password), at: Date.now() };
      return { authorization: `Bearer ${adminToken.token}` };
    },
    async startWorkers() {
      const services = await startTradingServices({
        address: temporal.address,
        namespace: 'default',
        db,
        exchange,
        exchangeUrl: sim.baseUrl,
        mode: 'sim',
        taskQueues: [TASK_QUEUE_TRADING, TASK_QUEUE_BACKTEST, TASK_QUEUE_DATA],
        priceIntervalMs: 250,
        health,
        masterKey,
        candleHistoryDays: opts.candleHistoryDays,
      });
      running.push(services);
      return services;
    },
    async stop() {
      for (const r of running) await r.stop();
      await api.close();
      await connection.close();
      await sim.close();
      await db.close();
      await temporal.stop();
    },
  };
}

/** Signs in at the API and returns the access token. */
export async function loginAt(apiUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${apiUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login as ${username}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** Polls `probe` until it returns a truthy value or the time runs out. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
