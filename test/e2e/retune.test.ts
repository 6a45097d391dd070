// Scheduled re-tuning end to end: the session's Temporal Schedule, the retune workflow with its walk-forward child
// on the `backtest` queue, the proposal and its evidence in the database and the API, and the apply through the
// session's validated config update. Ten days of seeded 1-minute candles stand in for what the collector stores.
// The running RSI-reversion parameters (entry threshold 1, the top of its range) never trade, so any winner that
// trades is better out of sample; a margin of 1000 makes the same run find nothing better.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticCandles } from '../../core/backtest/synthetic';
import { getStrategy, validateParams } from '../../core/strategy';
import { insertCandles } from '../../exchange/marketdata/store';
import { minuteBucket } from '../../exchange/sim/candles';
import { retuneScheduleId } from '../../workflows/ids';
import type { RetuneOutcome } from '../../workflows/retune';
import { eventually, type Stack, startStack } from '../stack';

const DAY = 86_400_000;
const STRATEGY = 'rsi-reversion';
const NEVER_TRADES = { entryThreshold: 1 };
const retune = {
  cron: '0 1 * * *',
  lookbackDays: 8,
  method: 'random',
  objective: 'totalReturn',
  apply: 'propose',
  minImprovement: 0,
  budget: 12,
};

interface Proposal {
  id: string;
  status: string;
  params: Record<string, number>;
  current: Record<string, number>;
  evidence: {
    runId: string;
    range: { from: number; to: number };
    outOfSample: { from: number; to: number };
    current: { params: Record<string, number>; score: number | null; metrics: Record<string, number | null> };
    candidate: { params: Record<string, number>; score: number | null; metrics: Record<string, number | null> };
  };
}

