// Universe workflow (`universe-<mode>-<time>`), started by the Temporal Schedule `universe-<mode>`: screens the
// exchange's KRW markets (liquidity, spread, market warnings) and stores the tradable universe sessions use.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { TradingMode } from '../core/session/config';

// Dozens of quotation requests, paced by the client: minutes at most; an exchange outage is retried.
const acts = proxyActivities<Activities>({
  startToCloseTimeout: '10m',
  retry: { initialInterval: '10s', backoffCoefficient: 2, maximumInterval: '5m', maximumAttempts: 10 },
});

export async function universeWorkflow(input: { mode: TradingMode }) {
  return acts.refreshUniverse({ mode: input.mode });
}
