// Activities of a session's scheduled re-tuning (workflows/retune.ts). The heavy ones (planning over the stored
// candles, the out-of-sample comparison) run on the `backtest` task queue; the walk-forward optimisation itself is
// the backtest workflow's. Only a winner that beats the running parameters out of sample by the configured margin is
// recorded; applying it always goes through the session's own `updateConfig` update and its validator.
import { ApplicationFailure, Context } from '@temporalio/activity';
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { computeMetrics } from '../core/backtest/metrics';
import { scoreOf } from '../core/backtest/research';
import type { EquityPoint, Fill, Trade } from '../core/backtest/result';
import type { Objective } from '../core/backtest/search';
import type { BacktestRequest } from '../core/contract';
import type { RetuneConfig, SessionConfig } from '../core/session/config';
import { decideRetune, type RetuneDecision, retuneFolds } from '../core/session/retune';
import { getStrategy, validateParams } from '../core/strategy';
import { storedSpan } from '../exchange/marketdata/store';
import { findRun } from '../prisma/repositories/backtest-runs';
import { decideProposal, findProposal, proposeRetune } from '../prisma/repositories/retune-proposals';
import { findSession } from '../prisma/repositories/sessions';
import { requestData } from './backtest-candles';
import { scalarMetrics } from './backtest-results';
import { activityPass, configOf, windowData } from './backtest-runs';
import type { ActivityDeps } from './deps';
import { latestUniverse } from './universe';

const DAY_MS = 86_400_000;
type Params = Record<string, number | boolean>;

export interface RetunePlan {
  runId: string;
  request: BacktestRequest;
  retune: RetuneConfig;
  /** The running parameters, defaults filled in. */
  current: Params;
}

export interface RetuneVerdict {
  decision: RetuneDecision;
  evidence: RetuneEvidence;
}

/** What a re-tuning found, stored with a proposal and in the config history. */
export interface RetuneEvidence {
  runId: string;
  strategy: string;
  objective: Objective;
  markets: string[];
  /** The lookback, and its out-of-sample part (the folds' test windows), UTC ms. */
  range: { from: number; to: number };
  outOfSample: { from: number; to: number };
  folds: { train: { from: number; to: number }; test: { from: number; to: number }; bestParams: Params }[];
  current: { params: Params; score: number | null; metrics: Record<string, number | null> };
  candidate: { params: Params; score: number | null; metrics: Record<string, number | null> };
  reason: string;
}

/** A proposal's id: one per backtest run, so a retried activity writes it once. */
export const proposalIdOf = (runId: string) => runId;

interface StoredFold {
  index: number;
  train: { from: number; to: number };
  test: { from: number; to: number };
  bestParams: Params;
}

