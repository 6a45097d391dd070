// The positions repository on a real (in-memory PGlite) database: a recording changes only the fields
// it carries, and the alert goes with the write or not at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../db';
import { closedPositionsSince, holdingPositions, positionStatus, savePosition } from './positions';

let db: Database;
const key = { id: 'p1', sessionId: 's1', market: 'KRW-ETH' };

beforeAll(async () => {
  db = await openDatabase({ databaseUrl: 'memory://' });
  await db.prisma.session.create({
    data: { id: 's1', name: 's1', mode: 'sim', strategy: 'probe', status: 'running', config: {} },
  });
});
afterAll(async () => {
  await db?.close();
});

describe('positions repository', () => {
  it('creates with an empty exit plan, then keeps the fields a later recording leaves out', async () => {
    expect(await positionStatus(db.prisma, 'p1')).toBeNull();
    await savePosition(db.prisma, key, { status: 'entering' });
    expect((await db.prisma.position.findUniqueOrThrow({ where: { id: 'p1' } })).exitPlan).toEqual({});
    await savePosition(db.prisma, key, {
      status: 'open',
      entryPrice: '3000000.123456789012345678',
      volume: '0.5',
      remainingVolume: '0.5',
      exitPlan: { stop: 1 },
    });
    await savePosition(db.prisma, key, { status: 'closing', remainingVolume: '0.2' });
    const row = await db.prisma.position.findUniqueOrThrow({ where: { id: 'p1' } });
    expect(row).toMatchObject({ status: 'closing', exitPlan: { stop: 1 } });
    expect(row.entryPrice?.toFixed(18)).toBe('3000000.123456789012345678');
    expect(row.volume.toString()).toBe('0.5');
    expect(row.remainingVolume.toString()).toBe('0.2');
    expect(await holdingPositions(db.prisma, { sessionId: 's1' })).toHaveLength(1);
  });

  it('queues the alert with the close, once per key', async () => {
    const closedAt = new Date();
    const alert = {
      sessionId: 's1',
      kind: 'position_closed',
      severity: 'info' as const,
      message: 'closed',
      dedupeKey: 'position_closed:p1',
    };
    await savePosition(
      db.prisma,
      key,
      { status: 'closed', remainingVolume: '0', realizedPnl: '-1234.5', closedAt },
      alert,
    );
    await savePosition(
      db.prisma,
      key,
      { status: 'closed', remainingVolume: '0', realizedPnl: '-1234.5', closedAt },
      alert,
    );
    expect(await positionStatus(db.prisma, 'p1')).toBe('closed');
    expect(await db.prisma.alertOutbox.count({ where: { dedupeKey: 'position_closed:p1' } })).toBe(1);
    expect(await holdingPositions(db.prisma, { mode: 'sim' })).toEqual([]);
    const closed = await closedPositionsSince(db.prisma, 'sim', new Date(closedAt.getTime() - 1000));
    expect(closed.map((p) => p.realizedPnl.toString())).toEqual(['-1234.5']);
    expect(await closedPositionsSince(db.prisma, 'paper', new Date(0))).toEqual([]);
  });

  it('queues no alert when the write fails', async () => {
    const alert = {
      sessionId: 'nope',
      kind: 'position_closed',
      severity: 'info' as const,
      message: 'x',
      dedupeKey: 'k-nope',
    };
    await expect(
      savePosition(db.prisma, { ...key, id: 'p2', sessionId: 'nope' }, { status: 'closed' }, alert),
    ).rejects.toThrow();
    expect(await db.prisma.alertOutbox.count({ where: { dedupeKey: 'k-nope' } })).toBe(0);
  });
});
