// Many concurrent positions in one session: a probe session on every KRW market of the simulator
// (50; the probe holds at most one position per market) with risk limits opened up and exits far
// away, so the positions stay open. Measured:
//   - worker CPU: process.cpuUsage() of this process, which hosts the Temporal workers, the price
//     feed, the fill ingester and the in-memory database (the simulator runs in a child process and
//     the Temporal dev server in its own), over a steady window with every position open, as % of
//     one core;
//   - history length per workflow type (events, from fetchHistory of every run);
//   - continue-as-new keeping the session's history bounded (the dev server suggests it after
//     SUGGEST_AFTER_EVENTS events, so it happens during the bench).
//   - worker memory: resident set at the window's end and its peak;
// Layouts: `one-process` (default: the workers share this process with the API and an in-memory PGlite database,
// so CPU and memory are theirs together) and `split` (the trading worker alone in its own process, as
// docker-compose deploys it, on the PostgreSQL server of BENCH_DATABASE_URL or TEST_DATABASE_URL; its CPU and
// memory read from /proc).
// `npm run bench -- positions [windowSeconds=60] [--layout one-process|split]`; stops by itself; last line is JSON.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { buildApi } from '../api/server';
import { exchangeProvider } from '../exchange/provider';
import { openDatabase } from '../prisma/db';
import { ensureFirstAdmin } from '../security/users';
import { loginAt } from '../workers/local-stack';
import { openRisk } from '../workers/local-stack-probe';
import { startTradingServices } from '../workers/services';
import { freePort, startDevServer } from '../workers/temporal-server';
import { installRuntimeLogger } from '../workers/workers';
import { sessionStatusQuery } from '../workflows/definitions';
import { sessionWorkflowId, TASK_QUEUE_TRADING } from '../workflows/ids';
import { layoutArgs, schemaOfItsOwn, startWorkerProcess } from './worker-process';

const { layout, positionals, postgresUrl } = layoutArgs();
const windowSeconds = Number(positionals[0] ?? 60);
const SUGGEST_AFTER_EVENTS = 300;
const FILL_UP_LIMIT_MS = 240_000;
const root = join(import.meta.dirname, '..');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const lines: string[] = [];
const t0 = Date.now();

installRuntimeLogger();

async function startSimProcess(): Promise<{ child: ChildProcess; baseUrl: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'exchange', 'sim', 'main.ts')], {
    cwd: root,
    env: { ...process.env, SIM_PORT: String(port), SIM_SEED: '7', SIM_TICK_MS: '250' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('Upbit simulator')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`simulator exited (${code})`)));
  });
  return { child, baseUrl: `http://127.0.0.1:${port}` };
}

const temporal = await startDevServer({
  headless: true,
  dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': SUGGEST_AFTER_EVENTS },
});
const sim = await startSimProcess();
const databaseUrl = layout === 'split' ? schemaOfItsOwn(postgresUrl!, 'positions') : 'memory://';
const db = await openDatabase({ databaseUrl });
const exchange = exchangeProvider({ simUrl: sim.baseUrl, upbitUrl: 'http://127.0.0.1:9' });
const connection = await Connection.connect({ address: temporal.address });
const client = new Client({ connection, namespace: 'default' });
const adminPassword = randomBytes(12).toString('hex');
const masterKey = randomBytes(32);
await ensureFirstAdmin(db, adminPassword);
const api = await buildApi({
  db,
  temporal: client,
  exchange,
  defaultMode: 'sim',
  namespace: 'default',
  masterKey,
});
await api.listen({ port: 0, host: '127.0.0.1' });
const apiUrl = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
const worker =
  layout === 'split'
    ? await startWorkerProcess({
        temporalAddress: temporal.address,
        databaseUrl,
        simUrl: sim.baseUrl,
        masterKey,
      })
    : null;
const services = worker
  ? null
  : await startTradingServices({
      address: temporal.address,
      namespace: 'default',
      db,
      exchange,
      exchangeUrl: sim.baseUrl,
      mode: 'sim',
      taskQueues: [TASK_QUEUE_TRADING],
    });
