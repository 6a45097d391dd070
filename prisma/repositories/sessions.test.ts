// The sessions repository on a real (in-memory PGlite) database: a live start's token starts one
// session only, and a config change always lands in the history with the session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionConfig } from '../../core/session/config';
import { type Database, openDatabase } from '../db';
import { configHistoryOf, createSession, findSession, setSessionConfig, setSessionStatus } from './sessions';

let db: Database;
const config = (name: string) => ({ name, mode: 'live', strategy: 'probe' }) as unknown as SessionConfig;

beforeAll(async () => {
  db = await openDatabase({ databaseUrl: 'memory://' });
});
afterAll(async () => {
  await db?.close();
});

describe('sessions repository', () => {
  it('creates a session with its first history row and its live confirmation', async () => {
    const confirmation = { tokenId: 't1', configHash: 'h1', confirmedBy: 'admin' };
    const row = await createSession(db.prisma, { id: 's1', config: config('one'), confirmation });
    expect(row).toMatchObject({ id: 's1', name: 'one', mode: 'live', status: 'starting' });
    expect((await configHistoryOf(db.prisma, 's1', 10)).map((h) => h.reason)).toEqual(['created']);
    expect(await db.prisma.liveConfirmation.findUnique({ where: { sessionId: 's1' } })).toMatchObject(confirmation);
  });

  it('refuses a used confirmation token and writes nothing', async () => {
    const confirmation = { tokenId: 't1', configHash: 'h2', confirmedBy: 'admin' };
    expect(await createSession(db.prisma, { id: 's2', config: config('two'), confirmation })).toBeNull();
    expect(await findSession(db.prisma, 's2')).toBeNull();
    expect(await configHistoryOf(db.prisma, 's2', 10)).toEqual([]);
  });

  it('replaces the config and appends it to the history, newest first', async () => {
    const next = { ...config('one'), strategyParams: { x: 1 } } as unknown as SessionConfig;
    await setSessionConfig(db.prisma, { sessionId: 's1', config: next, reason: 'edited', evidence: { why: 'test' } });
    expect((await findSession(db.prisma, 's1'))?.config).toEqual(next);
    const history = await configHistoryOf(db.prisma, 's1', 10);
    expect(history.map((h) => h.reason)).toEqual(['edited', 'created']);
    expect(history[0].evidence).toEqual({ why: 'test' });
  });

  it('a config change of a missing session writes no history', async () => {
    await expect(
      setSessionConfig(db.prisma, { sessionId: 'nope', config: config('x'), reason: 'edited' }),
    ).rejects.toThrow();
    expect(await configHistoryOf(db.prisma, 'nope', 10)).toEqual([]);
  });

  it('sets the status, and the stop time only when given', async () => {
    expect((await setSessionStatus(db.prisma, 's1', 'running')).stoppedAt).toBeNull();
    const stoppedAt = new Date('2026-03-10T00:00:00Z');
    expect((await setSessionStatus(db.prisma, 's1', 'stopped', stoppedAt)).stoppedAt).toEqual(stoppedAt);
  });
});
