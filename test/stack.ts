// The whole system on loopback for integration tests: a Temporal dev server of its own (so test
// files never share task queues), an in-memory PGlite, the simulator, the workers and the API.
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../api/server';
import type { TradingMode } from '../core/session/config';
import { type SimOptions, type Simulator, startSimulator } from '../exchange/sim/server';
import type { UpbitClient } from '../exchange/upbit/client';
import { type Database, openDatabase } from '../prisma/db';
import { exchangeProvider } from '../workers/exchange';
import { ExchangeHealth } from '../workers/exchange-health';
import { startTradingServices, type TradingServices } from '../workers/services';
import { type DevServer, startDevServer } from '../workers/temporal-server';
import { installRuntimeLogger } from '../workers/workers';
import { TASK_QUEUE_BACKTEST, TASK_QUEUE_DATA, TASK_QUEUE_TRADING } from '../workflows/ids';

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
  /** Starts the workers (separately, so a test can stop and restart them). */
  startWorkers(): Promise<TradingServices>;
  stop(): Promise<void>;
}

export interface StackOptions {
  sim?: SimOptions;
  dynamicConfig?: Record<string, unknown>;
  /** A PostgreSQL URL (shared with worker processes) instead of an in-memory PGlite. */
  databaseUrl?: string;
  /** Starts the candle collector's schedule with this many days of history (off by default: it uses rate budget). */
  candleHistoryDays?: number;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const temporal = await startDevServer({ headless: true, dynamicConfig: opts.dynamicConfig });
  const db = await openDatabase({ databaseUrl: opts.databaseUrl ?? 'memory://' });
  const sim = await startSimulator({ port: 0, seed: 7, tickMs: 100, historyMinutes: 600, ...opts.sim });
  const health = new ExchangeHealth(5_000);
  const exchange = exchangeProvider({ simUrl: sim.baseUrl, upbitUrl: 'http://127.0.0.1:9', logger: health });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: 'default' });
  const api = await buildApi(
    { db, temporal: client, exchange, defaultMode: 'sim', namespace: 'default' },
    { webDist: join(import.meta.dirname, '..', 'web', 'dist') },
  );
  await api.listen({ port: 0, host: '127.0.0.1' });
  const { port } = api.server.address() as { port: number };
  const running: TradingServices[] = [];

  return {
    temporal,
    client,
    db,
    sim,
    exchange,
    health,
    api,
    apiUrl: `http://127.0.0.1:${port}`,
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
