// A worker in its own process, as docker-compose deploys it: the production entry (workers/main.ts, built ahead into
// one JavaScript file as the image has it: workers/entry-bundle.ts) on the queues it is given (TASK_QUEUES; `trading`
// unless told) with the Node flags and process tuning of the compose service that polls them (read from
// docker-compose.yml) and its workflow bundle built ahead (WORKFLOW_BUNDLE, as the image has it), for benchmarks
// that measure workers alone (memory and CPU from /proc) or keep the simulator, the API and the database off their
// threads. Needs a PostgreSQL server: a second process cannot share the in-memory PGlite database.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { bundleWorkerEntryInCache } from '../workers/entry-bundle';
import { bundleWorkflows } from '../workers/workers';

const COMPOSE_FILE = join(import.meta.dirname, '..', 'docker-compose.yml');
/** The worker entry as the image builds it (Dockerfile: scripts/bundle-worker.ts) and compose runs it. */
const WORKER_ENTRY = 'dist/worker.mjs';
/** Environment a compose service sets to tune its process (not the application's settings, which benches set). */
const PROCESS_TUNING = ['MALLOC_ARENA_MAX'];

/** How docker-compose runs the worker that polls `queues`: its service, the Node flags before the entry, and its process tuning. */
export function composeWorker(
  queues: readonly string[],
  composeFile = COMPOSE_FILE,
): { service: string; nodeFlags: string[]; env: Record<string, string> } {
  type Service = { command?: unknown; environment?: Record<string, unknown> };
  const compose = parse(readFileSync(composeFile, 'utf8'), { merge: true }) as { services?: Record<string, Service> };
  const workers = Object.entries(compose.services ?? {}).flatMap(([service, s]) => {
    const command = s.command;
    if (!Array.isArray(command) || command[0] !== 'node' || command[command.length - 1] !== WORKER_ENTRY) return [];
    const polls = String(s.environment?.TASK_QUEUES ?? '').split(',');
    return [{ service, nodeFlags: command.slice(1, -1).map(String), env: s.environment ?? {}, polls }];
  });
  const serving = workers.filter((w) => queues.every((q) => w.polls.includes(q)));
  if (serving.length !== 1)
    throw new Error(
      `${composeFile}: ${serving.length} worker services poll ${queues.join(',')} (${workers.map((w) => `${w.service}: ${w.polls.join(',')}`).join('; ')}); expected one`,
    );
  const [w] = serving;
  const env = Object.fromEntries(
    PROCESS_TUNING.filter((k) => w.env[k] !== undefined).map((k) => [k, String(w.env[k])]),
  );
  return { service: w.service, nodeFlags: w.nodeFlags, env };
}

/** The PostgreSQL server benchmarks run on when they need one (BENCH_DATABASE_URL, else TEST_DATABASE_URL). */
export function benchPostgresUrl(): string | undefined {
  return process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined;
}

/**
 * A benchmark's command line: its positional arguments and `--layout one-process|split`; `split` needs the
 * PostgreSQL server of BENCH_DATABASE_URL (else TEST_DATABASE_URL).
 */
export function layoutArgs(switches: readonly string[] = []): {
  layout: 'one-process' | 'split';
  positionals: string[];
  postgresUrl?: string;
  /** Which of `switches` (boolean --flags of the bench) were given. */
  on: Set<string>;
} {
  const { values, positionals } = parseArgs({
    options: {
      layout: { type: 'string', default: 'one-process' },
      ...Object.fromEntries(switches.map((name) => [name, { type: 'boolean' as const }])),
    },
    allowPositionals: true,
  });
  const layout = values.layout;
  if (layout !== 'one-process' && layout !== 'split') throw new Error(`--layout: one-process or split, got ${layout}`);
  const postgresUrl = benchPostgresUrl();
  if (layout === 'split' && !postgresUrl)
    throw new Error('--layout split needs a PostgreSQL server: set BENCH_DATABASE_URL (or TEST_DATABASE_URL)');
  return {
    layout,
    positionals,
    postgresUrl,
    on: new Set(switches.filter((name) => (values as Record<string, unknown>)[name] === true)),
  };
}

/** `base` with a schema of its own for this run, so a benchmark leaves the server's other data alone. */
export function schemaOfItsOwn(base: string, prefix: string): string {
  const u = new URL(base);
  u.searchParams.set('schema', `${prefix}_${process.pid}_${Date.now() % 1e6}`);
  return u.toString();
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Resident memory now and its peak so far (VmRSS, VmHWM), MB. */
  memoryMb(): { rss: number; peak: number };
  /** CPU time (user + system) the process used so far, ms. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** Builds the workflow bundle into `dir`, as the image builds it; returns its path. */
export async function buildWorkflowBundle(dir: string): Promise<string> {
  const bundle = join(dir, 'workflow-bundle.js');
  writeFileSync(bundle, (await bundleWorkflows()).code);
  return bundle;
}

export async function startWorkerProcess(opts: {
  temporalAddress: string;
  databaseUrl: string;
  simUrl: string;
  masterKey: Buffer;
  /** TASK_QUEUES of the process (default `trading`). */
  taskQueues?: string[];
  /** A workflow bundle built before (several processes share one); else one is built for this process. */
  workflowBundle?: string;
}): Promise<WorkerProcess> {
  // Built here, as the image builds it: the worker loads it instead of running webpack in its own process.
  const dir = mkdtempSync(join(tmpdir(), 'bench-worker-'));
  const bundle = opts.workflowBundle ?? (await buildWorkflowBundle(dir));
  const queues = opts.taskQueues ?? ['trading'];
  const compose = composeWorker(queues);
  const entry = await bundleWorkerEntryInCache();
  const child = spawn(process.execPath, [...compose.nodeFlags, entry], {
    env: {
      ...process.env,
      ...compose.env,
      MODE: 'sim',
      TEMPORAL_ADDRESS: opts.temporalAddress,
      DATABASE_URL: opts.databaseUrl,
      SIM_URL: opts.simUrl,
      TASK_QUEUES: queues.join(','),
      MASTER_KEY: opts.masterKey.toString('hex'),
      DATA_DIR: dir,
      WORKFLOW_BUNDLE: bundle,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('worker polling')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker process exited before polling (${code})`)));
  });
  const statusKb = (field: string) => {
    const m = readFileSync(`/proc/${child.pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) : Number.NaN;
  };
  const ticksPerSecond = 100; // USER_HZ on Linux
  return {
    child,
    memoryMb: () => ({ rss: Math.round(statusKb('VmRSS') / 1024), peak: Math.round(statusKb('VmHWM') / 1024) }),
    cpuMs() {
      // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised name): utime, stime in clock ticks.
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1000;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dirname(entry), { recursive: true, force: true });
    },
  };
}
