// One-process launcher behind `npm start`: Temporal dev server (unless TEMPORAL_ADDRESS), database,
// the simulator (sim/paper modes), the workers of both task queues, and the API serving the dashboard.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { readCandleHistoryDays } from '../activities/candles';
import { liveTradingAllowed } from '../activities/live-gate';
import { readRateLimits } from '../api/rate-limits';
import { buildApi } from '../api/server';
import { loadSampleCandles } from '../exchange/marketdata/sample';
import { PrismaSimStore } from '../exchange/sim/prisma-store';
import { startSimulator } from '../exchange/sim/server';
import { openDatabase } from '../prisma/db';
import { prepareAccess } from '../security/first-start';
import { KeyVault } from '../security/vault';
import { TASK_QUEUE_BACKTEST, TASK_QUEUE_DATA, TASK_QUEUE_TRADING } from '../workflows/ids';
import { apiHosts, readRuntimeConfig } from './config';
import { exchangeProvider, keysFor } from './exchange';
import { ExchangeHealth } from './exchange-health';
import { startTradingServices } from './services';
import { startDevServer } from './temporal-server';
import { installRuntimeLogger } from './workers';

const root = fileURLToPath(new URL('..', import.meta.url));
const cfg = readRuntimeConfig();
installRuntimeLogger();
mkdirSync(cfg.dataDir, { recursive: true });
const log = (msg: string) => console.log(`[upbit-trader] ${msg}`);
const stops: Array<[string, () => Promise<unknown> | unknown]> = [];

async function main() {
  log(`mode ${cfg.mode}, data in ${cfg.dataDir}`);
  let address = cfg.temporalAddress;
  let temporalUi: string | undefined;
  if (!address) {
    log('starting the Temporal dev server...');
    const server = await startDevServer({
      dbFilename: join(cfg.dataDir, 'temporal.db'),
      port: Number(process.env.TEMPORAL_PORT || 7233),
      uiPort: cfg.temporalUiPort,
    });
    stops.push(['Temporal dev server', () => server.stop()]);
    address = server.address;
    temporalUi = server.uiUrl;
  }

  const db = await openDatabase({ dataDir: cfg.dataDir });
  stops.push(['database', () => db.close()]);
  const masterKey = await prepareAccess(db, cfg.dataDir, log);
  // A fresh database gets the shipped sample of real candles, so the dashboard's first backtest has data.
  const sample = await loadSampleCandles(db);
  if (sample.length > 0)
    log(`loaded the sample candles (samples/candles): ${sample.map((s) => `${s.market} ${s.timeframe}`).join(', ')}`);

  let simUrl = cfg.simUrl;
  if (cfg.mode !== 'live' && !process.env.SIM_URL) {
    const sim = await startSimulator({
      port: cfg.simPort,
      feed: cfg.mode === 'paper' ? 'live' : 'synthetic',
      // Accounts and orders live in the database, so a restart resumes them.
      store: new PrismaSimStore(db.prisma),
    });
    stops.push(['simulator', () => sim.close()]);
    simUrl = sim.baseUrl;
  }
  const health = new ExchangeHealth();
  const vault = new KeyVault(db, masterKey);
  const exchange = exchangeProvider({ simUrl, upbitUrl: cfg.upbitUrl, logger: health, vault });
  const services = await startTradingServices({
    address,
    namespace: cfg.temporalNamespace,
    db,
    exchange,
    exchangeUrl: cfg.mode === 'live' ? cfg.upbitUrl : simUrl,
    mode: cfg.mode,
    taskQueues: [TASK_QUEUE_TRADING, TASK_QUEUE_BACKTEST, TASK_QUEUE_DATA],
    health,
    masterKey,
    candleHistoryDays: readCandleHistoryDays(),
  });
  stops.push(['workers', () => services.stop()]);

  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: cfg.temporalNamespace });
  stops.push(['Temporal client', () => connection.close()]);
  const api = await buildApi(
    {
      db,
      temporal: client,
      exchange,
      defaultMode: cfg.mode,
      temporalUiUrl: temporalUi,
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
      logger: { level: process.env.LOG_LEVEL || 'warn' },
      webDist: join(root, 'web', 'dist'),
      allowedHosts: apiHosts(),
      rateLimits: readRateLimits(),
    },
  );
  await api.listen({ port: cfg.port, host: cfg.host });
  stops.push(['API', () => api.close()]);

  log(`dashboard and API: http://${cfg.host}:${cfg.port}  (API docs: /api/docs)`);
  log(`Temporal UI:       ${temporalUi ?? `(external server at ${address})`}`);
  if (cfg.mode !== 'live') log(`simulator:         ${simUrl}`);
  log('press Ctrl-C to stop');
  await services.running.catch((err) => {
    console.error(`worker stopped with an error: ${(err as Error).message}`);
    if (process.env.LOG_LEVEL === 'debug') console.error(err);
    void shutdown(1);
  });
}

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  log('stopping...');
  for (const [name, stop] of stops.reverse()) {
    try {
      await stop();
    } catch (err) {
      console.error(`stopping ${name} failed:`, (err as Error).message);
    }
  }
  log('stopped');
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  void shutdown(1);
});
