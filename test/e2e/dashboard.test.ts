// The dashboard in a real browser (Chromium, headless) against the real API, Temporal, database
// and simulator: signing in, health, starting the demo session, and a double-confirmed emergency stop.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium } from '../../bench/browser';
import { type Stack, startStack } from '../stack';

const built = existsSync(join(import.meta.dirname, '..', '..', 'web', 'dist', 'index.html'));
if (!existsSync(CHROMIUM))
  console.warn(`dashboard test needs Chromium at ${CHROMIUM} (apt-get install chromium); skipped`);
if (!built) console.warn('dashboard test needs the built dashboard (npx vite build web); skipped');

let stack: Stack;
let browser: Browser;

describe.skipIf(!existsSync(CHROMIUM) || !built)('dashboard', () => {
  beforeAll(async () => {
    stack = await startStack();
    await stack.startWorkers();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('signs in, shows health, starts the demo session and stops it after a double confirmation', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${stack.apiUrl}/`);
    // Nothing but the sign-in form until a wrong password is refused and the right one accepted.
    await page.getByTestId('login-username').fill(stack.admin.username);
    await page.getByTestId('login-password').fill('not-the-password');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('health-panel').count()).toBe(0);
    await page.getByTestId('login-password').fill(stack.admin.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('nav-user').filter({ hasText: 'admin' }).waitFor({ timeout: 10_000 });
    await page.getByTestId('health-status').filter({ hasText: 'ok' }).waitFor({ timeout: 30_000 });
    for (const part of ['temporal', 'db', 'exchange']) {
      await expect(page.getByTestId(`health-badge-${part}`).getAttribute('title')).resolves.toBe('ok');
    }

    // The key form stores a key and shows only its last 4 characters; the field forgets it.
    await page.getByTestId('keys-access').fill('dashboard-access-key-K7Q4');
    await page.getByTestId('keys-secret').fill('dashboard-secret-key-never-shown');
    await page.getByTestId('keys-store').click();
    await page.getByTestId('keys-stored').filter({ hasText: '…K7Q4' }).waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('keys-secret').inputValue()).toBe('');
    expect(await page.content()).not.toContain('dashboard-secret-key-never-shown');
    expect((await stack.vault.read('live'))?.secretKey).toBe('dashboard-secret-key-never-shown');

    await page.getByTestId('start-demo-session').click();
    const idText = await page.getByTestId('session-id').textContent({ timeout: 30_000 });
    const id = idText?.trim() ?? '';
    expect(id).toMatch(/^[a-f0-9]{10}$/);
    const row = await stack.db.prisma.session.findUnique({ where: { id } });
    expect(row?.name).toBe('demo');
    await page.getByTestId('session-status').filter({ hasText: 'running' }).waitFor({ timeout: 30_000 });

    // First click opens the dialog; nothing is sent until the id is typed and confirmed.
    await page.getByTestId('session-estop-button').click();
    await page.getByTestId('estop-dialog').waitFor();
    await page.getByTestId('estop-mode-halt').click();
    expect(await page.getByTestId('estop-confirm').isDisabled()).toBe(true);
    await page.getByTestId('estop-confirm-input').fill(id);
    await page.getByTestId('estop-confirm').click();
    await page.getByTestId('session-halted').waitFor({ timeout: 30_000 });
    // The overview's audit lists who started and stopped the session.
    await page.getByTestId('nav-overview').click();
    await page
      .getByTestId('audit-row')
      .filter({ hasText: `admin session.emergency_stop ${id}` })
      .waitFor({ timeout: 15_000 });
    await page
      .getByTestId('audit-row')
      .filter({ hasText: `admin session.start ${id}` })
      .waitFor();
    const events = await stack.db.prisma.riskEvent.findMany({ where: { sessionId: id, kind: 'emergency_halt' } });
    expect(events).toHaveLength(1);
    expect(errors).toEqual([]);
  }, 120_000);
});
