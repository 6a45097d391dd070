// Temporal Schedules the workers keep: the universe refresh of the deployment's mode. Creating one that
// exists already is a no-op, so every worker process (and every restart) may call this.
import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { latestUniverse } from '../activities/universe';
import type { TradingMode } from '../core/session/config';
import type { Database } from '../prisma/db';
import { TASK_QUEUE_TRADING, universeScheduleId } from '../workflows/ids';
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
