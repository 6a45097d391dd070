// The retune-proposals repository on a real (in-memory PGlite) database: one proposal waits at a time,
// and each is noted in the session's config history with its evidence.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../db';
import { decideProposal, findSessionProposal, proposalsOf, proposeRetune } from './retune-proposals';
import { configHistoryOf } from './sessions';

let db: Database;
const proposal = (id: string) => ({
  id,
  sessionId: 's1',
  params: { x: 2 },
  current: { x: 1 },
  evidence: { runId: id },
  sessionConfig: { name: 's1' },
});

beforeAll(async () => {
  db = await openDatabase({ databaseUrl: 'memory://' });
  await db.prisma.session.create({
    data: { id: 's1', name: 's1', mode: 'sim', strategy: 'probe', status: 'running', config: { name: 's1' } },
  });
});
afterAll(async () => {
  await db?.close();
});

describe('retune proposals repository', () => {
  it('a newer proposal supersedes the waiting one; each lands in the config history', async () => {
    await proposeRetune(db.prisma, proposal('r1'));
    await proposeRetune(db.prisma, proposal('r2'));
    const byId = Object.fromEntries((await proposalsOf(db.prisma, 's1', 10)).map((p) => [p.id, p.status]));
    expect(byId).toEqual({ r1: 'superseded', r2: 'proposed' });
    const history = await configHistoryOf(db.prisma, 's1', 10);
    expect(history.map((h) => [h.reason, h.evidence])).toEqual([
      ['retune-proposed', { runId: 'r2' }],
      ['retune-proposed', { runId: 'r1' }],
    ]);
  });

  it('a repeated id writes nothing, not even the supersede or the history', async () => {
    await expect(proposeRetune(db.prisma, proposal('r2'))).rejects.toThrow();
    expect((await findSessionProposal(db.prisma, 's1', 'r2'))?.status).toBe('proposed');
    expect(await configHistoryOf(db.prisma, 's1', 10)).toHaveLength(2);
  });

  it('records who decided, and finds a proposal only under its own session', async () => {
    const applied = await decideProposal(db.prisma, 'r2', 'applied', 'admin');
    expect(applied).toMatchObject({ status: 'applied', decidedBy: 'admin' });
    expect(applied.decidedAt).toBeInstanceOf(Date);
    expect(await findSessionProposal(db.prisma, 'other', 'r2')).toBeNull();
  });
});
