// Candle collector workflow (`candles-<mode>-<time>`), started every minute by the Temporal Schedule `candles-<mode>`:
// one activity on the `data` task queue downloads the 1-minute candles missing from the database (the whole history
// window on the first run, the last minute or two afterwards). A run cut short (a killed worker) is retried and
// continues from what is stored; the schedule skips a minute while a backfill is still running.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CollectInput } from '../activities/candles';
import { TASK_QUEUE_DATA } from './ids';

const acts = proxyActivities<Activities>({
  taskQueue: TASK_QUEUE_DATA,
  // A backfill of months for a hundred markets takes hours at Upbit's candle budget; a lost worker is noticed by
  // the heartbeat (sent every page) and the activity retried elsewhere.
  startToCloseTimeout: '24h',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1m' },
});

export async function candleCollectorWorkflow(input: CollectInput) {
  return acts.collectCandles(input);
}
