// The events repository on a real (in-memory PGlite) database: an event and its alert are written
// together, a queued alert is claimed by one sender only, and a recorded currency is found again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../db';
import { claimAlert, dueAlerts, hasCurrencyEvent, listRiskEvents, othersEventsSince, recordEvent } from './events';

let db: Database;

beforeAll(async () => {
  db = await openDatabase({ databaseUrl: 'memory://' });
  for (const [id, mode] of [
    ['s1', 'sim'],
    ['s2', 'sim'],
    ['s3', 'paper'],
  ] as const)
    await db.prisma.session.create({ data: { id, name: id, mode, strategy: 'probe', status: 'running', config: {} } });
});
afterAll(async () => {
  await db?.close();
});

describe('events repository', () => {
  it('writes the risk event and its alert, or neither', async () => {
    const event = { sessionId: 's1', kind: 'unpriced_holding', severity: 'warn', message: 'm' } as const;
    await recordEvent(db.prisma, { ...event, details: { currency: 'ABC' } });
    await expect(recordEvent(db.prisma, { ...event, sessionId: 'nope' })).rejects.toThrow();
    expect(await listRiskEvents(db.prisma, { limit: 10 })).toHaveLength(1);
    expect(await db.prisma.alertOutbox.count()).toBe(1);
    expect(await hasCurrencyEvent(db.prisma, 's1', 'unpriced_holding', 'ABC')).toBe(true);
    expect(await hasCurrencyEvent(db.prisma, 's1', 'unpriced_holding', 'XYZ')).toBe(false);
    expect(await hasCurrencyEvent(db.prisma, 's2', 'unpriced_holding', 'ABC')).toBe(false);
  });

  it('lets one sender claim a due alert; the other finds it taken', async () => {
    const [row] = await dueAlerts(db.prisma, 10);
    const later = new Date(Date.now() + 60_000);
    expect(await claimAlert(db.prisma, row, later)).toBe(true);
    expect(await claimAlert(db.prisma, row, later)).toBe(false);
    expect(await dueAlerts(db.prisma, 10)).toEqual([]);
  });

  it("reads other sessions' events of the modes that share the account", async () => {
    for (const sessionId of ['s1', 's2', 's3'])
      await recordEvent(db.prisma, {
        sessionId,
        kind: 'orphan_holding',
        severity: 'critical',
        message: sessionId,
        details: { market: 'KRW-BTC' },
      });
    const query = { kind: 'orphan_holding', since: new Date(Date.now() - 60_000), sessionId: 's1' } as const;
    const found = await othersEventsSince(db.prisma, { ...query, modes: ['sim'] });
    expect(found.map((e) => e.sessionId)).toEqual(['s2']);
    expect(await listRiskEvents(db.prisma, { kind: 'orphan_holding', severity: 'critical', limit: 10 })).toHaveLength(
      3,
    );
  });
});
