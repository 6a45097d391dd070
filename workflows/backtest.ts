// Backtest workflow (`bt-<id>`, task queue `backtest`): one run, a parameter search, a walk-forward
// analysis or Monte Carlo bands, fanned out as activities in a sliding window of parameter-set
// chunks. Every chunk's result is persisted by its activity and only a small score list comes back,
// so histories stay far below Temporal's payload limits. After a worker crash Temporal replays the
// history (finished chunks are not run again) and a retried chunk finds its stored result first.
import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  defineQuery,
  isCancellation,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BacktestSummary } from '../activities/backtest';
import {
  type ParamSet,
  planOptimization,
  rankTrials,
  searchSpaceOf,
  type Trial,
  tpeSuggest,
} from '../core/backtest/search';
import { type Fold, walkForwardFolds } from '../core/backtest/walkforward';
import {
  type BacktestInput,
  type BacktestProgress,
  type BacktestRequest,
  type OptimizeRequest,
  type ScoredParams,
  TASK_QUEUE_BACKTEST,
} from '../core/contract';
import { getStrategy } from '../core/strategy';

export type { BacktestInput, BacktestProgress, BacktestRequest, ScoredParams };

export const backtestProgressQuery = defineQuery<BacktestProgress>('progress');

/** TPE suggestions per round; 8 like core's optimizeStrategy, so both give the same search. */
const TPE_BATCH = 8;

const acts = proxyActivities<Activities>({
  taskQueue: TASK_QUEUE_BACKTEST,
  startToCloseTimeout: '30m',
  // Chunks heartbeat between their steps and every few seconds while the engine thread runs a pass; loading the
  // candles from the database (on the worker's thread) must fit in this.
  heartbeatTimeout: '2m',
  // A cancelled backtest does not wait for a chunk busy in the engine: its late result is harmless.
  cancellationType: ActivityCancellationType.TRY_CANCEL,
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '20s',
    maximumAttempts: 5,
    nonRetryableErrorTypes: ['BacktestInputError'],
  },
});

const chunked = <T>(xs: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size));

/** How many chunks a search of `method` / `budget` runs (TPE: rounds of TPE_BATCH suggestions). */
function searchChunks(request: BacktestRequest, sets: ParamSet[] | null): number {
  const size = request.chunkSize;
  if (sets) return Math.ceil(sets.length / size);
  const budget = request.optimize?.budget ?? 0;
  let n = 0;
  for (let done = 0; done < budget; done += TPE_BATCH) n += Math.ceil(Math.min(TPE_BATCH, budget - done) / size);
  return n;
}

