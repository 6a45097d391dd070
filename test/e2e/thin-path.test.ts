// The thin path through every layer: API -> TradingSession workflow -> signal activity reading the
// simulator through the Upbit client -> Position -> Order workflow placing a limit order and
// waiting for its fill -> order and fill in the database and the API -> emergency stop.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PositionRequest } from '../../workflows/definitions';
import { sessionWorkflowId } from '../../workflows/ids';
import { eventually, type Stack, startStack } from '../stack';

let stack: Stack;
const PROBE_MARKETS = ['KRW-XRP', 'KRW-ETH', 'KRW-SOL', 'KRW-DOGE'];
// Distinctive keys: after the run, no history or log line may contain them (keys live in the key
// store; workflows only ever see an account by mode).
const accessKey = `ak-${randomBytes(8).toString('hex')}`;
const secretKey = `sk-${randomBytes(16).toString('hex')}`;
const logged: string[] = [];
const alerts: { path: string; body: Record<string, unknown> }[] = [];
let webhook: Server;

async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { ...(await stack.authHeaders()), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

interface OrderRow {
  id: string;
  sessionId: string;
  positionId: string | null;
  side: string;
  state: string;
  identifier: string;
  exchangeUuid: string | null;
  executedVolume: string;
  paidFee: string;
  fills: { tradeUuid: string; price: string; volume: string; fee: string }[];
}

beforeAll(async () => {
  // The local webhook server stands in for Slack (alert hosts are allow-listed).
  process.env.ALERT_ALLOW_HOSTS = '127.0.0.1';
  process.env.SIM_ACCESS_KEY = accessKey;
  process.env.SIM_SECRET_KEY = secretKey;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      logged.push(String(chunk));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
  }
  webhook = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => {
      alerts.push({ path: req.url ?? '', body: JSON.parse(data) });
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
  stack = await startStack();
  await stack.startWorkers();
});

afterAll(async () => {
  await stack?.stop();
  webhook?.close();
  delete process.env.SIM_ACCESS_KEY;
  delete process.env.SIM_SECRET_KEY;
});

describe('thin path', () => {
  it('starts a session from {"name":"demo"} alone: sim mode, default strategy and limits', async () => {
    const created = await api<{ id: string; mode: string; strategy: string; status: string }>('POST', '/api/sessions', {
      name: 'demo',
    });
    expect(created.status).toBe(201);
    expect(created.body.mode).toBe('sim');
    expect(created.body.strategy).toBe('pullback');
    const handle = stack.client.workflow.getHandle(sessionWorkflowId(created.body.id));
    const described = await handle.describe();
    expect(described.status.name).toBe('RUNNING');
    await eventually(
      async () =>
        (await api<{ live: { status: string } | null }>('GET', `/api/sessions/${created.body.id}`)).body.live
          ?.status === 'running',
      20_000,
      'the demo session to run',
    );
    const stop = await api('POST', `/api/sessions/${created.body.id}/emergency-stop`, {
      mode: 'halt',
      confirm: created.body.id,
    });
    expect(stop.status).toBe(202);
    const result = (await handle.result()) as { status: string; halted: boolean };
    expect(result.status).toBe('stopped');
    expect(result.halted).toBe(true);
  });

  it('places a limit order on the simulator, records its fill, and stops on emergency flatten', async () => {
    const hook = `http://127.0.0.1:${(webhook.address() as { port: number }).port}/slack`;
    const channel = await api('POST', '/api/alert-channels', {
      kind: 'slack',
      target: { webhookUrl: hook },
      minSeverity: 'info',
    });
    expect(channel.status).toBe(201);
    const created = await api<{ id: string }>('POST', '/api/sessions', {
      name: 'probe',
      strategy: 'probe',
      config: {
        // The probe enters on an up-closing minute; several markets make one likely every minute.
        markets: PROBE_MARKETS,
        loopIntervalSec: 1,
        order: { timeoutSec: 15, fallbackToMarket: true, maxSlippagePct: 5 },
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;

    const filled = await eventually(
      async () => {
        const orders = (await api<OrderRow[]>('GET', `/api/orders?sessionId=${id}`)).body;
        // Finished (done, or cancelled after a partial fill): its trades are all in.
        return orders.find(
          (o) =>
            o.side === 'bid' &&
            ['done', 'cancel'].includes(o.state) &&
            new Decimal(o.executedVolume).gt(0) &&
            o.fills.length > 0,
        );
      },
      90_000,
      'a finished entry order with a fill',
    );
    expect(filled.identifier).toMatch(new RegExp(`^ord-pos-${id}-KRW-[A-Z]+-1-1-[sm]1$`));
    const market = filled.identifier.split('-').slice(3, 5).join('-');
    expect(PROBE_MARKETS).toContain(market);
    const fillVolume = filled.fills.reduce((s, f) => s.plus(f.volume), new Decimal(0));
    expect(fillVolume.eq(filled.executedVolume)).toBe(true);

    // The session placed the entry's first order in the task that decided it, then started the position with it.
    const positionId = filled.identifier.replace(/^ord-/, '').replace(/-1-[sm]1$/, '');
    const positionEvents = (await stack.client.workflow.getHandle(positionId).fetchHistory()).events ?? [];
    const startInput = positionEvents[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    expect(startInput).toBeDefined();
    const { entryPlaced } = defaultPayloadConverter.fromPayload<PositionRequest>(startInput!);
    expect(entryPlaced?.identifier).toBe(`ord-${positionId}-1-s1`);
    const firstOrder = (await api<OrderRow[]>('GET', `/api/orders?sessionId=${id}`)).body.find(
      (o) => o.identifier === `ord-${positionId}-1-s1`,
    );
    expect(firstOrder?.exchangeUuid).toBe(entryPlaced?.uuid);

    const stop = await api('POST', `/api/sessions/${id}/emergency-stop`, { mode: 'flatten', confirm: id });
    expect(stop.status).toBe(202);
    const handle = stack.client.workflow.getHandle(sessionWorkflowId(id));
    const result = (await handle.result()) as { status: string; openPositions: unknown[] };
    expect(result.status).toBe('stopped');
    expect(result.openPositions).toEqual([]);

    // The database equals the exchange, order by order.
    const orders = (await api<OrderRow[]>('GET', `/api/orders?sessionId=${id}`)).body;
    const client = stack.exchange('sim');
    for (const o of orders) {
      const onExchange = await client.getOrder({ identifier: o.identifier });
      expect(o.state).toBe(onExchange.state);
      expect(new Decimal(o.executedVolume).eq(onExchange.executed_volume)).toBe(true);
    }
    const positions = (
      await api<{ status: string; remainingVolume: string }[]>('GET', `/api/positions?sessionId=${id}`)
    ).body;
    expect(positions.length).toBeGreaterThan(0);
    for (const p of positions) expect(p.status).toBe('closed');

    // Alerts reached the channel (from the queue, within seconds): the fill and the emergency stop.
    const texts = () => alerts.map((a) => String(a.body.text));
    await eventually(
      async () => texts().some((t) => t.includes('fill') && t.includes(market)),
      15_000,
      'the fill alert',
    );
    await eventually(async () => texts().some((t) => t.includes('emergency_flatten')), 15_000, 'the stop alert');

    // No key material in any workflow history or log line of the run.
    const histories: string[] = [];
    for await (const wf of stack.client.workflow.list()) {
      histories.push(historyToJSON(await stack.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory()));
    }
    expect(histories.length).toBeGreaterThan(4);
    const everything = [...histories, ...logged].join('\n');
    expect(everything.includes(secretKey)).toBe(false);
    expect(everything.includes(accessKey)).toBe(false);
    expect(/Bearer\s+ey/.test(everything)).toBe(false);

    if (process.env.RECORD_HISTORIES) {
      // RECORD_HISTORIES=<label> saves one history per workflow type for the replay test
      // (test/replay/histories/<type>-<label>.json): keep the old ones, add new ones after a change.
      const dir = join(import.meta.dirname, '..', 'replay', 'histories');
      for await (const wf of stack.client.workflow.list({
        query: `WorkflowId STARTS_WITH 'session-${id}' OR WorkflowId STARTS_WITH 'pos-${id}' OR WorkflowId STARTS_WITH 'ord-pos-${id}' OR WorkflowId STARTS_WITH 'universe-'`,
      })) {
        const history = await stack.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
        writeFileSync(join(dir, `${wf.type}-${process.env.RECORD_HISTORIES}.json`), historyToJSON(history));
      }
    }
  }, 240_000);
});
