// The dashboard's demo: a session that opens and closes positions on its own within minutes.
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionWorkflowId } from '../../workflows/ids';
import { eventually, type Stack, startStack } from '../stack';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
  await stack.startWorkers();
});
afterAll(async () => {
  await stack?.stop();
});

async function post<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method: 'POST',
    headers: { ...(await stack.authHeaders()), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

describe('demo preset', () => {
  it('opens and closes positions on its own, each with an exit reason and realised PnL', async () => {
    const session = await post<{ id: string; strategy: string }>('/api/sessions', { name: 'demo', preset: 'demo' });
    expect(session.strategy).toBe('probe');
    const closed = await eventually(
      async () => {
        const rows = await stack.db.prisma.position.findMany({ where: { sessionId: session.id, status: 'closed' } });
        return rows.find((p) => p.volume.gt(0));
      },
      300_000,
      'a demo position to open and close by itself',
    );
    expect(closed.exitReason).toBeTruthy();
    expect(closed.remainingVolume.isZero()).toBe(true);
    const sells = await stack.db.prisma.order.findMany({ where: { positionId: closed.id, side: 'ask' } });
    expect(sells.length).toBeGreaterThan(0);
    // The position's average exit price is what its sell orders sold at, volume-weighted.
    const soldVolume = sells.reduce((s, o) => s.plus(o.executedVolume), new Decimal(0));
    const soldFunds = sells.reduce((s, o) => s.plus(o.executedVolume.mul(o.avgPrice ?? 0)), new Decimal(0));
    expect(closed.avgExitPrice?.toFixed(8)).toBe(soldFunds.div(soldVolume).toFixed(8));
    await post(`/api/sessions/${session.id}/emergency-stop`, { mode: 'flatten', confirm: session.id });
    const result = (await stack.client.workflow.getHandle(sessionWorkflowId(session.id)).result()) as {
      closedPositions: number;
    };
    expect(result.closedPositions).toBeGreaterThan(0);
  }, 400_000);
});