export async function backtestWorkflow(input: BacktestInput): Promise<BacktestSummary> {
  const { runId, request } = input;
  const state: BacktestProgress = { phase: 'starting', done: 0, total: 1, progress: 0, doneKeys: [] };
  setHandler(backtestProgressQuery, () => ({ ...state, progress: state.total ? state.done / state.total : 0 }));

  const finished = (key: string) => {
    state.done += 1;
    state.doneKeys.push(key);
  };

  /** Runs jobs with at most `concurrency` in flight; results in job order. */
  async function slidingWindow<J, R>(jobs: J[], run: (job: J) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array(jobs.length);
    let next = 0;
    const lane = async () => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await run(jobs[i]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(request.concurrency, jobs.length) }, lane));
    return results;
  }

  /** A parameter search on one window; the trials in evaluation order (ranking keeps ties in it). */
  async function search(prefix: string, window: { from: number; to: number }, seed: number): Promise<ScoredParams[]> {
    const opt = request.optimize as OptimizeRequest;
    const space = searchSpaceOf(getStrategy(request.strategy).params, opt.searchParams);
    const runChunk = (sets: ParamSet[], n: number) =>
      acts
        .backtestChunk({
          runId,
          key: `${prefix}c${n}`,
          request,
          paramSets: sets,
          window,
          totalUnits: state.total,
        })
        .then((r) => {
          finished(`${prefix}c${n}`);
          return r;
        });
    if (opt.method !== 'tpe') {
      const sets = planOptimization({ space, method: opt.method, budget: opt.budget, seed });
      const parts = await slidingWindow(
        chunked(sets, request.chunkSize).map((s, n) => [s, n] as const),
        ([s, n]) => runChunk(s, n),
      );
      return parts.flat();
    }
    // TPE is sequential: each round's suggestions depend on every earlier score.
    const history: ScoredParams[] = [];
    let n = 0;
    while (history.length < opt.budget) {
      const count = Math.min(TPE_BATCH, opt.budget - history.length);
      const trials = history.map((t) => ({ params: t.params, score: t.score ?? Number.NEGATIVE_INFINITY }));
      const sets = Array.from({ length: count }, (_, i) => tpeSuggest(trials, space, seed + history.length + i));
      const jobs = chunked(sets, request.chunkSize).map((s) => [s, n++] as const);
      const parts = await slidingWindow(jobs, ([s, k]) => runChunk(s, k));
      history.push(...parts.flat());
    }
    return history;
  }

  const best = (trials: ScoredParams[]): ScoredParams => {
    const ranked = rankTrials(
      trials.map((t): Trial & { t: ScoredParams } => ({
        params: t.params,
        score: t.score ?? Number.NEGATIVE_INFINITY,
        t,
      })),
    );
    return ranked[0].t;
  };

  try {
    await acts.backtestBegin({ runId, request });
    const full = { from: request.from, to: request.to };
    if (request.kind === 'backtest' || request.kind === 'montecarlo') {
      state.total = request.kind === 'montecarlo' ? 2 : 1;
      state.phase = 'backtest';
      await acts.backtestSingle({ runId, request, complete: request.kind === 'backtest' });
      finished('run');
      if (request.kind === 'montecarlo') {
        state.phase = 'montecarlo';
        await acts.backtestMonteCarlo({ runId, request });
        finished('montecarlo');
      }
    } else if (request.kind === 'optimize') {
      const opt = request.optimize as OptimizeRequest;
      const space = searchSpaceOf(getStrategy(request.strategy).params, opt.searchParams);
      const sets =
        opt.method === 'tpe'
          ? null
          : planOptimization({ space, method: opt.method, budget: opt.budget, seed: opt.seed });
      state.total = searchChunks(request, sets) + 1;
      state.phase = 'search';
      const trials = await search('', full, opt.seed);
      state.phase = 'best run';
      await acts.backtestFinishOptimize({ runId, request, keys: chunkKeys('', trials.length, request.chunkSize, opt) });
      finished('best');
    } else {
      const opt = request.optimize as OptimizeRequest;
      const wf = request.walkforward as NonNullable<BacktestRequest['walkforward']>;
      const folds: Fold[] = walkForwardFolds(full, wf);
      const space = searchSpaceOf(getStrategy(request.strategy).params, opt.searchParams);
      const perFold =
        searchChunks(
          request,
          opt.method === 'tpe'
            ? null
            : planOptimization({ space, method: opt.method, budget: opt.budget, seed: opt.seed }),
        ) + 1;
      state.total = folds.length * perFold + 1;
      const foldResults: { fold: Fold; bestParams: ParamSet; trainScore: number | null; key: string }[] = [];
      for (const fold of folds) {
        state.phase = `fold ${fold.index + 1}/${folds.length}: search`;
        // Same seeds per fold as core's walkForward, so both pick the same parameters.
        const trials = await search(`f${fold.index}-`, fold.train, opt.seed + fold.index * 100_003);
        const winner = best(trials);
        state.phase = `fold ${fold.index + 1}/${folds.length}: test`;
        const key = `f${fold.index}-test`;
        await acts.backtestFoldTest({
          runId,
          key,
          request,
          params: winner.params,
          window: fold.test,
          totalUnits: state.total,
        });
        finished(key);
        foldResults.push({ fold, bestParams: winner.params, trainScore: winner.score, key });
      }
      state.phase = 'out-of-sample';
      await acts.backtestFinishWalkForward({ runId, request, folds: foldResults });
      finished('oos');
    }
    state.phase = 'completed';
    return await acts.backtestSummary({ runId });
  } catch (err) {
    if (isCancellation(err)) {
      state.phase = 'cancelled';
      await CancellationScope.nonCancellable(() => acts.backtestSetStatus({ runId, status: 'cancelled' }));
      throw err;
    }
    state.phase = 'failed';
    const message = failureMessage(err);
    await acts.backtestSetStatus({ runId, status: 'failed', error: message });
    throw ApplicationFailure.nonRetryable(message, 'BacktestFailed');
  }
}

/** The chunk keys of a search, in evaluation order. */
function chunkKeys(prefix: string, trials: number, size: number, opt: OptimizeRequest): string[] {
  if (opt.method !== 'tpe') return Array.from({ length: Math.ceil(trials / size) }, (_, n) => `${prefix}c${n}`);
  const keys: string[] = [];
  for (let done = 0; done < trials; done += TPE_BATCH) {
    const chunks = Math.ceil(Math.min(TPE_BATCH, trials - done) / size);
    for (let i = 0; i < chunks; i++) keys.push(`${prefix}c${keys.length}`);
  }
  return keys;
}

/** The innermost message of an activity failure (the cause says what went wrong). */
function failureMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e?.cause) e = e.cause as typeof e;
  return e?.message ?? String(err);
}
