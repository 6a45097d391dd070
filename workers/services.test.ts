// A worker process reads the private order stream only where the orders and positions it hints are: one that polls
// no `trading` queue (the batch worker) opens no authenticated stream; a trading worker opens one.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchangeProvider } from '../exchange/provider';
import { type Simulator, startSimulator } from '../exchange/sim/server';
import { type Database, openDatabase } from '../prisma/db';
import { TASK_QUEUE_BACKTEST, TASK_QUEUE_DATA, TASK_QUEUE_TRADING } from '../workflows/ids';
import { startTradingServices } from './services';
import { type DevServer, startDevServer } from './temporal-server';
import { bundleWorkflows } from './workers';

let temporal: DevServer;
let sim: Simulator;
let db: Database;
let workflowBundlePath = '';

beforeAll(async () => {
  temporal = await startDevServer({ headless: true });
  sim = await startSimulator({ port: 0, seed: 3, tickMs: 1000 });
  db = await openDatabase({ databaseUrl: 'memory://' });
  workflowBundlePath = join(mkdtempSync(join(tmpdir(), 'services-bundle-')), 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, (await bundleWorkflows()).code);
}, 120_000);

afterAll(async () => {
  await db?.close();
  await sim?.close();
  await temporal?.stop();
});

/** Drops every WebSocket connection the simulator holds and says how many there were. */
async function dropConnections(): Promise<number> {
  const res = await fetch(`${sim.baseUrl}/admin/ws/drop`, { method: 'POST' });
  return ((await res.json()) as { dropped: number }).dropped;
}

function start(taskQueues: string[]) {
  return startTradingServices({
    address: temporal.address,
    namespace: 'default',
    db,
    exchange: exchangeProvider({ simUrl: sim.baseUrl, upbitUrl: 'http://127.0.0.1:9' }),
    exchangeUrl: sim.baseUrl,
    mode: 'sim',
    taskQueues,
    workflowBundlePath,
  });
}

describe('startTradingServices', () => {
  it('opens the private order stream only in a process that polls trading', async () => {
    const batch = await start([TASK_QUEUE_BACKTEST, TASK_QUEUE_DATA]);
    try {
      expect(batch.ingester).toBeNull();
      await new Promise((r) => setTimeout(r, 500));
      expect(await dropConnections()).toBe(0);
    } finally {
      await batch.stop();
    }
    const trading = await start([TASK_QUEUE_TRADING]);
    try {
      expect(trading.ingester).not.toBeNull();
      expect(await dropConnections()).toBe(1);
    } finally {
      await trading.stop();
    }
  }, 120_000);
});
