// Backtest engine passes on a worker thread. A pass is synchronous CPU work of seconds to minutes; on the
// process's own thread it held up everything else the process does until it ended: in a worker that also
// polls the trading queue (`npm start` runs everything in one process; a standalone worker polls every queue
// unless TASK_QUEUES says otherwise), a position's entry submit, order syncs and guards waited behind it (signal ->
// order accepted while backtests ran, `bench latency --with-backtests`: p50 495 / p99 879 ms, on the thread
// 318 / 364 ms), and so did the pass's own heartbeats and its cancellation. The thread gets the candles as columns
// on shared memory (no copy); one idle thread is kept for the next pass, so a search's chunks do not each start one.
import { Worker } from 'node:worker_threads';
import {
  type BacktestConfig,
  type BacktestInput,
  BacktestInputError,
  type BacktestResult,
  type ColumnarBacktestData,
} from '../core/backtest/engine';
import { type CandleColumns, candleColumns } from '../core/market';
import type { PassReply, PassRequest } from './engine-thread-main';

const ENTRY = new URL('./engine-thread-main.ts', import.meta.url);
/** How often a waiting pass calls `beat` (the activity's heartbeat). */
const PASS_BEAT_MS = 5_000;

let idle: Worker | null = null;
let nextId = 1;

function spawn(): Worker {
  // The project runs its TypeScript through tsx; the thread loads its entry the same way.
  const thread = new Worker(ENTRY, { execArgv: ['--import', 'tsx'] });
  thread.on('exit', () => {
    if (idle === thread) idle = null;
  });
  return thread;
}

/** Keeps `thread` for the next pass (one idle thread at most); it does not hold the process open. */
function park(thread: Worker): void {
  if (idle) {
    void thread.terminate();
    return;
  }
  idle = thread;
  thread.unref();
}

/** The candles as columns on SharedArrayBuffers (columns already given are passed as they are). */
function asColumns(data: BacktestInput): ColumnarBacktestData {
  if ('columns' in data) return data;
  const columns: Record<string, CandleColumns> = {};
  for (const [m, cs] of Object.entries(data.candles)) columns[m] = candleColumns(cs, { shared: true });
  return { columns, timeframe: data.timeframe };
}

function rebuildError(e: Extract<PassReply, { ok: false }>['error']): Error {
  const err = e.inputErrors ? new BacktestInputError(e.inputErrors) : new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

/**
 * runBacktests (one pass of several configs over shared features) on the engine thread: the same results, while
 * this thread stays free. `beat` is called every PASS_BEAT_MS while the pass runs; `signal` aborting ends the
 * pass at once (its thread is terminated) and rejects with the signal's reason.
 */
export async function runBacktestsOnThread(
  configs: BacktestConfig[],
  data: BacktestInput,
  opts: { signal?: AbortSignal; beat?: () => void } = {},
): Promise<BacktestResult[]> {
  if (configs.length === 0) return [];
  const { signal, beat } = opts;
  signal?.throwIfAborted();
  const request: PassRequest = { id: nextId++, configs, data: asColumns(data) };
  const thread = idle ?? spawn();
  idle = null;
  thread.ref();
  return new Promise<BacktestResult[]>((resolve, reject) => {
    const beating = beat ? setInterval(beat, PASS_BEAT_MS) : undefined;
    const end = (keep: boolean) => {
      clearInterval(beating);
      thread.off('message', onMessage);
      thread.off('error', onError);
      thread.off('exit', onExit);
      signal?.removeEventListener('abort', onAbort);
      if (keep) park(thread);
      else void thread.terminate();
    };
    const onMessage = (reply: PassReply) => {
      if (reply.id !== request.id) return;
      end(true);
      if (reply.ok) resolve(reply.results);
      else reject(rebuildError(reply.error));
    };
    const onError = (err: Error) => {
      end(false);
      reject(err);
    };
    const onExit = (code: number) => {
      end(false);
      reject(new Error(`the backtest engine thread exited (code ${code}) during a pass`));
    };
    const onAbort = () => {
      end(false);
      reject(signal?.reason ?? new Error('backtest pass cancelled'));
    };
    thread.on('message', onMessage);
    thread.on('error', onError);
    thread.on('exit', onExit);
    signal?.addEventListener('abort', onAbort, { once: true });
    thread.postMessage(request);
  });
}
