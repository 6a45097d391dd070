// The benches' worker processes run as docker-compose runs its worker services: the flags and process tuning come
// from docker-compose.yml itself, so the two cannot drift apart.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TASK_QUEUE_BACKTEST, TASK_QUEUE_DATA, TASK_QUEUE_TRADING } from '../workflows/ids';
import { composeWorker } from './worker-process';

const compose = readFileSync(join(import.meta.dirname, '..', 'docker-compose.yml'), 'utf8');

function composeFileWith(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'compose-')), 'docker-compose.yml');
  writeFileSync(file, text);
  return file;
}

describe('composeWorker', () => {
  it('runs the trading worker for memory and the backtest worker for throughput, each queue in one service', () => {
    const trading = composeWorker([TASK_QUEUE_TRADING]);
    expect(trading.service).toBe('worker');
    expect(trading.nodeFlags).toEqual(['--optimize-for-size', '--import', 'tsx']);
    expect(trading.env).toEqual({ MALLOC_ARENA_MAX: '2' });
    expect(composeWorker([TASK_QUEUE_DATA]).service).toBe('worker');
    const backtest = composeWorker([TASK_QUEUE_BACKTEST]);
    expect(backtest.service).toBe('backtest-worker');
    expect(backtest.nodeFlags).toEqual(['--max-semi-space-size=64', '--import', 'tsx']);
    expect(backtest.env).toEqual({});
  });

  it('reads the services through the shared environment anchor', () => {
    // A worker whose queues came only from the anchor would still be found: the merge key is followed.
    const file = composeFileWith(
      compose
        .replace('      TASK_QUEUES: trading,data\n', '')
        .replace('x-app-env: &app_env\n', 'x-app-env: &app_env\n  TASK_QUEUES: trading,data\n'),
    );
    expect(composeWorker([TASK_QUEUE_TRADING], file).service).toBe('worker');
  });

  it('refuses a queue no service polls, or more than one does', () => {
    expect(() => composeWorker([TASK_QUEUE_TRADING, TASK_QUEUE_BACKTEST])).toThrow(
      /0 worker services poll trading,backtest \(worker: trading,data; backtest-worker: backtest\); expected one/,
    );
    const twice = composeFileWith(compose.replace('TASK_QUEUES: backtest\n', 'TASK_QUEUES: backtest,trading\n'));
    expect(() => composeWorker([TASK_QUEUE_TRADING], twice)).toThrow(/2 worker services poll trading/);
  });
});
