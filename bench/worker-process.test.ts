// The benches' worker processes run as docker-compose runs its worker services: the flags and process tuning come
// from docker-compose.yml itself, so the two cannot drift apart.
import { spawnSync } from 'node:child_process';
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
  it('runs the trading worker for memory and the batch worker for throughput, each queue in one service', () => {
    const trading = composeWorker([TASK_QUEUE_TRADING]);
    expect(trading.service).toBe('worker');
    expect(trading.nodeFlags).toEqual(['--optimize-for-size', '--liftoff-only']);
    expect(trading.env).toEqual({ MALLOC_ARENA_MAX: '2' });
    const backtest = composeWorker([TASK_QUEUE_BACKTEST]);
    expect(backtest.service).toBe('batch-worker');
    expect(composeWorker([TASK_QUEUE_DATA]).service).toBe('batch-worker');
    expect(backtest.nodeFlags).toEqual(['--max-semi-space-size=64']);
    expect(backtest.env).toEqual({});
  });

  it("gives flags this Node accepts (V8's own flags can go away with an upgrade; node then refuses to start)", () => {
    for (const queue of [TASK_QUEUE_TRADING, TASK_QUEUE_BACKTEST]) {
      const { nodeFlags } = composeWorker([queue]);
      const run = spawnSync(process.execPath, [...nodeFlags, '-e', 'process.stdout.write("started")'], {
        encoding: 'utf8',
      });
      expect(run.stderr).toBe('');
      expect(run.stdout).toBe('started');
      expect(run.status).toBe(0);
    }
  });

  it('reads the services through the shared environment anchor', () => {
    // A worker whose queues come only from the anchor is still found: the merge key is followed.
    const text = compose
      .replace('      TASK_QUEUES: trading\n', '')
      .replace('x-app-env: &app_env\n', 'x-app-env: &app_env\n  TASK_QUEUES: trading\n');
    expect(text).not.toContain('      TASK_QUEUES: trading\n');
    expect(text).toContain('  TASK_QUEUES: trading\n');
    expect(composeWorker([TASK_QUEUE_TRADING], composeFileWith(text)).service).toBe('worker');
  });

  it('refuses a queue no service polls, or more than one does', () => {
    expect(() => composeWorker([TASK_QUEUE_TRADING, TASK_QUEUE_BACKTEST])).toThrow(
      /0 worker services poll trading,backtest \(worker: trading; batch-worker: backtest,data\); expected one/,
    );
    const twice = composeFileWith(
      compose.replace('TASK_QUEUES: backtest,data\n', 'TASK_QUEUES: backtest,data,trading\n'),
    );
    expect(() => composeWorker([TASK_QUEUE_TRADING], twice)).toThrow(/2 worker services poll trading/);
  });
});
