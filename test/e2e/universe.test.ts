// The tradable universe: workers keep a Temporal Schedule that runs the universe workflow (at start, then every
// few hours); it screens the simulator's KRW markets into a stored snapshot and the `markets` table; sessions
// without a market list trade the top of the newest snapshot, and screen again when it is stale.
import { msToNumber } from '@temporalio/common/lib/time';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../activities/deps';
import { createSignalActivities } from '../../activities/signals';
import { latestUniverse, UNIVERSE_MAX_AGE_MS } from '../../activities/universe';
import { defaultSessionConfig } from '../../core/session/config';
import type { UniverseRow } from '../../core/strategy/universe';
import { ensureUniverseSchedule, UNIVERSE_REFRESH_EVERY } from '../../workers/schedules';
import { universeScheduleId } from '../../workflows/ids';
import { eventually, type Stack, startStack } from '../stack';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
  await stack.startWorkers();
});

afterAll(async () => {
  await stack?.stop();
});

interface UniverseView {
  mode: string;
  createdAt: number;
  selected: UniverseRow[];
  excluded: { market: string; reason: string }[];
}

describe('universe workflow on a Temporal Schedule', () => {
  it('screens the exchange at start and on a schedule, and serves the result', async () => {
    const got = await eventually(
      async () => {
        const res = await fetch(`${stack.apiUrl}/api/universe`, { headers: await stack.authHeaders() });
        return res.status === 200 ? ((await res.json()) as UniverseView) : undefined;
      },
      60_000,
      'the first universe snapshot',
    );
    expect(got.mode).toBe('sim');
    // Most traded first, every one above the 24h minimum, none under a warning.
    expect(got.selected.length).toBeGreaterThan(5);
    const values = got.selected.map((r) => r.value24hKrw);
    expect(values).toEqual([...values].sort((a, b) => b - a));
    expect(got.excluded).toContainEqual({ market: 'KRW-MEW', reason: 'investment warning' });
    expect(got.selected.map((r) => r.market)).not.toContain('KRW-MEW');
    // The most traded were checked against their 30-day average traded value.
    expect(got.selected[0].avgDailyValueKrw).toBeGreaterThan(0);
    // The market list went into the `markets` table, warnings included.
    const mew = await stack.db.prisma.market.findUniqueOrThrow({ where: { code: 'KRW-MEW' } });
    expect(mew.warning).toBe(true);
    expect(await stack.db.prisma.market.count({ where: { quote: 'KRW' } })).toBeGreaterThanOrEqual(50);

    const schedule = await stack.client.schedule.getHandle(universeScheduleId('sim')).describe();
    expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'universeWorkflow' });
    expect(msToNumber(schedule.spec.intervals?.[0]?.every ?? 0)).toBe(msToNumber(UNIVERSE_REFRESH_EVERY));
    expect(schedule.info.recentActions.length).toBeGreaterThanOrEqual(1);

    // Every worker start ensures the schedule: a second call changes nothing and starts no second screen.
    const snapshots = await stack.db.prisma.universeSnapshot.count();
    await ensureUniverseSchedule(stack.client, stack.db, 'sim');
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await stack.db.prisma.universeSnapshot.count()).toBe(snapshots);
  });

  it('a session without a market list evaluates the top of the newest snapshot, screening again when it is stale', async () => {
    const deps = { db: stack.db, exchange: stack.exchange } as unknown as ActivityDeps;
    const { evaluateSession } = createSignalActivities(deps);
    const config = { ...defaultSessionConfig('universe', 'probe'), universeSize: 3 };
    const latest = await latestUniverse(stack.db, 'sim');
    const top3 = latest?.selected.slice(0, 3).map((r) => r.market);
    const ev = await evaluateSession({ sessionId: 'universe-sim', config, openMarkets: [], ts: Date.now() });
    expect(Object.keys(ev.bars ?? {}).sort()).toEqual([...(top3 ?? [])].sort());

    // Paper mode's only snapshot is two days old: the evaluation screens the exchange again first.
    await stack.db.prisma.universeSnapshot.create({
      data: { mode: 'paper', selected: [], excluded: [], createdAt: new Date(Date.now() - 2 * UNIVERSE_MAX_AGE_MS) },
    });
    const paper = { ...config, mode: 'paper' as const };
    const evPaper = await evaluateSession({
      sessionId: 'universe-paper',
      config: paper,
      openMarkets: [],
      ts: Date.now(),
    });
    const fresh = await latestUniverse(stack.db, 'paper');
    expect(Date.now() - (fresh?.createdAt.getTime() ?? 0)).toBeLessThan(60_000);
    expect(Object.keys(evPaper.bars ?? {}).length).toBe(3);
  });
});
