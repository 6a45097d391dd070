// The Backtests page in a real browser (Chromium, headless) against the real API, Temporal, database and
// workers, on the sample of real candles a fresh start loads: the form's defaults come from what is stored,
// a launched backtest runs to completed and draws its equity and drawdown charts and its trades (listed and on
// the candle chart), and two
// runs are compared side by side. Screenshots in both languages go to data/screenshots; any console error
// or page error fails the test.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium } from '../../bench/browser';
import type { BacktestCandlesBody } from '../../core/contract/api';
import { loadSampleCandles } from '../../exchange/marketdata/sample';
import { type Stack, startStack } from '../stack';

const ROOT = join(import.meta.dirname, '..', '..');
const built = existsSync(join(ROOT, 'web', 'dist', 'index.html'));
const SHOTS = join(ROOT, 'data', 'screenshots');

let stack: Stack;
let browser: Browser;

/** Launches a run with the form as it stands; returns the new run's id (the page navigates to it). */
async function launch(page: Page): Promise<string> {
  const before = page.url();
  await page.getByTestId('backtest-submit').click();
  await page.waitForURL((url) => url.toString() !== before && /#\/backtests\/[^/]+$/.test(url.toString()), {
    timeout: 30_000,
  });
  const id = decodeURIComponent(page.url().split('/').pop() ?? '');
  expect(id).not.toBe('');
  return id;
}

/** Waits for the shown run to end; returns its final status. */
async function finished(page: Page): Promise<string> {
  const status = page.getByTestId('backtest-status');
  const deadline = Date.now() + 180_000;
  for (;;) {
    const value = await status.getAttribute('data-value').catch(() => null);
    if (value && value !== 'running') return value;
    if (Date.now() > deadline) throw new Error(`the run did not finish (status ${value})`);
    await page.waitForTimeout(500);
  }
}

describe.skipIf(!existsSync(CHROMIUM) || !built)('Backtests page', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    stack = await startStack();
    // What `npm start` does on a fresh database: the shipped sample of real candles.
    const loaded = await loadSampleCandles(stack.db);
    expect(loaded.length).toBeGreaterThan(0);
    await stack.startWorkers();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('runs a backtest on the stored candles, draws its charts and trades, and compares two runs', async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
    await page.goto(`${stack.apiUrl}/`);
    await page.getByTestId('login-username').fill(stack.admin.username);
    await page.getByTestId('login-password').fill(stack.admin.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('nav-backtests').click();

    // The form follows what is stored: its markets are sample markets and its coverage line names them.
    const coverage = page.getByTestId('backtest-coverage');
    await coverage.filter({ hasText: 'KRW-' }).waitFor({ timeout: 30_000 });
    const markets = (await page.getByTestId('backtest-markets').inputValue()).split(',');
    expect(markets.length).toBeGreaterThan(0);
    for (const m of markets) expect(await coverage.textContent()).toContain(m);

    const first = await launch(page);
    expect(await finished(page)).toBe('completed');
    await page.getByTestId('equity-chart').locator('canvas').first().waitFor({ timeout: 30_000 });
    await page.getByTestId('drawdown-chart').locator('canvas').first().waitFor({ timeout: 30_000 });
    // The trades the API stored for the run are the rows the page lists.
    const stored = await stack.db.prisma.backtestTrade.count({ where: { runId: first } });
    expect(stored).toBeGreaterThan(0);
    await page.getByTestId('backtest-trades').waitFor();
    expect(await page.getByTestId('backtest-trades').textContent()).toContain(String(stored));
    // Its trades on the stored candles: the chart draws, and the API's candles (merged to fit) cover every trade.
    await page.getByTestId('backtest-trade-chart-canvas').locator('canvas').first().waitFor({ timeout: 30_000 });
    const market = await page.getByTestId('backtest-trade-chart-market').inputValue();
    const headers = await stack.authHeaders();
    const chart = await fetch(`${stack.apiUrl}/api/backtests/${first}/candles?market=${market}`, { headers });
    expect(chart.status).toBe(200);
    const body = (await chart.json()) as BacktestCandlesBody;
    expect(body.candles.length).toBeGreaterThan(0);
    expect(body.candles.length).toBeLessThanOrEqual(1500);
    const trades = await stack.db.prisma.backtestTrade.findMany({ where: { runId: first, market } });
    expect(trades.length).toBeGreaterThan(0);
    for (const tr of trades) {
      expect(tr.entryTs.getTime()).toBeGreaterThanOrEqual(body.candles[0].ts);
      expect(tr.exitTs.getTime()).toBeLessThanOrEqual(body.candles[body.candles.length - 1].ts + 86_400_000);
    }
    const notInRun = await fetch(`${stack.apiUrl}/api/backtests/${first}/candles?market=KRW-NOTARUN`, { headers });
    expect(notInRun.status).toBe(400);
    await page.screenshot({ path: join(SHOTS, 'en-backtest-run.png'), fullPage: true });

    // A second run (another strategy where there is one), then the two side by side.
    const strategies = await page.getByTestId('backtest-strategy').locator('option').allTextContents();
    if (strategies.length > 1) await page.getByTestId('backtest-strategy').selectOption({ index: 1 });
    const second = await launch(page);
    expect(second).not.toBe(first);
    expect(await finished(page)).toBe('completed');
    await page.getByTestId('backtest-compare-with').selectOption(first);
    const rows = page.getByTestId('backtest-compare-row');
    await rows.first().waitFor({ timeout: 15_000 });
    expect(await rows.count()).toBeGreaterThan(3);
    await page.getByTestId('compare-equity-chart').locator('canvas').first().waitFor({ timeout: 15_000 });
    await page.getByTestId('lang-ko').click();
    await page.getByTestId('nav-backtests').filter({ hasText: '백테스트' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'ko-backtest-compare.png'), fullPage: true });

    expect(errors).toEqual([]);
    await context.close();
  }, 600_000);
});
