import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'data-import-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'data-import.ts'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: 'memory://' },
  });

describe('npm run data:import', () => {
  it('prints its usage and imports nothing without arguments', () => {
    const r = run([]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('usage: npm run data:import -- <file-or-dir>');
  });

  it('imports a directory, lists bad rows and refused files, and exits 1 because of them', () => {
    const day = Date.UTC(2024, 0, 1);
    const header = 'ts_utc_ms,open,high,low,close,volume,value';
    writeFileSync(
      join(dir, 'KRW-BTC_1d.csv'),
      [header, `${day},100,110,90,105,1.5,150`, `${day + 86_400_000},105,x,100,108,2,210`, ''].join('\n'),
    );
    writeFileSync(join(dir, 'KRW-ETH_1d.csv'), ['ts,o,h,l,c,v', `${day},1,1,1,1,1`].join('\n'));
    const r = run([dir]);
    expect(r.stdout).toMatch(/KRW-BTC_1d\.csv: KRW-BTC day {2}rows 2 {2}new 1 {2}already stored 0 {2}bad 1/);
    expect(r.stdout).toContain('line 3: high "x" is not a decimal number');
    expect(r.stdout).toMatch(/quality KRW-BTC day .*: 1 candles; gaps 0/);
    expect(r.stdout).toMatch(/KRW-ETH_1d\.csv: REFUSED, nothing imported: header must be/);
    expect(r.status).toBe(1);
  });
});
