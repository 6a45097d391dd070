// Temporal Schedules the workers keep: the universe refresh, the candle collector and the account snapshots of the
// deployment's mode. Creating one that
// exists already is a no-op, so every worker process (and every restart) may call this.
import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import type { TradingMode } from '../core/session/config';
import type { Database } from '../prisma/db';
import { latestUniverse } from '../prisma/repositories/universe';
import type { accountSnapshotWorkflow } from '../workflows/account-snapshots';
import type { candleCollectorWorkflow } from '../workflows/candles';
import {
  accountSnapshotScheduleId,
  candleCollectorScheduleId,
  TASK_QUEUE_TRADING,
  universeScheduleId,
} from '../workflows/ids';
import type { universeWorkflow } from '../workflows/universe';

/** How often the universe is screened again (the design asks for at least daily). */
export const UNIVERSE_REFRESH_EVERY = '6h';

export async function ensureUniverseSchedule(client: Client, db: Database, mode: TradingMode): Promise<void> {
  const scheduleId = universeScheduleId(mode);
  try {
    await client.schedule.create<typeof universeWorkflow>({
      scheduleId,
      spec: { intervals: [{ every: UNIVERSE_REFRESH_EVERY }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'universeWorkflow',
        args: [{ mode }],
        taskQueue: TASK_QUEUE_TRADING,
        workflowId: scheduleId,
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1h' },
      state: { triggerImmediately: true, note: `screens the ${mode} exchange's KRW markets for the tradable universe` },
    });
    return;
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  // The schedule outlived its data (a new database): screen now rather than at the next interval.
  if (!(await latestUniverse(db, mode))) await client.schedule.getHandle(scheduleId).trigger();
}

/** How often the collector fetches the minutes that closed since its last run. */
export const CANDLE_COLLECT_EVERY = '1m';

/**
 * The collector's schedule: every minute, the 1-minute candles of the universe and the benchmarks, backfilling
 * `historyDays` on the first runs. A run still going (a backfill) makes the schedule skip, never pile up.
 */
export async function ensureCandleCollectorSchedule(
  client: Client,
  mode: TradingMode,
  historyDays: number,
): Promise<void> {
  const scheduleId = candleCollectorScheduleId(mode);
  try {
    await client.schedule.create<typeof candleCollectorWorkflow>({
      scheduleId,
      spec: { intervals: [{ every: CANDLE_COLLECT_EVERY }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'candleCollectorWorkflow',
        args: [{ mode, historyDays }],
        taskQueue: TASK_QUEUE_TRADING,
        workflowId: scheduleId,
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1m' },
      state: { triggerImmediately: true, note: `keeps the ${mode} 1-minute candles of the universe current` },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
}

/** How often the account of the deployment's mode is valued and recorded (the overview's equity curve). */
export const ACCOUNT_SNAPSHOT_EVERY = '1m';

/** The account snapshots' schedule: every minute; a run still going makes it skip, and missed minutes are not caught up. */
export async function ensureAccountSnapshotSchedule(client: Client, mode: TradingMode): Promise<void> {
  const scheduleId = accountSnapshotScheduleId(mode);
  try {
    await client.schedule.create<typeof accountSnapshotWorkflow>({
      scheduleId,
      spec: { intervals: [{ every: ACCOUNT_SNAPSHOT_EVERY }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'accountSnapshotWorkflow',
        args: [{ mode }],
        taskQueue: TASK_QUEUE_TRADING,
        workflowId: scheduleId,
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1m' },
      state: { triggerImmediately: true, note: `records the ${mode} account's value every minute` },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
}
