// Creates the Temporal workers of the `trading` and `backtest` task queues.
import { createRequire } from 'node:module';
import {
  bundleWorkflowCode,
  DefaultLogger,
  type LogLevel,
  type NativeConnection,
  Runtime,
  Worker,
} from '@temporalio/worker';
import { type Activities, createActivities } from '../activities';
import type { ActivityDeps } from '../activities/deps';
import { readTemporalLogLevel } from '../core/environment';
import { TASK_QUEUE_TRADING } from '../workflows/ids';
import { oneLineLogger } from './log';

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
  installRuntimeLogger();
  const queues = opts.taskQueues ?? [TASK_QUEUE_TRADING];
  const activities: Activities = createActivities(opts.deps);
  // One bundle for every queue's worker: bundling is the slow part of a worker's start.
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows/index.ts'),
    logger: new DefaultLogger('WARN'),
  });
  const workers: Worker[] = [];
  for (const taskQueue of queues) {
    workers.push(
      await Worker.create({
        connection: opts.connection,
        namespace: opts.namespace,
        taskQueue,
        workflowBundle,
        activities,
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

let runtimeInstalled = false;
/**
 * The SDK logs every worker state change at INFO; keep the console to warnings (TEMPORAL_LOG_LEVEL overrides), one
 * line per entry, stacks only at DEBUG (workers/log.ts).
 */
export function installRuntimeLogger(temporalLogLevel = readTemporalLogLevel()) {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const level = temporalLogLevel as LogLevel;
  try {
    Runtime.install({ logger: oneLineLogger(level) });
  } catch {
    // Already installed by the host process (tests may install their own): keep it.
  }
}
