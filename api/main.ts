// Standalone API process (docker-compose `api` service).
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { liveTradingAllowed } from '../activities/live-gate';
import { openDatabase } from '../prisma/db';
import { prepareAccess } from '../security/first-start';
import { KeyVault } from '../security/vault';
import { apiHosts, readRuntimeConfig } from '../workers/config';
import { exchangeProvider, keysFor } from '../workers/exchange';
import { readRateLimits } from './rate-limits';
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
    temporalUiUrl: process.env.TEMPORAL_UI_URL,
    namespace: cfg.temporalNamespace,
    masterKey,
    allowLive: liveTradingAllowed(),
    liveKeyAvailable: () =>
      keysFor('live', vault)().then(
        () => true,
        () => false,
      ),
  },
  {
    logger: { level: process.env.LOG_LEVEL || 'info' },
    webDist: fileURLToPath(new URL('../web/dist', import.meta.url)),
    allowedHosts: apiHosts(),
    rateLimits: readRateLimits(),
    // "true", or the proxy's addresses (comma-separated IPs or CIDRs).
    trustProxy: process.env.TRUST_PROXY === 'true' ? true : process.env.TRUST_PROXY || undefined,
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
