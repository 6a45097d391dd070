// Standalone simulator (`npm run sim`): SIM_PORT (7780), SIM_SEED, SIM_TICK_MS, SIM_FEED, SIM_ACCESS_KEY,
// SIM_SECRET_KEY, SIM_KRW, SIM_FAULTS (JSON). Prints its URLs and the key pair, stops on Ctrl-C.
import { startSimulator } from './server';

const env = process.env;
const sim = await startSimulator({
  port: Number(env.SIM_PORT ?? 7780),
  host: env.SIM_HOST ?? '127.0.0.1',
  seed: env.SIM_SEED ? Number(env.SIM_SEED) : undefined,
  tickMs: env.SIM_TICK_MS ? Number(env.SIM_TICK_MS) : undefined,
  feed: (env.SIM_FEED as 'synthetic' | undefined) ?? 'synthetic',
});
console.log(`Upbit simulator on ${sim.baseUrl}`);
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
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
