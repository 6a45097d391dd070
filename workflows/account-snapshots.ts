// Account snapshot workflow (`account-snapshots-<mode>-<time>`), started every minute by the Temporal Schedule
// `account-snapshots-<mode>`: values the mode's account and records it for the overview's figures and equity curve.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { TradingMode } from '../core/session/config';

// Two exchange reads and a row: seconds. A minute that cannot be valued is skipped (the next run comes a minute
// later), so retries stop well before then.
const acts = proxyActivities<Activities>({
  startToCloseTimeout: '20s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 4 },
});

export async function accountSnapshotWorkflow(input: { mode: TradingMode }) {
  return acts.recordAccountSnapshot({ mode: input.mode });
}
