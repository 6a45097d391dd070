// Re-tuning workflow (`retune-<session>`), started by the session's Temporal Schedule (`retune` in its config): plans
// a walk-forward optimisation over the lookback, runs it as a backtest child workflow (its chunks are activities on
// the `backtest` queue), compares the winner out of sample with the running parameters, and only when it is better by
// the configured margin records a proposal or (`auto`) applies it through the session's validated config update.
// A run that fails or finds nothing better changes nothing.
import { executeChild, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { backtestWorkflow } from './backtest';
import { sessionWorkflowId, TASK_QUEUE_BACKTEST } from './ids';

const heavy = proxyActivities<Activities>({
  taskQueue: TASK_QUEUE_BACKTEST,
  startToCloseTimeout: '2h',
  heartbeatTimeout: '5m',
  retry: {
    initialInterval: '5s',
    backoffCoefficient: 2,
    maximumInterval: '1m',
    maximumAttempts: 3,
    nonRetryableErrorTypes: ['RetuneInputError', 'BacktestInputError'],
  },
});

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10 },
});

export interface RetuneOutcome {
  outcome: 'skipped' | 'failed' | 'kept' | 'proposed' | 'applied' | 'rejected';
  reason: string;
  runId?: string;
  proposalId?: string;
}

export async function retuneWorkflow(input: { sessionId: string }): Promise<RetuneOutcome> {
  const { sessionId } = input;
  const plan = await heavy.retunePlan({ sessionId, now: Date.now() });
  if ('skip' in plan) return { outcome: 'skipped', reason: plan.skip };
  const { runId } = plan;
  try {
    await executeChild(backtestWorkflow, {
      workflowId: runId,
      taskQueue: TASK_QUEUE_BACKTEST,
      args: [{ runId, request: plan.request }],
    });
  } catch (err) {
    return { outcome: 'failed', reason: innermostMessage(err), runId };
  }
  const { decision, evidence } = await heavy.retuneCompare(plan);
  if (decision.action === 'keep') return { outcome: 'kept', reason: decision.reason, runId };
  const proposalId = await acts.retuneRecord({ sessionId, params: decision.params, evidence });
  if (decision.action === 'propose') return { outcome: 'proposed', reason: decision.reason, runId, proposalId };
  const applied = await acts.retuneApply({ proposalId, sessionWorkflowId: sessionWorkflowId(sessionId) });
  return { outcome: applied, reason: decision.reason, runId, proposalId };
}

function innermostMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e?.cause) e = e.cause as typeof e;
  return e?.message ?? String(err);
}
