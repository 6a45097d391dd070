// Standalone worker process (docker-compose `worker` service): TASK_QUEUES selects the queues.
import { NativeConnection } from '@temporalio/worker';
import { PriceFeed } from '../activities/price-feed';
import { openDatabase } from '../prisma/db';
import { TASK_QUEUE_BACKTEST, TASK_QUEUE_TRADING } from '../workflows/ids';
import { readRuntimeConfig } from './config';
import { exchangeProvider } from './exchange';
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
const stop = () => workers.shutdown();
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
console.log(`worker polling ${queues.join(', ')} on ${cfg.temporalAddress}`);
await workers.run();
prices.stop();
await connection.close();
await db.close();
