// Standalone API process (docker-compose `api` service).
import { Client, Connection } from '@temporalio/client';
import { readRuntimeConfig } from '../core/environment';
import { exchangeProvider } from '../exchange/provider';
import { openDatabase } from '../prisma/db';
import { prepareAccess } from '../security/first-start';
import { KeyVault } from '../security/vault';
import { startApi } from './start';

const cfg = readRuntimeConfig();
if (!cfg.temporalAddress) throw new Error('TEMPORAL_ADDRESS is required for a standalone API');
const db = await openDatabase();
const masterKey = await prepareAccess(db, cfg.dataDir, (line) => console.log(line));
const vault = new KeyVault(db, masterKey);
const connection = await Connection.connect({ address: cfg.temporalAddress });
const temporal = new Client({ connection, namespace: cfg.temporalNamespace });
const api = await startApi(cfg, {
  db,
  temporal,
  exchange: exchangeProvider({ simUrl: cfg.simUrl, upbitUrl: cfg.upbitUrl, vault }),
  vault,
  masterKey,
  defaultLogLevel: 'info',
});
const stop = async () => {
  await api.close();
  await connection.close();
  await db.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
