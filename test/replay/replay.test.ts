// Determinism gate: every recorded workflow history must replay against the current workflow code.
// A change that would break running executions fails here; version it with patched() instead.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const dir = join(import.meta.dirname, 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('workflow replay', () => {
  it('has recorded histories of every workflow type', () => {
    const types = new Set(files.map((f) => f.split('-')[0]));
    expect([...types].sort()).toEqual([
      'backtestWorkflow',
      'orderWorkflow',
      'positionWorkflow',
      'tradingSession',
      'universeWorkflow',
    ]);
  });

  it.each(files)('%s replays without non-determinism', async (file) => {
    const history = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    await Worker.runReplayHistory({ workflowsPath: require.resolve('../../workflows/index.ts') }, history, file);
  });
});
