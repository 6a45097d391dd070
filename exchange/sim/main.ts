// Standalone simulator (`npm run sim`). Environment:
//   SIM_PORT (7780), SIM_HOST (127.0.0.1), SIM_SEED, SIM_TICK_MS, SIM_ACCESS_KEY / SIM_SECRET_KEY / SIM_KRW,
//   SIM_FAULTS (JSON, see faults.ts), SIM_STORE = memory (default) | db (the project database, so a
//   restart loses nothing), SIM_FEED = synthetic (default) | replay | live,
//   replay: SIM_REPLAY_TIMEFRAME (1m), SIM_REPLAY_SPEED (1), SIM_REPLAY_MARKETS (comma list);
//   live (paper): SIM_UPSTREAM (base URL of the quotation API to follow), SIM_LIVE_MARKETS.
// Prints its URLs and the key pair; stops on Ctrl-C.
import { type SimOptions, startSimulator } from './server';
import type { SimStore } from './store';

const env = process.env;
const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()) : undefined);
const feed = (env.SIM_FEED ?? 'synthetic') as NonNullable<SimOptions['feed']>;
if (!['synthetic', 'replay', 'live'].includes(feed))
  throw new Error(`SIM_FEED must be synthetic, replay or live, got "${feed}"`);

const needsDb = env.SIM_STORE === 'db' || feed === 'replay';
const db = needsDb ? await (await import('../../prisma/db')).openDatabase() : null;
let store: SimStore | undefined;
if (env.SIM_STORE === 'db' && db) store = new (await import('./prisma-store')).PrismaSimStore(db.prisma);

const sim = await startSimulator({
  port: Number(env.SIM_PORT ?? 7780),
  host: env.SIM_HOST ?? '127.0.0.1',
  seed: env.SIM_SEED ? Number(env.SIM_SEED) : undefined,
  tickMs: env.SIM_TICK_MS ? Number(env.SIM_TICK_MS) : undefined,
  feed,
  store,
  replay: db
    ? {
        prisma: db.prisma,
        timeframe: env.SIM_REPLAY_TIMEFRAME ?? '1m',
        speed: env.SIM_REPLAY_SPEED ? Number(env.SIM_REPLAY_SPEED) : 1,
        markets: list(env.SIM_REPLAY_MARKETS),
      }
    : undefined,
  live: env.SIM_UPSTREAM ? { upstream: env.SIM_UPSTREAM, markets: list(env.SIM_LIVE_MARKETS) } : undefined,
});
console.log(`Upbit simulator (${feed} feed, ${store ? 'database' : 'in-memory'} store) on ${sim.baseUrl}`);
console.log(`  REST       ${sim.baseUrl}/v1`);
console.log(`  WebSocket  ${sim.wsUrl}  (private: ${sim.privateWsUrl})`);
console.log(`  admin      ${sim.baseUrl}/admin/...`);
console.log(`  access key ${sim.keys.accessKey}`);
console.log(`  secret key ${sim.keys.secretKey}`);
console.log(`  markets    ${sim.markets.size}`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await sim.close();
  await db?.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
