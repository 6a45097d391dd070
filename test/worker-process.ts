// A trading worker in its own process, for tests that kill it (SIGKILL) and start another.
// Env: TEMPORAL_ADDRESS, SIM_URL, DATABASE_URL; optional WORKFLOW_BUNDLE (built ahead) and crash point
// (activities/crash-points.ts).

import { exchangeProvider } from '../exchange/provider';
import { openDatabase } from '../prisma/db';
import { startTradingServices } from '../workers/services';
import { installRuntimeLogger } from '../workers/workers';
import { TASK_QUEUE_TRADING } from '../workflows/ids';

installRuntimeLogger();
const simUrl = process.env.SIM_URL!;
const db = await openDatabase();
const services = await startTradingServices({
  address: process.env.TEMPORAL_ADDRESS!,
  namespace: 'default',
  db,
  exchange: exchangeProvider({ simUrl, upbitUrl: 'http://127.0.0.1:9' }),
  exchangeUrl: simUrl,
  mode: 'sim',
  taskQueues: [TASK_QUEUE_TRADING],
  priceIntervalMs: 250,
  workflowBundlePath: process.env.WORKFLOW_BUNDLE || undefined,
});
process.on('SIGTERM', () => services.workers.shutdown());
process.stdout.write('worker ready\n');
await services.running;
await services.stop();
await db.close();
process.exit(0);