describe('scheduled re-tuning', () => {
  let stack: Stack;
  let admin: Record<string, string>;
  let viewer: Record<string, string>;

  beforeAll(async () => {
    stack = await startStack();
    await stack.startWorkers();
    admin = { ...(await stack.authHeaders()), 'content-type': 'application/json' };
    const created = await fetch(`${stack.apiUrl}/api/users`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ username: 'watcher', role: 'viewer', password: 'watcher-password-1' }),
    });
    expect(created.status).toBeLessThan(300);
    viewer = {
      authorization: `Bearer ${await stack.login('watcher', 'watcher-password-1')}`,
      'content-type': 'application/json',
    };
    const now = minuteBucket(Date.now());
    const price = stack.sim.markets.get('KRW-BTC')!.minuteLayer.candles.at(-1)!.c;
    const bars = 10 * 1440;
    const { 'KRW-BTC': candles } = syntheticCandles({
      seed: 5,
      markets: ['KRW-BTC'],
      from: now - bars * 60_000,
      bars,
      barMs: 60_000,
      volatility: 0.003,
      startPrice: price,
    });
    await insertCandles(
      stack.db,
      candles.map((c) => ({ market: 'KRW-BTC', timeframe: 'minute1', source: 'test', value: null, ...c })),
    );
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  const api = async (method: string, path: string, headers = admin, body?: unknown) => {
    const { 'content-type': _json, ...auth } = headers;
    const res = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: body === undefined ? auth : headers,
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  const startSession = async (name: string, apply: 'propose' | 'auto', over: Record<string, unknown> = {}) => {
    const res = await api('POST', '/api/sessions', admin, {
      name,
      strategy: STRATEGY,
      config: { markets: ['KRW-BTC'], strategyParams: NEVER_TRADES, retune: { ...retune, apply, ...over } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const id = res.body.id as string;
    const schedule = stack.client.schedule.getHandle(retuneScheduleId(id));
    await eventually(() => schedule.describe().catch(() => undefined), 60_000, `the retune schedule of ${id}`);
    return { id, schedule };
  };

  /** Triggers the schedule and waits for the run it starts. */
  const runOnce = async (schedule: ReturnType<Stack['client']['schedule']['getHandle']>) => {
    const before = (await schedule.describe()).info.recentActions.length;
    await schedule.trigger();
    const workflowId = await eventually(
      async () => {
        const actions = (await schedule.describe()).info.recentActions;
        return actions.length > before ? actions.at(-1)?.action.workflow.workflowId : undefined;
      },
      60_000,
      'the triggered retune run',
    );
    return (await stack.client.workflow.getHandle(workflowId).result()) as RetuneOutcome;
  };

  const sessionConfig = async (id: string) =>
    (await stack.db.prisma.session.findUniqueOrThrow({ where: { id } })).config as {
      strategyParams: Record<string, number>;
    };

  it('proposes a winner that beats the running parameters out of sample, with its evidence; an admin applies it through the validator', async () => {
    const { id, schedule } = await startSession('retune-propose', 'propose');
    expect((await schedule.describe()).spec.calendars?.length ?? 0).toBeGreaterThan(0);

    const outcome = await runOnce(schedule);
    expect(outcome.outcome, JSON.stringify(outcome)).toBe('proposed');
    // Proposed, not applied.
    expect((await sessionConfig(id)).strategyParams).toMatchObject(NEVER_TRADES);

    const listed = await api('GET', `/api/sessions/${id}/retune-proposals`, viewer);
    expect(listed.status).toBe(200);
    const [proposal] = listed.body as Proposal[];
    expect(proposal).toMatchObject({ id: outcome.proposalId, status: 'proposed', current: NEVER_TRADES });
    expect(proposal.params.entryThreshold).toBeLessThan(1);
    const { evidence } = proposal;
    expect(evidence.current.params).toMatchObject(NEVER_TRADES);
    expect(evidence.candidate.params).toEqual(proposal.params);
    expect(evidence.current.metrics.trades).toBe(0);
    expect(evidence.candidate.metrics.trades).toBeGreaterThan(0);
    expect(evidence.candidate.score).not.toBeNull();
    expect(evidence.range.to - evidence.range.from).toBe(8 * DAY);
    expect(evidence.outOfSample).toEqual({ from: evidence.range.from + 4 * DAY, to: evidence.range.to });
    expect(validateParams(getStrategy(STRATEGY), proposal.params).ok).toBe(true);
    // The backtest run behind it is kept, for the Backtests page.
    expect(await stack.db.prisma.backtestRun.findUnique({ where: { id: evidence.runId } })).toMatchObject({
      status: 'completed',
      kind: 'walkforward',
    });

    const history = await api('GET', `/api/sessions/${id}/config-history`, viewer);
    const noted = (history.body as { reason: string; evidence: Proposal['evidence'] | null }[]).find(
      (h) => h.reason === 'retune-proposed',
    );
    expect(noted?.evidence?.candidate.params).toEqual(proposal.params);

    // Viewers may look, not apply.
    const path = `/api/sessions/${id}/retune-proposals/${proposal.id}/apply`;
    expect((await api('POST', path, viewer)).status).toBe(403);
    const applied = await api('POST', path, admin);
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    expect(applied.body.strategyParams).toEqual(proposal.params);
    expect((await sessionConfig(id)).strategyParams).toEqual(proposal.params);
    const after = await api('GET', `/api/sessions/${id}/config-history`, viewer);
    const appliedRow = (after.body as { reason: string; config: { strategyParams: unknown }; evidence: unknown }[])[0];
    expect(appliedRow).toMatchObject({ reason: 'retune-applied', config: { strategyParams: proposal.params } });
    expect(appliedRow.evidence).toMatchObject({ runId: evidence.runId, appliedBy: 'admin' });
    expect((await api('POST', path, admin)).status).toBe(409);

    // A proposal the session's validator refuses (outside the strategy bounds) changes nothing.
    await stack.db.prisma.retuneProposal.create({
      data: {
        id: 'bt-retune-forged',
        sessionId: id,
        status: 'proposed',
        params: { ...proposal.params, oversoldRsi: 99 },
        current: proposal.params,
        evidence: { ...evidence, strategy: STRATEGY },
      },
    });
    const refused = await api('POST', `/api/sessions/${id}/retune-proposals/bt-retune-forged/apply`, admin);
    expect(refused.status).toBe(400);
    expect(refused.body.message ?? refused.body.error).toMatch(/oversoldRsi/);
    expect((await sessionConfig(id)).strategyParams).toEqual(proposal.params);

    // A margin nothing reaches: the run finds nothing better and changes nothing. The schedule follows the config.
    const rows = await stack.db.prisma.configHistory.count({ where: { sessionId: id } });
    const proposals = await stack.db.prisma.retuneProposal.count({ where: { sessionId: id } });
    const patched = await api('PATCH', `/api/sessions/${id}/config`, admin, {
      retune: { ...retune, cron: '30 2 * * *', minImprovement: 1000 },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    await eventually(
      async () => JSON.stringify((await schedule.describe()).spec).includes('30'),
      30_000,
      'the schedule to take the new cron',
    );
    const kept = await runOnce(schedule);
    expect(kept.outcome, JSON.stringify(kept)).toBe('kept');
    expect((await sessionConfig(id)).strategyParams).toEqual(proposal.params);
    expect(await stack.db.prisma.configHistory.count({ where: { sessionId: id } })).toBe(rows + 1); // the PATCH only
    expect(await stack.db.prisma.retuneProposal.count({ where: { sessionId: id } })).toBe(proposals);

    // Turning re-tuning off deletes the schedule.
    expect((await api('PATCH', `/api/sessions/${id}/config`, admin, { retune: null })).status).toBe(200);
    await eventually(
      async () =>
        (await schedule.describe().then(
          () => false,
          () => true,
        )) || undefined,
      30_000,
      'the schedule to be deleted',
    );
  }, 600_000);

  it('auto applies a better winner within the strategy bounds, with the evidence in the config history', async () => {
    const { id, schedule } = await startSession('retune-auto', 'auto');
    const outcome = await runOnce(schedule);
    expect(outcome.outcome, JSON.stringify(outcome)).toBe('applied');
    const params = (await sessionConfig(id)).strategyParams;
    expect(params.entryThreshold).toBeLessThan(1);
    const bounds = getStrategy(STRATEGY).params.properties as Record<string, { minimum: number; maximum: number }>;
    for (const [name, value] of Object.entries(params)) {
      expect(value).toBeGreaterThanOrEqual(bounds[name].minimum);
      expect(value).toBeLessThanOrEqual(bounds[name].maximum);
    }
    const row = await stack.db.prisma.configHistory.findFirst({
      where: { sessionId: id, reason: 'retune-auto' },
    });
    const evidence = row?.evidence as Proposal['evidence'] | undefined;
    expect(evidence?.candidate.params).toEqual(params);
    expect(evidence?.current.params).toMatchObject(NEVER_TRADES);
    expect(await stack.db.prisma.retuneProposal.findUnique({ where: { id: outcome.proposalId } })).toMatchObject({
      status: 'applied',
      decidedBy: 'retune',
    });
  }, 600_000);

  it('a failed run changes nothing', async () => {
    // A grid of every rsi-reversion parameter is far larger than a budget of 12: the walk-forward run fails.
    const { id, schedule } = await startSession('retune-fails', 'auto', { method: 'grid' });
    const outcome = await runOnce(schedule);
    expect(outcome.outcome, JSON.stringify(outcome)).toBe('failed');
    expect((await sessionConfig(id)).strategyParams).toMatchObject(NEVER_TRADES);
    expect(await stack.db.prisma.retuneProposal.count({ where: { sessionId: id } })).toBe(0);
    const history = await stack.db.prisma.configHistory.findMany({ where: { sessionId: id } });
    expect(history.map((h) => h.reason)).toEqual(['created']);
  }, 300_000);
});
