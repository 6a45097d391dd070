// The operator console in a real browser (Chromium, headless) against the real API, Temporal, database,
// workers and simulator: switching between Korean and English, starting a session through the New
// session page with a chosen strategy and markets, finding it listed with its risk figures, and a viewer
// who finds the start disabled. Screenshots of every page in both languages go to data/screenshots.
// Any console error or page error fails the test.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium } from '../../bench/browser';
import type { SessionConfig } from '../../core/session/config';
import { sessionStatusQuery } from '../../workflows/definitions';
import { sessionWorkflowId } from '../../workflows/ids';
import { eventually, type Stack, startStack } from '../stack';

const ROOT = join(import.meta.dirname, '..', '..');
const built = existsSync(join(ROOT, 'web', 'dist', 'index.html'));
const SHOTS = join(ROOT, 'data', 'screenshots');
if (!existsSync(CHROMIUM))
  console.warn(`console test needs Chromium at ${CHROMIUM} (apt-get install chromium); skipped`);
if (!built) console.warn('console test needs the built dashboard (npx vite build web); skipped');

const VIEWER = { username: 'watcher', password: 'viewer-password-1' };
const PAGES = [
  'overview',
  'newSession',
  'positions',
  'orders',
  'strategy',
  'chart',
  'events',
  'backtests',
  'settings',
] as const;

let stack: Stack;
let browser: Browser;

/** Console errors and uncaught exceptions of a page, collected as they happen. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
  return errors;
}

/**
 * Like Playwright's 'networkidle' (no request for 500 ms), except that the live-update stream, which
 * stays open for good, does not count: returns a wait for the page's own requests to settle.
 */
function trackRequests(page: Page): () => Promise<void> {
  const inflight = new Set<Request>();
  page.on('request', (r) => {
    if (!r.url().includes('/api/events/stream')) inflight.add(r);
  });
  page.on('requestfinished', (r) => inflight.delete(r));
  page.on('requestfailed', (r) => inflight.delete(r));
  return async () => {
    const deadline = Date.now() + 30_000;
    let quietSince = Date.now();
    while (Date.now() - quietSince < 500) {
      if (Date.now() > deadline) throw new Error(`requests still open: ${[...inflight].map((r) => r.url())}`);
      if (inflight.size > 0) quietSince = Date.now();
      await new Promise((r) => setTimeout(r, 50));
    }
  };
}

async function signIn(page: Page, username: string, password: string) {
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav-user').filter({ hasText: username }).waitFor({ timeout: 15_000 });
}

async function shoot(page: Page, lang: string, name: string) {
  await page.screenshot({ path: join(SHOTS, `${lang}-${name}.png`), fullPage: true });
}

