// Standalone worker process (docker-compose `worker` and `batch-worker` services): TASK_QUEUES selects the queues.

import { readRuntimeConfig } from '../core/environment';
import { exchangeProvider } from '../exchange/provider';
import { openDatabase } from '../prisma/db';
import { loadMasterKey } from '../security/master-key';
import { KeyVault } from '../security/vault';
import { TASK_QUEUE_DATA } from '../workflows/ids';
import { ExchangeHealth } from './exchange-health';
import { startTradingServices } from './services';
import { installRuntimeLogger } from './workers';

const cfg = readRuntimeConfig();
installRuntimeLogger(cfg.temporalLogLevel);
if (!cfg.temporalAddress) throw new Error('TEMPORAL_ADDRESS is required for a standalone worker');
const queues = cfg.taskQueues;
const db = await openDatabase();
// The same master key as the API's (shared DATA_DIR or MASTER_KEY): the vault's keys are read with it.
const masterKey = loadMasterKey(cfg.dataDir);
const vault = new KeyVault(db, masterKey);
const health = new ExchangeHealth();
const services = await startTradingServices({
  address: cfg.temporalAddress,
  namespace: cfg.temporalNamespace,
  db,
  exchange: exchangeProvider({ simUrl: cfg.simUrl, upbitUrl: cfg.upbitUrl, logger: health, vault }),
  health,
  exchangeUrl: cfg.mode === 'live' ? cfg.upbitUrl : cfg.simUrl,
  mode: cfg.mode,
  taskQueues: queues,
  masterKey,
  // A process that collects also keeps the collector's schedule; one without the `data` queue leaves it alone.
  candleHistoryDays: queues.includes(TASK_QUEUE_DATA) ? cfg.candleHistoryDays : undefined,
  workflowBundlePath: cfg.workflowBundle,
});
const stop = () => services.workers.shutdown();
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
console.log(`worker polling ${queues.join(', ')} on ${cfg.temporalAddress}`);
await services.running;
await services.stop();
await db.close();
