// Creates the Temporal workers of the `trading` and `backtest` task queues.
import { readFile } from 'node:fs/promises';
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
import { TASK_QUEUE_BACKTEST, TASK_QUEUE_TRADING } from '../workflows/ids';
import { oneLineLogger } from './log';

const require = createRequire(import.meta.url);

/** A prebuilt bundle's code; a missing or foreign file is a clear start-up error, not a worker without workflows. */
export async function readWorkflowBundle(path: string): Promise<string> {
  let code: string;
  try {
    code = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(
      `WORKFLOW_BUNDLE ${path}: cannot read it (${(err as Error).message}); build it with npm run bundle:workflows`,
    );
  }
  if (!code.includes('__TEMPORAL__') || !code.includes('tradingSession'))
    throw new Error(
      `WORKFLOW_BUNDLE ${path}: not a workflow bundle of this project; build it with npm run bundle:workflows`,
    );
  return code;
}

export interface WorkerSet {
  workers: Worker[];
  run(): Promise<void>;
  shutdown(): void;
}

/** The workflow bundle's options: one place, for bundling at a worker's start and ahead of it. */
export function bundleWorkflows(): ReturnType<typeof bundleWorkflowCode> {
  return bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows/index.ts'),
    logger: new DefaultLogger('WARN'),
  });
}

export async function createWorkers(opts: {
  connection: NativeConnection;
  namespace: string;
  deps: ActivityDeps;
  taskQueues?: string[];
  /**
   * A bundle built ahead (`npm run bundle:workflows`, the image does it): the worker then skips webpack, which
   * takes seconds and leaves ~150-200 MB of resident memory behind in the process. Unset: bundled here.
   */
  workflowBundlePath?: string;
}): Promise<WorkerSet> {
  installRuntimeLogger();
  const queues = opts.taskQueues ?? [TASK_QUEUE_TRADING];
  const activities: Activities = createActivities(opts.deps);
  // One bundle for every queue's worker: bundling is the slow part of a worker's start.
  const workflowBundle = opts.workflowBundlePath
    ? { code: await readWorkflowBundle(opts.workflowBundlePath) }
    : await bundleWorkflows();
  const workers: Worker[] = [];
  for (const taskQueue of queues) {
    workers.push(
      await Worker.create({
        connection: opts.connection,
        namespace: opts.namespace,
        taskQueue,
        workflowBundle,
        activities,
        // A backtest activity is an engine pass that keeps a core busy (on the engine thread, activities/engine-thread.ts).
        // One at a time per process leaves the other core to the process's trading work, and the next chunk to
        // another worker process polling the queue.
        ...(taskQueue === TASK_QUEUE_BACKTEST && { maxConcurrentActivityTaskExecutions: 1 }),
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
