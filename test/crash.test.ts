// Crash safety: the worker process is SIGKILLed at each step of an order's life, a new one takes
// over, and then: exactly one exchange order per intended order, the database equals the
// exchange, and the position completes. Needs a PostgreSQL server shared by the test and the
// worker processes (TEST_DATABASE_URL; CI provides one).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrashPoint } from '../activities/crash-points';
import type { Order } from '../exchange/upbit/types';
import { bundleWorkflows } from '../workers/workers';
import { orderIdOfIdentifier, sessionWorkflowId } from '../workflows/ids';
import { eventually, type Stack, startStack } from './stack';

const databaseUrl = process.env.TEST_DATABASE_URL;
if (!databaseUrl) console.warn('crash-safety tests need TEST_DATABASE_URL (a PostgreSQL server); skipped');

let stack: Stack;
/** The workflow bundle built once in beforeAll. */
let workflowBundle = '';
const workers = new Set<ChildProcess>();
const root = join(import.meta.dirname, '..');

function startWorker(env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test', 'worker-process.ts')], {
    cwd: root,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: stack.temporal.address,
      SIM_URL: stack.sim.baseUrl,
      DATABASE_URL: schemaUrl,
      WORKFLOW_BUNDLE: workflowBundle,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  workers.add(child);
  child.once('exit', () => workers.delete(child));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('worker ready')) resolve(child);
    });
    child.once('exit', (code, signal) => reject(new Error(`worker exited before ready (${code ?? signal})`)));
  });
}

const schemaUrl = (() => {
  if (!databaseUrl) return '';
  const u = new URL(databaseUrl);
  u.searchParams.set('schema', `crash_${process.pid}_${Date.now() % 1e6}`);
  return u.toString();
})();

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { ...(await stack.authHeaders()), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function exchangeOrders(prefix: string): Promise<Order[]> {
  const client = stack.exchange('sim');
  const closed = await client.closedOrders({ limit: 1000 });
  const open = await client.openOrders({ limit: 100 });
  return [...closed, ...open].filter((o) => o.identifier?.startsWith(prefix));
}

describe.skipIf(!databaseUrl)('crash safety (SIGKILL of the worker)', () => {
  beforeAll(async () => {
    stack = await startStack({ databaseUrl: schemaUrl });
    // Every worker this test starts (two per kill point) loads one bundle built ahead, as the image's workers do.
    const bundle = join(mkdtempSync(join(tmpdir(), 'crash-bundle-')), 'workflow-bundle.js');
    writeFileSync(bundle, (await bundleWorkflows()).code);
    workflowBundle = bundle;
  });
  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await stack?.stop();
  });

  const points: CrashPoint[] = ['before-submit', 'after-submit', 'waiting-fills', 'during-cancel', 'during-fallback'];
  it.each(points)(
    'killed %s: one exchange order per intended order, database = exchange, position completes',
    async (point) => {
      // cancel and fallback only happen when the entry does not fill in time: stall the matching
      // well past the 2 s order timeout, so a slow machine cannot fill the entry before the cancel.
      // waiting-fills needs the entry on the book until its first sync: an entry priced through the ask (a market
      // whose spread is one tick) filled inside its submit, never waited, and the worker never reached the point.
      const stallFillsMs =
        point === 'during-cancel' || point === 'during-fallback' ? 15_000 : point === 'waiting-fills' ? 1_500 : 0;
      await fetch(`${stack.sim.baseUrl}/admin/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ stallFillsMs }),
      });
      const marker = join(mkdtempSync(join(tmpdir(), 'crash-')), 'marker');
      const first = await startWorker({ UPBIT_TRADER_CRASH_AT: point, UPBIT_TRADER_CRASH_MARKER: marker });
      const session = await api<{ id: string }>('POST', '/api/sessions', {
        name: `crash ${point}`,
        strategy: 'probe',
        config: {
          // Several markets: the probe needs an up-closing minute in one of them to enter.
          markets: ['KRW-XRP', 'KRW-ETH', 'KRW-SOL', 'KRW-DOGE'],
          loopIntervalSec: 1,
          risk: { maxOpenPositions: 1 },
          order: { timeoutSec: 2, fallbackToMarket: true, maxSlippagePct: 5 },
        },
      });
      await eventually(
        async () => first.exitCode !== null || first.signalCode !== null,
        150_000,
        `the worker to die at ${point}`,
      );
      expect({ code: first.exitCode, signal: first.signalCode }).toEqual({ code: null, signal: 'SIGKILL' });
      expect(readFileSync(marker, 'utf8')).toBe(point);
      await startWorker();

      // The entry completes (filled by the limit order or by the market fallback).
      await eventually(
        async () => {
          const positions = await api<{ status: string }[]>('GET', `/api/positions?sessionId=${session.id}`);
          return positions.some((p) => p.status === 'open');
        },
        120_000,
        'the entry to fill after the restart',
      );
      await api('POST', `/api/sessions/${session.id}/emergency-stop`, { mode: 'flatten', confirm: session.id });
      const result = (await stack.client.workflow.getHandle(sessionWorkflowId(session.id)).result()) as {
        status: string;
      };
      expect(result.status).toBe('stopped');

      // Exactly one exchange order per submit purpose of every Order workflow.
      const orders = await exchangeOrders(`ord-pos-${session.id}-`);
      expect(orders.length).toBeGreaterThanOrEqual(2); // an entry and an exit at least
      const byWorkflow = new Map<string, { submits: number; fallbacks: number }>();
      for (const o of orders) {
        const id = orderIdOfIdentifier(o.identifier!)!;
        const row = byWorkflow.get(id) ?? { submits: 0, fallbacks: 0 };
        if (/-s\d+$/.test(o.identifier!)) row.submits += 1;
        else row.fallbacks += 1;
        byWorkflow.set(id, row);
      }
      for (const [id, row] of byWorkflow) {
        expect(row.submits, `${id} placed more than one order`).toBe(1);
        expect(row.fallbacks, `${id} placed more than one fallback`).toBeLessThanOrEqual(1);
      }
      if (point === 'during-fallback') expect([...byWorkflow.values()].some((r) => r.fallbacks === 1)).toBe(true);

      // The database equals the exchange, order by order.
      const rows = await stack.db.prisma.order.findMany({ where: { sessionId: session.id } });
      expect(rows.length).toBe(orders.length);
      for (const o of orders) {
        const row = rows.find((r) => r.identifier === o.identifier);
        expect(row, `no database row for ${o.identifier}`).toBeDefined();
        expect(row!.state).toBe(o.state);
        expect(new Decimal(row!.executedVolume.toString()).eq(o.executed_volume)).toBe(true);
      }
      const positions = await stack.db.prisma.position.findMany({ where: { sessionId: session.id } });
      expect(positions.length).toBe(1);
      expect(positions[0].status).toBe('closed');
      expect(existsSync(marker)).toBe(true);
      for (const w of workers) w.kill('SIGTERM');
      await eventually(async () => workers.size === 0, 30_000, 'workers to stop');
    },
    360_000,
  );
});
