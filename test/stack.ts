// The whole system on loopback for integration tests: a Temporal dev server of its own (so test
// files never share task queues), an in-memory PGlite, the simulator, the workers and the API.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { PriceFeed } from '../activities/price-feed';
import { buildApi } from '../api/server';
import type { TradingMode } from '../core/session/config';
import { type SimOptions, type Simulator, startSimulator } from '../exchange/sim/server';
import type { UpbitClient } from '../exchange/upbit/client';
import { type Database, openDatabase } from '../prisma/db';
import { exchangeProvider, keysFor } from '../workers/exchange';
import { type FillIngester, startFillIngester, wsBaseOf } from '../workers/fill-ingester';
import { type DevServer, startDevServer } from '../workers/temporal-server';
import { createWorkers, installRuntimeLogger, type WorkerSet } from '../workers/workers';
import { TASK_QUEUE_BACKTEST, TASK_QUEUE_TRADING } from '../workflows/ids';

installRuntimeLogger();

export interface Stack {
  temporal: DevServer;
  client: Client;
  db: Database;
  sim: Simulator;
  exchange: (mode: TradingMode) => UpbitClient;
  api: FastifyInstance;
  apiUrl: string;
  /** Starts the workers (separately, so a test can stop and restart them). */
  startWorkers(): Promise<WorkerSet>;
  stop(): Promise<void>;
}

export interface StackOptions {
  sim?: SimOptions;
  dynamicConfig?: Record<string, unknown>;
  /** A PostgreSQL URL (shared with worker processes) instead of an in-memory PGlite. */
  databaseUrl?: string;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const temporal = await startDevServer({ headless: true, dynamicConfig: opts.dynamicConfig });
  const db = await openDatabase({ databaseUrl: opts.databaseUrl ?? 'memory://' });
  const sim = await startSimulator({ port: 0, seed: 7, tickMs: 100, historyMinutes: 600, ...opts.sim });
  const exchange = exchangeProvider({ simUrl: sim.baseUrl, upbitUrl: 'http://127.0.0.1:9' });
  const prices = new PriceFeed(exchange, 250);
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: 'default' });
  const api = await buildApi({ db, temporal: client, exchange, defaultMode: 'sim', namespace: 'default' });
  await api.listen({ port: 0, host: '127.0.0.1' });
  const { port } = api.server.address() as { port: number };
  const running: { set: WorkerSet; done: Promise<void>; conn: NativeConnection }[] = [];
  let ingester: FillIngester | undefined;

  return {
    temporal,
    client,
    db,
    sim,
    exchange,
    api,
    apiUrl: `http://127.0.0.1:${port}`,
    async startWorkers() {
      const conn = await NativeConnection.connect({ address: temporal.address });
      const set = await createWorkers({
        connection: conn,
        namespace: 'default',
        deps: { db, exchange, prices },
        taskQueues: [TASK_QUEUE_TRADING, TASK_QUEUE_BACKTEST],
      });
      running.push({ set, done: set.run(), conn });
      if (!ingester)
        ingester = await startFillIngester({ client, wsUrl: wsBaseOf(sim.baseUrl), keys: keysFor('sim'), mode: 'sim' });
      return set;
    },
    async stop() {
      for (const r of running) {
        r.set.shutdown();
        await r.done.catch(() => undefined);
        await r.conn.close();
      }
      await ingester?.close();
      prices.stop();
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