/** CPU ms of the worker so far: its own process, or this one (which hosts it). */
const workerCpuMs = () => {
  if (worker) return worker.cpuMs();
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
/** Resident memory of the worker's process now and at its peak, MB. */
const workerMemoryMb = () =>
  worker?.memoryMb() ?? {
    rss: Math.round(process.memoryUsage().rss / 1048576),
    peak: Math.round(process.resourceUsage().maxRSS / 1024),
  };

async function post(path: string, body: unknown) {
  const res = await fetch(`${apiUrl}${path}`, {
    method: 'POST',
    // A login per call: the run can outlast an access token.
    headers: {
      authorization: `Bearer ${await loginAt(apiUrl, 'admin', adminPassword)}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string };
}

try {
  const markets = ((await (await fetch(`${sim.baseUrl}/v1/market/all`)).json()) as { market: string }[])
    .map((m) => m.market)
    .filter((m) => m.startsWith('KRW-'));
  const { id } = await post('/api/sessions', {
    name: 'positions',
    strategy: 'probe',
    config: {
      markets,
      loopIntervalSec: 5,
      order: { timeoutSec: 10, fallbackToMarket: true, maxSlippagePct: 5, entryTicksAboveBid: 0 },
      risk: openRisk({
        riskPerTradePct: 0.2,
        maxOpenPositions: 50,
        // Exits far away: the positions stay open through the window.
        exit: {
          stopMode: 'pct',
          stopPct: 25,
          takeProfit: [{ atPct: 50, fraction: 1 }],
          trailingAtrMultiple: 0,
          blowOffRsi: 0,
          timeExitBars: 0,
        },
      }),
    },
  });
  const session = client.workflow.getHandle(sessionWorkflowId(id));
  const openCount = async () => {
    const rows = await db.prisma.position.findMany({ where: { sessionId: id, status: 'open' }, select: { id: true } });
    return rows.length;
  };

  // Fill up: until every market holds an open position (or the limit passes).
  const fillStart = Date.now();
  let open = 0;
  while (Date.now() - fillStart < FILL_UP_LIMIT_MS) {
    open = await openCount();
    if (open >= markets.length) break;
    await sleep(2_000);
  }
  const fillUpSeconds = Math.round((Date.now() - fillStart) / 1000);

  // Steady window: CPU of this process while the positions are open and the session evaluates.
  const cpu0 = workerCpuMs();
  const wall0 = performance.now();
  const status0 = await session.query(sessionStatusQuery);
  await sleep(windowSeconds * 1000);
  const cpuMs = workerCpuMs() - cpu0;
  const memory = workerMemoryMb();
  const wallMs = performance.now() - wall0;
  const status1 = await session.query(sessionStatusQuery);
  const openAtEnd = await openCount();
  const cpuPctOfCore = (cpuMs / wallMs) * 100;

  // History length per workflow type, over every run.
  const lengths = new Map<string, number[]>();
  const sessionRuns: number[] = [];
  for await (const wf of client.workflow.list({
    query: `WorkflowId STARTS_WITH 'session-${id}' OR WorkflowId STARTS_WITH 'pos-${id}' OR WorkflowId STARTS_WITH 'ord-pos-${id}'`,
  })) {
    const n = (await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory()).events?.length ?? 0;
    lengths.set(wf.type, [...(lengths.get(wf.type) ?? []), n]);
    if (wf.type === 'tradingSession') sessionRuns.push(n);
  }
  const historyByType = Object.fromEntries(
    [...lengths].map(([type, ns]) => [
      type,
      {
        workflows: ns.length,
        maxEvents: Math.max(...ns),
        meanEvents: Math.round(ns.reduce((a, b) => a + b, 0) / ns.length),
      },
    ]),
  );
  const sessionEventsAllRuns = sessionRuns.reduce((a, b) => a + b, 0);

  // Flatten and wait for the session to end, so the bench leaves nothing behind.
  await post(`/api/sessions/${id}/emergency-stop`, { mode: 'flatten', confirm: id });
  const flattenStart = Date.now();
  await Promise.race([session.result(), sleep(180_000)]);
  const flattenSeconds = Math.round((Date.now() - flattenStart) / 1000);

  const figures = {
    bench: 'positions',
    layout,
    markets: markets.length,
    openPositions: { atWindowStart: status0.openPositions.length, atWindowEnd: openAtEnd },
    fillUpSeconds,
    window: {
      seconds: Math.round(wallMs / 1000),
      workerCpuPctOfOneCore: Math.round(cpuPctOfCore * 10) / 10,
      evaluations: status1.evaluations - status0.evaluations,
      workerRssMb: memory.rss,
      workerPeakRssMb: memory.peak,
    },
    historyByType,
    continueAsNew: {
      suggestAfterEvents: SUGGEST_AFTER_EVENTS,
      sessionRuns: sessionRuns.length,
      maxEventsPerRun: Math.max(...sessionRuns),
      eventsAllRuns: sessionEventsAllRuns,
      runsSoFar: status1.runsSoFar,
    },
    flattenSeconds,
    host: { cpus: cpus().length, loadAvg1m: Math.round(loadavg()[0] * 100) / 100 },
    wallSeconds: Math.round((Date.now() - t0) / 1000),
  };
  lines.push(`${figures.openPositions.atWindowStart} positions open in one session on ${markets.length} markets`);
  lines.push(`  (the probe holds one position per market; the simulator lists ${markets.length} KRW markets)`);
  lines.push(
    `  worker CPU ${figures.window.workerCpuPctOfOneCore} % of one core over ${figures.window.seconds} s (${figures.window.evaluations} evaluations)`,
  );
  lines.push(
    `  worker RSS ${memory.rss} MB at the window's end, peak ${memory.peak} MB (layout ${layout}${layout === 'split' ? ': the worker process alone' : ': workers, API and the in-memory database together'})`,
  );
  for (const [type, h] of Object.entries(historyByType))
    lines.push(`  history ${type.padEnd(16)} ${h.workflows} runs, max ${h.maxEvents} events, mean ${h.meanEvents}`);
  lines.push(
    `  session: ${sessionRuns.length} runs (continue-as-new suggested after ${SUGGEST_AFTER_EVENTS}), at most ${figures.continueAsNew.maxEventsPerRun} events per run, ${sessionEventsAllRuns} in all`,
  );
  lines.push(JSON.stringify(figures));
} finally {
  await services?.stop();
  await worker?.stop();
  await api.close();
  await connection.close();
  sim.child.kill('SIGTERM');
  await db.close();
  await temporal.stop();
}
// Printed after everything stopped, so no worker log line comes after the JSON.
for (const line of lines) console.log(line);