export function createRetuneActivities({ db }: Pick<ActivityDeps, 'db'>) {
  const prisma = db.prisma;

  return {
    /** Keeps (or, with `retune` null, deletes) the Temporal Schedule that starts a session's re-tuning. */
    async syncRetuneSchedule(input: {
      sessionId: string;
      retune: RetuneConfig | null;
      scheduleId: string;
      taskQueue: string;
    }): Promise<void> {
      const client = Context.current().client;
      const handle = client.schedule.getHandle(input.scheduleId);
      if (!input.retune) {
        await handle.delete().catch((err) => {
          if (!(err instanceof ScheduleNotFoundError)) throw err;
        });
        return;
      }
      const spec = { cronExpressions: [input.retune.cron] };
      try {
        await client.schedule.create({
          scheduleId: input.scheduleId,
          spec,
          action: {
            type: 'startWorkflow',
            workflowType: 'retuneWorkflow',
            args: [{ sessionId: input.sessionId }],
            taskQueue: input.taskQueue,
            workflowId: input.scheduleId,
          },
          policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1h' },
          state: { note: `re-tunes the strategy parameters of session ${input.sessionId}` },
        });
      } catch (err) {
        if (!(err instanceof ScheduleAlreadyRunning)) throw err;
        await handle.update((previous) => ({ ...previous, spec }));
      }
    },

    /** The walk-forward run over the session's lookback, or why there is none to run now. */
    async retunePlan(input: { sessionId: string; now: number }): Promise<RetunePlan | { skip: string }> {
      const row = await findSession(prisma, input.sessionId);
      if (!row) return { skip: 'no such session' };
      if (row.status === 'stopped' || row.status === 'failed') return { skip: `the session is ${row.status}` };
      const config = row.config as unknown as SessionConfig;
      const retune = config.retune;
      if (!retune) return { skip: 'the session has no retune setting' };
      const strategy = getStrategy(config.strategy);
      const params = validateParams(strategy, config.strategyParams);
      if (!params.ok) return { skip: `running parameters invalid: ${params.errors.join('; ')}` };
      const to = Math.floor(input.now / 60_000) * 60_000;
      const from = to - retune.lookbackDays * DAY_MS;
      const wanted = config.markets.length
        ? config.markets
        : ((await latestUniverse(db, config.mode))?.selected ?? []).slice(0, config.universeSize).map((r) => r.market);
      // Markets without stored candles over the lookback cannot be judged; the collector fills them in time.
      const markets: string[] = [];
      for (const market of wanted) {
        const span = await storedSpan(db, market, 'minute1', { from, to });
        if (span && span.first <= from + DAY_MS) markets.push(market);
      }
      if (!markets.length)
        return { skip: `no market has stored 1-minute candles over the last ${retune.lookbackDays} days` };
      const runId = `bt-retune-${input.sessionId}-${input.now}`;
      return {
        runId,
        retune,
        current: params.params as Params,
        request: {
          kind: 'walkforward',
          strategy: config.strategy,
          params: params.params as Params,
          markets,
          timeframe: 'minute1',
          from,
          to,
          capitalKrw: '10000000',
          risk: config.risk,
          optimize: {
            method: retune.method,
            budget: retune.budget ?? 16,
            objective: retune.objective,
            seed: 1,
            minTrades: 1,
          },
          walkforward: retuneFolds(retune.lookbackDays),
          chunkSize: 4,
          concurrency: 2,
        },
      };
    },

    /**
     * The running parameters on the walk-forward run's test windows, chained as the run chains its winners, and the
     * decision: the candidate is the last fold's winner (trained on the most recent data).
     */
    async retuneCompare(input: RetunePlan): Promise<RetuneVerdict> {
      const { runId, request, retune, current } = input;
      const run = await findRun(prisma, runId);
      if (!run) throw new Error(`no backtest run ${runId}`);
      if (run.status !== 'completed')
        throw ApplicationFailure.nonRetryable(`walk-forward run ${runId} is ${run.status}`, 'RetuneInputError');
      const folds = ((run.result as { folds?: StoredFold[] } | null)?.folds ?? []).sort((a, b) => a.index - b.index);
      if (!folds.length)
        throw ApplicationFailure.nonRetryable(`walk-forward run ${runId} has no folds`, 'RetuneInputError');
      const data = await requestData(db, request);
      const initial = Number(request.capitalKrw);
      let factor = 1;
      const equity: EquityPoint[] = [];
      const trades: Trade[] = [];
      const fills: Fill[] = [];
      for (const fold of folds) {
        const [r] = await activityPass(
          [configOf(request, current, fold.test)],
          windowData(data, request, fold.test),
          fold.index,
        );
        for (const p of r.equity) equity.push({ ts: p.ts, equity: p.equity * factor });
        factor *= r.metrics.finalEquity / initial;
        trades.push(...r.trades);
        fills.push(...r.fills);
      }
      const outOfSample = { from: folds[0].test.from, to: folds[folds.length - 1].test.to };
      const currentMetrics = computeMetrics({
        initialEquity: initial,
        equity,
        trades,
        fills,
        startTs: outOfSample.from,
        endTs: outOfSample.to,
      });
      const finite = (x: number) => (Number.isFinite(x) ? x : null);
      const currentScore = finite(scoreOf(currentMetrics, retune.objective, 1));
      const candidateMetrics = (run.metrics ?? {}) as Record<string, number | null>;
      const candidateScore = scoreOfStored(candidateMetrics, retune.objective);
      const candidate = { ...current, ...folds[folds.length - 1].bestParams };
      const decision = decideRetune({
        strategy: getStrategy(request.strategy),
        retune,
        current,
        candidate,
        currentScore,
        candidateScore,
      });
      return {
        decision,
        evidence: {
          runId,
          strategy: request.strategy,
          objective: retune.objective,
          markets: request.markets,
          range: { from: request.from, to: request.to },
          outOfSample,
          folds: folds.map((f) => ({ train: f.train, test: f.test, bestParams: f.bestParams })),
          current: { params: current, score: currentScore, metrics: scalarMetrics(currentMetrics) },
          candidate: { params: candidate, score: candidateScore, metrics: candidateMetrics },
          reason: decision.reason,
        },
      };
    },

    /** Stores the proposal (once per run) and notes it in the session's config history with its evidence. */
    async retuneRecord(input: { sessionId: string; params: Params; evidence: RetuneEvidence }): Promise<string> {
      const id = proposalIdOf(input.evidence.runId);
      if (await findProposal(prisma, id)) return id;
      const session = await findSession(prisma, input.sessionId);
      if (!session) throw new Error(`no session ${input.sessionId}`);
      // One proposal waits at a time: a newer run's answer replaces an older one.
      await proposeRetune(prisma, {
        id,
        sessionId: input.sessionId,
        params: input.params,
        current: input.evidence.current.params,
        evidence: input.evidence as unknown as object,
        sessionConfig: session.config as object,
      });
      return id;
    },

    /**
     * Applies a stored proposal through the session's `updateConfig` update (its validator decides), for `auto`.
     * A proposal applied already is not applied again.
     */
    async retuneApply(input: { proposalId: string; sessionWorkflowId: string }): Promise<'applied' | 'rejected'> {
      const proposal = await findProposal(prisma, input.proposalId);
      if (!proposal) throw new Error(`no retune proposal ${input.proposalId}`);
      if (proposal.status === 'applied') return 'applied';
      if (proposal.status !== 'proposed') return 'rejected';
      const handle = Context.current().client.workflow.getHandle(input.sessionWorkflowId);
      try {
        await handle.executeUpdate('updateConfig', {
          args: [{ strategyParams: proposal.params }, { reason: 'retune-auto', evidence: proposal.evidence }],
        });
      } catch (err) {
        if (!(err instanceof WorkflowUpdateFailedError)) throw err;
        await decideProposal(prisma, proposal.id, 'rejected', 'retune');
        return 'rejected';
      }
      await decideProposal(prisma, proposal.id, 'applied', 'retune');
      return 'applied';
    },
  };
}

/**
 * scoreOf on stored (JSON) metrics, where non-finite numbers are null: null when the run had no trades; a profit
 * factor stored as null with trades is one without losing trades, which scoreOf ranks at 1e6.
 */
function scoreOfStored(metrics: Record<string, number | null>, objective: Objective): number | null {
  if (!metrics.trades) return null;
  const v = metrics[objective];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  return objective === 'profitFactor' ? 1e6 : null;
}
