// `npm run backtest` on a fresh clone: an empty database and nothing outside the repository, so the candles come
// from the sample shipped in samples/candles. The commands are the README's.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const run = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'backtest.ts'), ...args], {
    encoding: 'utf8',
    cwd: join(import.meta.dirname, '..'),
    env: { ...process.env, DATABASE_URL: 'memory://' },
    timeout: 150_000,
  });
// Each run starts a process that loads the sample and backtests it (~10 s alone, several times that on a busy machine).
const RUN_TIMEOUT = 180_000;

/** Trades in the report's TOTAL row. */
const totalTrades = (out: string) => Number(/\| TOTAL +\| +(\d+) \|/.exec(out)?.[1]);

describe('npm run backtest with only the shipped sample', () => {
  it(
    'runs the README example on the sample and trades',
    () => {
      const r = run(
        '--strategy pullback --markets KRW-ETH --timeframe minute15 --from 2024-07-01 --to 2024-12-31'.split(' '),
      );
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/KRW-ETH minute15: \d+ bars from .*samples[/\\]candles/);
      expect(totalTrades(r.stdout)).toBeGreaterThan(0);
    },
    RUN_TIMEOUT,
  );

  it(
    'runs the README dual-momentum example on the 60-minute sample of three markets and trades',
    () => {
      const r = run(
        '--strategy dual-momentum --markets KRW-BTC,KRW-ETH,KRW-XRP --timeframe minute60 --from 2025-01-01 --to 2025-06-30 --monte-carlo 0'.split(
          ' ',
        ),
      );
      expect(r.status, r.stderr).toBe(0);
      expect(totalTrades(r.stdout)).toBeGreaterThan(0);
    },
    RUN_TIMEOUT,
  );

  it(
    'names what the sample has when asked for candles it does not have',
    () => {
      const missing = run('--markets KRW-DOGE --timeframe minute15'.split(' '));
      expect(missing.status).toBe(1);
      expect(missing.stderr).toMatch(/no minute15 candles of KRW-DOGE in .*\(it has KRW-BTC_60m\.csv\.gz, .*\)/);
      const outside = run('--from 2020-01-01 --to 2020-02-01'.split(' '));
      expect(outside.status).toBe(1);
      expect(outside.stderr).toMatch(
        /no candles between 20[12]\d-.* \(it covers 2023-12-31 22:00 to 2024-12-30 23:45\)/,
      );
    },
    RUN_TIMEOUT,
  );
});
