// Coins nobody owns: a session told to adopt orphans puts the account's unknown coins under a
// managed position with an exit plan (an emergency flatten then sells them), and a session notices
// a Position workflow that ended without reporting its close instead of waiting for it forever.
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keysFor } from '../../exchange/provider';
import { type SessionStatus, sessionStatusQuery } from '../../workflows/definitions';
import { positionWorkflowId, sessionWorkflowId } from '../../workflows/ids';
import { eventually, type Stack, startStack } from '../stack';
import { callApi } from './harness';

let stack: Stack;

async function holding(currency: string): Promise<Decimal> {
  const account = (await stack.exchange('sim').accounts()).find((a) => a.currency === currency);
  return account ? new Decimal(account.balance).plus(account.locked) : new Decimal(0);
}

async function startAdoptingSession(name: string): Promise<string> {
  // Frozen market and a market the probe will not enter: only the orphans become positions.
  const created = await callApi<{ id: string }>(stack, 'POST', '/api/sessions', {
    name,
    strategy: 'probe',
    config: { markets: ['KRW-DOGE'], orphans: 'adopt', loopIntervalSec: 5 },
  });
  expect(created.status).toBe(201);
  return created.body.id;
}

beforeAll(async () => {
  const keys = await keysFor('sim')();
  stack = await startStack({
    sim: { tickMs: 3_600_000, accounts: [{ ...keys, krw: '10000000', holdings: { XRP: '100' } }] },
  });
  await stack.startWorkers();
});

afterAll(async () => {
  await stack?.stop();
});

describe('orphaned coins', () => {
  it('are adopted into a managed position with an exit plan, which a flatten sells', async () => {
    expect((await holding('XRP')).toFixed()).toBe('100');
    const id = await startAdoptingSession('adopt');
    const positionId = positionWorkflowId(id, 'KRW-XRP', 1);
    const session = stack.client.workflow.getHandle(sessionWorkflowId(id));
    await eventually(
      async () =>
        ((await session.query(sessionStatusQuery)) as SessionStatus).openPositions.some(
          (p) => p.positionId === positionId,
        ),
      60_000,
      'the orphan to be adopted',
    );
    const row = await eventually(
      () => stack.db.prisma.position.findFirst({ where: { id: positionId, status: 'open' } }),
      30_000,
      'the adopted position to be open',
    );
    expect(row.volume.toString()).toBe('100');
    expect(await stack.db.prisma.riskEvent.count({ where: { sessionId: id, kind: 'orphan_adopted' } })).toBe(1);

    const stop = await callApi(stack, 'POST', `/api/sessions/${id}/emergency-stop`, { mode: 'flatten', confirm: id });
    expect(stop.status).toBeLessThan(300);
    await eventually(async () => (await holding('XRP')).isZero(), 60_000, 'the adopted coins to be sold');
    const closed = await eventually(
      () => stack.db.prisma.position.findFirst({ where: { id: positionId, status: 'closed' } }),
      30_000,
      'the position to close',
    );
    expect(new Decimal(closed.remainingVolume.toString()).isZero()).toBe(true);
  }, 180_000);

  it("are noticed when their position's workflow ends without closing: the session drops it and raises a critical event", async () => {
    // Coins bought outside any session: an orphan for the next session to adopt.
    await stack.exchange('sim').createOrder({ market: 'KRW-ADA', side: 'bid', ord_type: 'price', price: '100000' });
    await eventually(async () => (await holding('ADA')).gt(0), 10_000, 'the coins to be bought');
    const id = await startAdoptingSession('watch');
    const positionId = positionWorkflowId(id, 'KRW-ADA', 1);
    const session = stack.client.workflow.getHandle(sessionWorkflowId(id));
    const openIds = async () =>
      ((await session.query(sessionStatusQuery)) as SessionStatus).openPositions.map((p) => p.positionId);
    await eventually(async () => (await openIds()).includes(positionId), 60_000, 'the orphan to be adopted');
    await stack.client.workflow.getHandle(positionId).terminate('operator ended it by hand');
    await eventually(async () => !(await openIds()).includes(positionId), 150_000, 'the session to drop the position');
    // The session drops the position from its state, then records the event: a query can see the first before the second.
    const lost = await eventually(
      () => stack.db.prisma.riskEvent.findFirst({ where: { sessionId: id, kind: 'position_lost' } }),
      30_000,
      'the position_lost event',
    );
    expect(lost?.severity).toBe('critical');
    expect(lost?.message).toContain(positionId);
  }, 240_000);
});