describe.skipIf(!existsSync(CHROMIUM) || !built)('operator console', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    stack = await startStack();
    await stack.startWorkers();
    const created = await fetch(`${stack.apiUrl}/api/users`, {
      method: 'POST',
      headers: { ...(await stack.authHeaders()), 'content-type': 'application/json' },
      body: JSON.stringify({ ...VIEWER, role: 'viewer' }),
    });
    expect(created.status).toBe(201);
    // The workers screen the universe at start; the market picker offers it.
    await eventually(
      async () => (await fetch(`${stack.apiUrl}/api/universe`, { headers: await stack.authHeaders() })).ok,
      90_000,
      'the first universe screen',
    );
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('switches language, starts a session from the New session page and lists it; a viewer cannot start', async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const errors = watchErrors(page);
    const settled = trackRequests(page);
    await page.goto(`${stack.apiUrl}/`);

    // An English browser gets English; the toggle switches to Korean and the choice survives a reload.
    await page.getByTestId('login-submit').filter({ hasText: 'Sign in' }).waitFor();
    await shoot(page, 'en', 'login');
    await page.getByTestId('lang-ko').click();
    await page.getByTestId('login-submit').filter({ hasText: '로그인' }).waitFor();
    await shoot(page, 'ko', 'login');
    await page.reload();
    await page.getByTestId('login-submit').filter({ hasText: '로그인' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ko');
    await signIn(page, stack.admin.username, stack.admin.password);
    await page.getByTestId('nav-overview').filter({ hasText: '개요' }).waitFor();

    // Every page in both languages.
    for (const lang of ['ko', 'en'] as const) {
      await page.getByTestId(`lang-${lang}`).click();
      for (const name of PAGES) {
        await page.getByTestId(`nav-${name}`).click();
        await settled();
        await shoot(page, lang, name);
      }
    }
    await page.getByTestId('nav-overview').filter({ hasText: 'Overview' }).waitFor();

    // The New session page: the probe strategy, two markets picked from the universe, a risk limit.
    await page.getByTestId('nav-newSession').click();
    await page.getByTestId('new-session-strategy').selectOption('probe');
    await page.getByTestId('new-session-strategy-description').filter({ hasText: /\w/ }).waitFor();
    await page.getByTestId('new-session-name').fill('console-e2e');
    await page.getByTestId('new-session-markets-pick').check();
    const boxes = page.locator('[data-testid^="new-session-market-KRW-"]');
    await boxes.first().waitFor();
    const picked: string[] = [];
    for (const i of [0, 1]) {
      const id = (await boxes.nth(i).getAttribute('data-testid')) ?? '';
      picked.push(id.replace('new-session-market-', ''));
      await boxes.nth(i).check();
    }
    await page.getByTestId('new-session-risk-riskPerTradePct').fill('0.5');
    // Nothing starts before a preview of exactly this form.
    expect(await page.getByTestId('new-session-start').isDisabled()).toBe(true);
    await page.getByTestId('new-session-preview').click();
    await page.getByTestId('new-session-preview-panel').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('new-session-preview-markets').textContent()).toContain(picked.join(', '));
    expect(await page.getByTestId('new-session-preview-risk-per-trade').textContent()).toMatch(/^[\d,]+$/);
    expect(await page.getByTestId('new-session-preview-risk-all-stops').textContent()).toMatch(/^[\d,]+$/);
    await shoot(page, 'en', 'newSession-preview');
    await page.getByTestId('new-session-start').click();

    // The session's page: its risk panel shows the account's equity (a figure, not "—").
    await page.getByTestId('session-name').filter({ hasText: 'console-e2e' }).waitFor({ timeout: 30_000 });
    const id = ((await page.getByTestId('session-id').textContent()) ?? '').trim();
    expect(id).toMatch(/^[a-f0-9]{10}$/);
    await page
      .getByTestId('risk-equity')
      .filter({ hasText: /^[\d,]+$/ })
      .waitFor({ timeout: 60_000 });
    await shoot(page, 'en', 'session');
    await page.getByTestId('lang-ko').click();
    await page.getByTestId('session-status').filter({ hasText: '실행 중' }).waitFor({ timeout: 30_000 });
    await shoot(page, 'ko', 'session');
    await page.getByTestId('lang-en').click();
    const row = await stack.db.prisma.session.findUnique({ where: { id } });
    expect(row?.strategy).toBe('probe');
    const config = row?.config as unknown as SessionConfig | undefined;
    expect(config?.markets).toEqual(picked);
    expect(config?.risk).toMatchObject({ riskPerTradePct: 0.5 });

    // Listed on the overview, with the account's figures as the snapshot schedule recorded them, the session's
    // loss headroom and the equity curve.
    await page.getByTestId('nav-overview').click();
    await page
      .locator(`[data-testid="session-row"][data-session-id="${id}"]`)
      .filter({ hasText: 'console-e2e' })
      .waitFor({ timeout: 15_000 });
    const snapshot = await stack.db.prisma.accountValueSnapshot.findFirst({ orderBy: { takenAt: 'desc' } });
    expect(snapshot).not.toBeNull();
    await page
      .getByTestId('figure-equity')
      .filter({ hasText: /^[\d,]+$/ })
      .waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('figure-free-krw').textContent()).toMatch(/^[\d,]+$/);
    expect(await page.getByTestId('figure-today-pnl').textContent()).toMatch(/^[+-]?[\d,]+$/);
    await page
      .locator(`[data-testid="loss-headroom-row"][data-session-id="${id}"] [data-testid="loss-headroom-value"]`)
      .waitFor({ timeout: 90_000 });
    await page.locator('[data-testid="equity-curve"] canvas').waitFor({ timeout: 15_000 });
    await shoot(page, 'en', 'overview-figures');

    // Positions and orders: the session's first buy is listed with the decision behind it, and its position links to
    // its workflow in the Temporal UI.
    await page.getByTestId('nav-positions').click();
    await page.getByTestId('positions-session').selectOption(id);
    const buy = page.locator('[data-testid="fill-history-row"][data-side="bid"]').first();
    await buy.waitFor({ timeout: 150_000 });
    const orderId = (await buy.getAttribute('data-order-id')) ?? '';
    const order = await stack.db.prisma.order.findUnique({ where: { id: orderId } });
    expect(order?.sessionId).toBe(id);
    const decision = page.getByTestId('fill-decision').first();
    await decision.waitFor({ timeout: 15_000 });
    expect(await decision.textContent()).toContain('probe:');
    // The list may gain rows meanwhile: read the link from this order's row.
    const buyRow = page.locator(`[data-testid="fill-history-row"][data-order-id="${orderId}"]`).first();
    const link = (await buyRow.getByTestId('fill-temporal-link').getAttribute('href')) ?? '';
    expect(decodeURIComponent(link)).toMatch(new RegExp(`/workflows/${order?.positionId}$`));
    await shoot(page, 'en', 'positions-fills');
    await page.getByTestId('lang-ko').click();
    await page.getByTestId('fills-panel').filter({ hasText: '체결 내역' }).waitFor();
    await shoot(page, 'ko', 'positions-fills');
    await page.getByTestId('lang-en').click();

    // Strategy monitor: the session's newest decision per market, and a market's candles with its buys marked.
    await page.getByTestId('nav-strategy').click();
    await page.getByTestId('strategy-session').selectOption(id);
    await page.getByTestId(`strategy-market-${order?.market}`).click();
    await page.locator('[data-testid="strategy-candle-chart"] canvas').waitFor({ timeout: 30_000 });
    await page
      .getByTestId('strategy-fill-counts')
      .filter({ hasText: /^[1-9]\d* buy fills/ })
      .waitFor({ timeout: 30_000 });
    await page
      .getByTestId('strategy-candle-count')
      .filter({ hasText: /^[1-9]/ })
      .waitFor({ timeout: 30_000 });
    await shoot(page, 'en', 'strategy-market');
    await page.getByTestId('lang-ko').click();
    await page.getByTestId('strategy-fill-counts').filter({ hasText: '매수 체결' }).waitFor();
    await shoot(page, 'ko', 'strategy-market');
    await page.getByTestId('lang-en').click();

    // Settings: a risk limit changed through its preview (which says it applies live), then applied; the history
    // says who changed what.
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-session').selectOption(id);
    await page.getByTestId('settings-risk-dailyLossLimitPct').fill('2.5');
    expect(await page.getByTestId('settings-apply').isDisabled()).toBe(true);
    await page.getByTestId('settings-preview').click();
    const changed = page.locator('[data-testid="settings-change-row"][data-field="risk.dailyLossLimitPct"]');
    await changed.waitFor({ timeout: 15_000 });
    expect(await changed.getAttribute('data-takes-effect')).toBe('live');
    await shoot(page, 'en', 'settings-preview');
    await page.getByTestId('lang-ko').click();
    await changed.filter({ hasText: '다음 평가부터' }).waitFor();
    await shoot(page, 'ko', 'settings-preview');
    await page.getByTestId('lang-en').click();
    await page.getByTestId('settings-apply').click();
    await page.getByTestId('settings-applied').waitFor({ timeout: 15_000 });
    const changedRow = page.locator('[data-testid="settings-history-row"][data-reason="updateConfig"]');
    await changedRow.waitFor({ timeout: 15_000 });
    expect(await changedRow.getByTestId('settings-history-actor').textContent()).toBe(stack.admin.username);
    expect(await changedRow.getByTestId('settings-history-changes').textContent()).toContain('risk.dailyLossLimitPct');
    const live = await stack.client.workflow.getHandle(sessionWorkflowId(id)).query(sessionStatusQuery);
    expect(live.config.risk).toMatchObject({ dailyLossLimitPct: 2.5 });

    // A viewer sees the New session page with the start disabled and the reason.
    await page.getByTestId('sign-out').click();
    await signIn(page, VIEWER.username, VIEWER.password);
    await page.getByTestId('nav-newSession').click();
    await page.getByTestId('new-session-viewer').waitFor();
    await page.getByTestId('new-session-form').waitFor();
    expect(await page.getByTestId('new-session-start').isDisabled()).toBe(true);
    expect(await page.getByTestId('new-session-preview').isDisabled()).toBe(true);
    expect(await page.getByTestId('new-session-name').isDisabled()).toBe(true);
    await shoot(page, 'en', 'newSession-viewer');

    // Every page, with nothing that would change state enabled, and the reason said.
    for (const name of PAGES) {
      await page.getByTestId(`nav-${name}`).click();
      await settled();
      await shoot(page, 'en', `viewer-${name}`);
    }
    await page.getByTestId('nav-overview').click();
    await page.getByTestId('overview-viewer').waitFor();
    expect(await page.getByTestId('start-demo-session').isDisabled()).toBe(true);
    expect(await page.getByTestId('global-estop-button').isDisabled()).toBe(true);
    await page.locator(`[data-testid="session-row"][data-session-id="${id}"] a`).click();
    await page.getByTestId('session-name').waitFor();
    expect(await page.getByTestId('session-estop-button').isDisabled()).toBe(true);
    expect(await page.getByTestId('session-pause').isDisabled()).toBe(true);
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-viewer').waitFor({ timeout: 15_000 });
    await page.getByTestId('settings-users-viewer').waitFor();
    expect(await page.getByTestId('settings-risk-dailyLossLimitPct').isDisabled()).toBe(true);
    expect(await page.getByTestId('settings-preview').isDisabled()).toBe(true);
    await shoot(page, 'en', 'settings-viewer');
    await page.getByTestId('nav-backtests').click();
    await page.getByTestId('backtest-viewer').waitFor();
    expect(await page.getByTestId('backtest-submit').isDisabled()).toBe(true);
    expect(await stack.db.prisma.session.count()).toBe(1);

    expect(errors).toEqual([]);
    await context.close();
  }, 420_000);
});
