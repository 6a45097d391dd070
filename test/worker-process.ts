// A trading worker in its own process, for tests that kill it (SIGKILL) and start another.
// Env: TEMPORAL_ADDRESS, SIM_URL, DATABASE_URL; optional crash point (activities/crash-points.ts).
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { PriceFeed } from '../activities/price-feed';
import { openDatabase } from '../prisma/db';
import { exchangeProvider, keysFor } from '../workers/exchange';
import { startFillIngester, wsBaseOf } from '../workers/fill-ingester';
import { createWorkers, installRuntimeLogger } from '../workers/workers';
import { TASK_QUEUE_TRADING } from '../workflows/ids';

installRuntimeLogger();
const address = process.env.TEMPORAL_ADDRESS!;
const simUrl = process.env.SIM_URL!;
const db = await openDatabase();
const exchange = exchangeProvider({ simUrl, upbitUrl: 'http://127.0.0.1:9' });
const prices = new PriceFeed(exchange, 250);
const connection = await NativeConnection.connect({ address });
const workers = await createWorkers({
  connection,
  namespace: 'default',
  deps: { db, exchange, prices },
  taskQueues: [TASK_QUEUE_TRADING],
});
const client = new Client({ connection: await Connection.connect({ address }), namespace: 'default' });
const ingester = await startFillIngester({ client, wsUrl: wsBaseOf(simUrl), keys: keysFor('sim'), mode: 'sim' });
process.on('SIGTERM', () => workers.shutdown());
process.stdout.write('worker ready\n');
await workers.run();
await ingester.close();
prices.stop();
await db.close();
process.exit(0);
