// Standalone worker process (docker-compose `worker` service): TASK_QUEUES selects the queues.

import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { PriceFeed } from '../activities/price-feed';
import { openDatabase } from '../prisma/db';
import { TASK_QUEUE_BACKTEST, TASK_QUEUE_TRADING } from '../workflows/ids';
import { readRuntimeConfig } from './config';
import { exchangeProvider, keysFor } from './exchange';
import { startFillIngester, wsBaseOf } from './fill-ingester';
import { createWorkers, installRuntimeLogger } from './workers';

const cfg = readRuntimeConfig();
installRuntimeLogger();
if (!cfg.temporalAddress) throw new Error('TEMPORAL_ADDRESS is required for a standalone worker');
const queues = (process.env.TASK_QUEUES || `${TASK_QUEUE_TRADING},${TASK_QUEUE_BACKTEST}`)
  .split(',')
  .map((q) => q.trim());
const db = await openDatabase();
const exchange = exchangeProvider({ simUrl: cfg.simUrl, upbitUrl: cfg.upbitUrl });
const prices = new PriceFeed(exchange);
const connection = await NativeConnection.connect({ address: cfg.temporalAddress });
const workers = await createWorkers({
  connection,
  namespace: cfg.temporalNamespace,
  deps: { db, exchange, prices },
  taskQueues: queues,
});
const clientConnection = await Connection.connect({ address: cfg.temporalAddress });
const client = new Client({ connection: clientConnection, namespace: cfg.temporalNamespace });
const ingester = await startFillIngester({
  client,
  wsUrl: wsBaseOf(cfg.mode === 'live' ? cfg.upbitUrl : cfg.simUrl),
  keys: keysFor(cfg.mode),
  mode: cfg.mode,
});
const stop = () => workers.shutdown();
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
console.log(`worker polling ${queues.join(', ')} on ${cfg.temporalAddress}`);
await workers.run();
await ingester.close();
prices.stop();
await clientConnection.close();
await connection.close();
await db.close();
