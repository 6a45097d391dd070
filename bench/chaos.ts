// Seeded chaos soak: a probe session trading six markets with short-lived positions while the
// simulator injects a random fault of every kind it knows (delayed cancels, lagging lookups,
// maintenance, lost replies, 5xx, 429 bursts, dropped streams, stalled fills, latency, full outages),
// one after another. At the end the faults stop, the session is flattened, and the run is audited:
// orders placed, faults injected, duplicated orders, orphaned coins (held by the account, owned by
// no open position, worth at least the minimum total) and failed workflows. The last three must be 0.
// `npm run bench -- chaos [seconds=240] [seed=7]`; bounded in time; traffic only on loopback; last line JSON.
import { loadavg } from 'node:os';
import Decimal from 'decimal.js';
import { seededRng } from '../core/backtest/random';
import { eventually, startStack } from '../workers/local-stack';
import { callApi, openRisk, simOrders, startProbeSession } from '../workers/local-stack-probe';
import { type SessionStatus, sessionStatusQuery } from '../workflows/definitions';
import { orderIdOfIdentifier, sessionWorkflowId } from '../workflows/ids';

const seconds = Number(process.argv[2] ?? 240);
const seed = Number(process.argv[3] ?? 7);
if (!(seconds > 0) || !Number.isInteger(seed)) {
  console.error('usage: npm run bench -- chaos [seconds>0] [integer seed]');
  process.exit(2);
}
const MARKETS = ['KRW-XRP', 'KRW-DOGE', 'KRW-ADA', 'KRW-SOL', 'KRW-ETH', 'KRW-BTC'];
const MIN_TOTAL_KRW = 5_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const rng = seededRng(seed);
const between = (lo: number, hi: number) => lo + rng() * (hi - lo);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

/** One random fault of each kind the simulator injects. */
const FAULTS: Array<() => Record<string, unknown>> = [
  () => ({ cancelDelayMs: Math.round(between(1_000, 8_000)) }),
  () => ({ lookupLagMs: Math.round(between(1_000, 6_000)) }),
  () => ({ marketOffline: [pick(MARKETS)] }),
  () => ({ lostReplyRate: between(0.2, 0.6), lostReplyMode: pick(['500', 'timeout', 'reset']) }),
  () => ({ loseNextReplies: 1 + Math.floor(rng() * 3), lostReplyMode: pick(['500', 'reset']) }),
  () => ({ errorRate: between(0.1, 0.4) }),
  () => ({ burst429: 3 + Math.floor(rng() * 8) }),
  () => ({ wsDropRate: between(0.1, 0.5) }),
  () => ({ stallFillsMs: Math.round(between(2_000, 8_000)) }),
  () => ({ latencyMs: Math.round(between(200, 1_500)), latencyJitterMs: 300 }),
  () => ({ outageSeconds: Math.round(between(5, 45)), outageMode: pick(['500', 'timeout', 'reset']) }),
];

