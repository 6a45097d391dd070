// All activities of the worker's task queues, built once per worker from its dependencies.
import { createAccountSnapshotActivities } from './account-snapshots';
import { createBacktestActivities } from './backtest';
import { createCandleActivities } from './candles';
import type { ActivityDeps } from './deps';
import { createEntryActivities } from './entry';
import { createGuardActivities } from './guard';
import { createOrderActivities } from './orders';
import { createPositionWatchActivities } from './position-watch';
import { createReconcileActivities } from './reconcile';
import { createRecordActivities } from './records';
import { createRetuneActivities } from './retune';
import { createSignalActivities } from './signals';
import { createUniverseActivities } from './universe';

export function createActivities(deps: ActivityDeps) {
  const orders = createOrderActivities(deps);
  const records = createRecordActivities(deps);
  return {
    ...orders,
    ...createEntryActivities({ recordPosition: records.recordPosition, submitOrder: orders.submitOrder }),
    ...createPositionWatchActivities(),
    ...createGuardActivities(deps),
    ...records,
    ...createReconcileActivities(deps),
    ...createSignalActivities(deps),
    ...createBacktestActivities(deps),
    ...createUniverseActivities(deps),
    ...createCandleActivities(deps),
    ...createRetuneActivities(deps),
    ...createAccountSnapshotActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
