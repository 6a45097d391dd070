// Creates the Temporal workers of the `trading` and `backtest` task queues.
import { createRequire } from 'node:module';
import { type NativeConnection, Worker } from '@temporalio/worker';
import { type Activities, createActivities } from '../activities';
import type { ActivityDeps } from '../activities/deps';
import { TASK_QUEUE_TRADING } from '../workflows/ids';

const require = createRequire(import.meta.url);

export interface WorkerSet {
  workers: Worker[];
  run(): Promise<void>;
  shutdown(): void;
}

export async function createWorkers(opts: {
  connection: NativeConnection;
  namespace: string;
  deps: ActivityDeps;
  taskQueues?: string[];
}): Promise<WorkerSet> {
  const queues = opts.taskQueues ?? [TASK_QUEUE_TRADING];
  const activities: Activities = createActivities(opts.deps);
  const workers: Worker[] = [];
  for (const taskQueue of queues) {
    workers.push(
      await Worker.create({
        connection: opts.connection,
        namespace: opts.namespace,
        taskQueue,
        workflowsPath: require.resolve('../workflows/index.ts'),
        activities,
        bundlerOptions: { ignoreModules: [] },
      }),
    );
  }
  return {
    workers,
    run: () => Promise.all(workers.map((w) => w.run())).then(() => undefined),
    shutdown: () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    },
  };
}
