// Everything a worker process runs besides Temporal's own polling: the shared price feed, alerts,
// the activities' dependencies and (where `trading` is polled) the private-stream fill ingester. One place, used by
// the dev launcher, the standalone worker and the tests.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { AccountLimits } from '../activities/account-limits';
import { Alerter } from '../activities/alerts';
import { PriceFeed } from '../activities/price-feed';
import { readAccountLimits } from '../core/environment';
import type { TradingMode } from '../core/session/config';
import { keysFor } from '../exchange/provider';
import type { UpbitClient } from '../exchange/upbit/client';
import type { Database } from '../prisma/db';
import { recordEvent } from '../prisma/repositories/events';
import { SecretBox } from '../security/secret-box';
import { KeyVault } from '../security/vault';
import { TASK_QUEUE_TRADING } from '../workflows/ids';
import type { ExchangeHealth } from './exchange-health';
import { type FillIngester, startFillIngester, wsBaseOf } from './fill-ingester';
import { ensureAccountSnapshotSchedule, ensureCandleCollectorSchedule, ensureUniverseSchedule } from './schedules';
import { createWorkers, type WorkerSet } from './workers';

export interface TradingServices {
  workers: WorkerSet;
  running: Promise<void>;
  alerter: Alerter;
  /** The private order stream's reader; null in a process that polls no `trading` queue. */
  ingester: FillIngester | null;
  stop(): Promise<void>;
}

export async function startTradingServices(opts: {
  address: string;
  namespace: string;
  db: Database;
  exchange: (mode: TradingMode) => UpbitClient;
  /** REST base of the exchange whose private stream carries this deployment's fills. */
  exchangeUrl: string;
  mode: TradingMode;
  taskQueues: string[];
  priceIntervalMs?: number;
  /** The exchange clients' health monitor, if they were built with one: its reports are recorded here. */
  health?: ExchangeHealth;
  /** Account-wide money limits; read from the environment when not given. */
  accountLimits?: AccountLimits;
  /** The master key: the alert channels' sealed targets and the vault's keys are opened with it. */
  masterKey?: Buffer;
  /** Days of 1-minute history the candle collector keeps; absent = no collector schedule from this process. */
  candleHistoryDays?: number;
  /** A workflow bundle built ahead (WORKFLOW_BUNDLE); absent = bundled at start. */
  workflowBundlePath?: string;
}): Promise<TradingServices> {
  const { db, exchange } = opts;
  // The deployment's exchange streams its prices; another mode's (e.g. paper next to sim) are polled.
  const prices = new PriceFeed(exchange, {
    intervalMs: opts.priceIntervalMs,
    streamUrl: (mode) => (mode === opts.mode ? wsBaseOf(opts.exchangeUrl) : undefined),
  });
  // Sends the queued alerts (risk events, fills) to the alert channels, retrying while one is down.
  const alerter = new Alerter(db, { box: opts.masterKey && new SecretBox(opts.masterKey, 'alert-targets') });
  if (opts.health) {
    opts.health.report = async ({ message, details }) => {
      await recordEvent(db.prisma, { sessionId: null, kind: 'exchange_degraded', severity: 'warn', message, details });
    };
  }
  const connection = await NativeConnection.connect({ address: opts.address });
  const workers = await createWorkers({
    connection,
    namespace: opts.namespace,
    deps: { db, exchange, prices, accountLimits: opts.accountLimits ?? readAccountLimits() },
    taskQueues: opts.taskQueues,
    workflowBundlePath: opts.workflowBundlePath,
  });
  const running = workers.run();
  const clientConnection = await Connection.connect({ address: opts.address });
  const client = new Client({ connection: clientConnection, namespace: opts.namespace });
  await ensureUniverseSchedule(client, db, opts.mode);
  await ensureAccountSnapshotSchedule(client, opts.mode);
  if (opts.candleHistoryDays !== undefined)
    await ensureCandleCollectorSchedule(client, opts.mode, opts.candleHistoryDays);
  // The private order stream's hints go to the orders and positions of the `trading` queue. A process that does not
  // poll it (the batch worker) opens no stream: it reads no exchange key, holds no authenticated connection, and does
  // not send every fill's hint a second time beside the trading worker's.
  const ingester = opts.taskQueues.includes(TASK_QUEUE_TRADING)
    ? await startFillIngester({
        client,
        wsUrl: wsBaseOf(opts.exchangeUrl),
        // Read at each (re)connect: a rotated key is used from the next connection on.
        keys: keysFor(opts.mode, opts.masterKey && new KeyVault(db, opts.masterKey)),
        mode: opts.mode,
        onReconnect: async () => {
          const message = 'private order stream reconnected; running orders re-read the exchange';
          await recordEvent(db.prisma, { sessionId: null, kind: 'stream_reconnect', severity: 'warn', message });
        },
      })
    : null;
  alerter.start();
  let stopping: Promise<void> | undefined;
  return {
    workers,
    running,
    alerter,
    ingester,
    stop() {
      stopping ??= stopAll();
      return stopping;
    },
  };

  async function stopAll() {
    opts.health?.stop();
    await ingester?.close();
    workers.shutdown();
    await running.catch(() => undefined);
    prices.stop();
    await alerter.stop();
    await clientConnection.close();
    await connection.close();
  }
}
