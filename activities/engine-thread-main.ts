// The backtest engine thread (see engine-thread.ts): takes passes one at a time and answers each with its
// results or its error. The candles come as columns on shared memory, so a pass copies none of them.
import { parentPort } from 'node:worker_threads';
import {
  type BacktestConfig,
  BacktestInputError,
  type ColumnarBacktestData,
  runBacktests,
} from '../core/backtest/engine';

export interface PassRequest {
  id: number;
  configs: BacktestConfig[];
  data: ColumnarBacktestData;
}

export type PassReply =
  | { id: number; ok: true; results: ReturnType<typeof runBacktests> }
  | { id: number; ok: false; error: { name: string; message: string; stack?: string; inputErrors?: string[] } };

if (!parentPort) throw new Error('engine-thread-main.ts runs as a worker thread (see engine-thread.ts)');
const port = parentPort;

port.on('message', (req: PassRequest) => {
  let reply: PassReply;
  try {
    reply = { id: req.id, ok: true, results: runBacktests(req.configs, req.data) };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    reply = {
      id: req.id,
      ok: false,
      error: {
        name: e.name,
        message: e.message,
        stack: e.stack,
        ...(e instanceof BacktestInputError && { inputErrors: e.errors }),
      },
    };
  }
  port.postMessage(reply);
});
