// Standalone API process (docker-compose `api` service).
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { readRuntimeConfig } from '../core/environment';
import { exchangeProvider, keysFor } from '../exchange/provider';
import { openDatabase } from '../prisma/db';
import { prepareAccess } from '../security/first-start';
import { KeyVault } from '../security/vault';
import { buildApi } from './server';

const cfg = readRuntimeConfig();
if (!cfg.temporalAddress) throw new Error('TEMPORAL_ADDRESS is required for a standalone API');
const db = await openDatabase();
const masterKey = await prepareAccess(db, cfg.dataDir, (line) => console.log(line));
const vault = new KeyVault(db, masterKey);
const connection = await Connection.connect({ address: cfg.temporalAddress });
const temporal = new Client({ connection, namespace: cfg.temporalNamespace });
const api = await buildApi(
  {
    db,
    temporal,
    exchange: exchangeProvider({ simUrl: cfg.simUrl, upbitUrl: cfg.upbitUrl, vault }),
    defaultMode: cfg.mode,
    temporalUiUrl: cfg.temporalUiUrl,
    namespace: cfg.temporalNamespace,
    masterKey,
    allowLive: cfg.allowLive,
    liveKeyAvailable: () =>
      keysFor('live', vault)().then(
        () => true,
        () => false,
      ),
  },
  {
    logger: { level: cfg.logLevel || 'info' },
    webDist: fileURLToPath(new URL('../web/dist', import.meta.url)),
    allowedHosts: cfg.apiHosts,
    // "true", or the proxy's addresses (comma-separated IPs or CIDRs).
    trustProxy: cfg.trustProxy,
  },
);
await api.listen({ port: cfg.port, host: cfg.host });
const stop = async () => {
  await api.close();
  await connection.close();
  await db.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
