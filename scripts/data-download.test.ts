import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../exchange/sim/server';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 11, historyMinutes: 1000 });
});
afterAll(async () => {
  await sim?.close();
});

// Asynchronous: the simulator answering the script runs in this process.
function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'data-download.ts'), ...args], {
      env: { ...process.env, DATABASE_URL: 'memory://' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('npm run data:download', () => {
  it('documents the public API and the simulator in its help', async () => {
    const r = await run(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--base-url');
    expect(r.stdout).toContain('http://127.0.0.1:7780');
  });

  it('downloads a range from the simulator with progress, then prints the quality report', async () => {
    const to = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000).toISOString();
    const r = await run([
      '--market',
      'KRW-BTC',
      '--timeframe',
      'minute1',
      '--days',
      '0.5',
      '--to',
      to,
      '--base-url',
      sim.baseUrl,
    ]);
    expect(r.stderr).toContain('KRW-BTC minute1: 100.0%');
    expect(r.stdout).toMatch(/KRW-BTC minute1: 720 new candles \(720 received, 4 requests/);
    expect(r.stdout).toMatch(/quality KRW-BTC minute1 .*: 720 candles; gaps 0/);
    expect(r.status).toBe(0);
  });

  it('refuses an unknown timeframe with the list of known ones', async () => {
    const r = await run(['--market', 'KRW-BTC', '--timeframe', 'hourly', '--base-url', sim.baseUrl]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('unknown timeframe "hourly"; expected one of minute1, minute3');
  });
});