const stack = await startStack();
await stack.startWorkers();
const faults = async (body: Record<string, unknown> | null) => {
  const res = await fetch(`${stack.sim.baseUrl}/admin/faults`, {
    method: body ? 'POST' : 'DELETE',
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`faults not set: ${res.status} ${await res.text()}`);
};

const id = await startProbeSession(stack, `chaos-${seed}`, {
  markets: MARKETS,
  loopIntervalSec: 2,
  order: { timeoutSec: 4, fallbackToMarket: true, maxSlippagePct: 5, entryTicksAboveBid: 0 },
  risk: openRisk({
    maxOpenPositions: 6,
    exit: {
      stopMode: 'pct',
      stopPct: 0.2,
      takeProfit: [{ atPct: 0.2, fraction: 1 }],
      trailingAtrMultiple: 0,
      blowOffRsi: 0,
      timeExitBars: 1,
      timeExitMinProgressPct: 50,
      barMs: 20_000,
    },
  }),
});

const started = Date.now();
const injected: Record<string, number> = {};
let faultCount = 0;
while (Date.now() - started < seconds * 1000) {
  const fault = pick(FAULTS)();
  faultCount += 1;
  for (const k of Object.keys(fault)) if (!k.endsWith('Mode')) injected[k] = (injected[k] ?? 0) + 1;
  await faults(fault);
  await sleep(between(4_000, 15_000));
  await faults(null);
  await sleep(between(1_000, 5_000));
}
await faults(null);

// Wind down: flatten, then wait for every position to end.
const session = stack.client.workflow.getHandle(sessionWorkflowId(id));
await callApi(stack, 'POST', `/api/sessions/${id}/emergency-stop`, { mode: 'flatten', confirm: id });
let settled = true;
try {
  await eventually(
    async () => ((await session.query(sessionStatusQuery)) as SessionStatus).openPositions.length === 0,
    300_000,
    'every position to close after the flatten',
  );
} catch {
  settled = false;
}

// The audit.
const placed = simOrders(stack, `ord-pos-${id}-`);
const perWorkflow = new Map<string, string[]>();
for (const o of placed) {
  const wf = orderIdOfIdentifier(o.identifier ?? '') ?? '?';
  perWorkflow.set(wf, [...(perWorkflow.get(wf) ?? []), o.identifier ?? '']);
}
let duplicates = 0;
for (const identifiers of perWorkflow.values()) {
  duplicates += Math.max(0, identifiers.filter((i) => /-s\d+$/.test(i)).length - 1);
  duplicates += Math.max(0, identifiers.filter((i) => /-m\d+$/.test(i)).length - 1);
}
const open = await stack.db.prisma.position.findMany({ where: { sessionId: id, status: { not: 'closed' } } });
const heldByPositions = new Map<string, Decimal>();
for (const p of open)
  heldByPositions.set(p.market, (heldByPositions.get(p.market) ?? new Decimal(0)).plus(p.remainingVolume.toString()));
const accounts = await stack.exchange('sim').accounts();
const tickers = await stack.exchange('sim').ticker(MARKETS);
const orphaned: string[] = [];
for (const a of accounts) {
  if (a.currency === 'KRW') continue;
  const market = `KRW-${a.currency}`;
  const extra = new Decimal(a.balance).plus(a.locked).minus(heldByPositions.get(market) ?? 0);
  const price = tickers.find((t) => t.market === market)?.trade_price ?? 0;
  if (extra.mul(price).gte(MIN_TOTAL_KRW)) orphaned.push(`${market} ${extra.toFixed()}`);
}
let failedWorkflows = 0;
for await (const wf of stack.client.workflow.list({ query: `ExecutionStatus = 'Failed'` })) {
  failedWorkflows += 1;
  console.log(`failed workflow: ${wf.workflowId} (${wf.type})`);
}
const positions = await stack.db.prisma.position.count({ where: { sessionId: id } });
const risk = await stack.db.prisma.riskEvent.groupBy({ by: ['kind'], _count: true, where: { severity: 'critical' } });

console.log(`chaos soak: ${seconds} s, seed ${seed}, load average ${loadavg()[0].toFixed(1)}`);
console.log(`  orders placed: ${placed.length} by ${perWorkflow.size} Order workflows, positions: ${positions}`);
console.log(
  `  faults injected: ${faultCount} (${Object.entries(injected)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')})`,
);
console.log(`  critical events: ${risk.map((r) => `${r.kind} ${r._count}`).join(', ') || 'none'}`);
console.log(
  `  duplicates: ${duplicates}, orphaned coins: ${orphaned.length}${orphaned.length ? ` (${orphaned.join('; ')})` : ''}, failed workflows: ${failedWorkflows}, all positions closed: ${settled}`,
);
console.log(
  JSON.stringify({
    bench: 'chaos',
    seconds,
    seed,
    ordersPlaced: placed.length,
    positions,
    faultsInjected: faultCount,
    duplicates,
    orphanedCoins: orphaned.length,
    failedWorkflows,
    allPositionsClosed: settled,
  }),
);
await stack.stop();
process.exit(duplicates || orphaned.length || failedWorkflows || !settled ? 1 : 0);
