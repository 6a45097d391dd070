// The dashboard's figures, measured in the real Chromium the browser tests use (bench/browser.ts) against the whole
// stack on loopback:
//   bundle  — what the first page load fetches (index.html's entry script, its module preloads and the stylesheet),
//             gzipped at level 9, in KB (the goal: at most 300);
//   render  — navigation start → the login form in the DOM, cold (a fresh browser context each time), and
//             navigation start → the signed-in overview's sessions table after a reload (cached files);
//   live    — a risk event committed to the database → its row in the Events page's DOM (the SSE stream), per event.
// Build the dashboard first (`npx vite build web`). `npm run bench -- console [samples=20]`; the last line is JSON.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { recordEvent } from '../prisma/repositories/events';
import { startStack } from '../workers/local-stack';
import { launchChromium } from './browser';

const samples = Number(process.argv[2] ?? 20);
const DIST = join(import.meta.dirname, '..', 'web', 'dist');

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: Math.round(percentile(s, 50)), p99: Math.round(percentile(s, 99)), max: Math.round(s[s.length - 1]) };
};

// 1. The initial bundle: the files index.html makes the browser fetch before anything is lazily loaded.
const html = readFileSync(join(DIST, 'index.html'), 'utf8');
const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
let gzipBytes = 0;
for (const file of initial) gzipBytes += gzipSync(readFileSync(join(DIST, file)), { level: 9 }).length;
const bundleKb = Math.round((gzipBytes / 1024) * 10) / 10;
console.log(`initial bundle: ${initial.length} files (${initial.join(', ')}), ${bundleKb} KB gzipped`);

const stack = await startStack();
const browser = await launchChromium();
try {
  // 2. First render, cold: each sample in a fresh context (no cache, no session).
  const cold: number[] = [];
  for (let i = 0; i < Math.min(samples, 10); i++) {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${stack.apiUrl}/`);
    await page.getByTestId('login-submit').waitFor();
    cold.push(await page.evaluate(() => performance.now()));
    await context.close();
  }
  console.log(`first render (login form), cold: ${JSON.stringify(stats(cold))} ms`);

  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${stack.apiUrl}/`);
  await page.getByTestId('login-username').fill(stack.admin.username);
  await page.getByTestId('login-password').fill(stack.admin.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('sessions-table').waitFor();
  const signedIn: number[] = [];
  for (let i = 0; i < Math.min(samples, 10); i++) {
    await page.reload();
    await page.getByTestId('sessions-table').waitFor();
    signedIn.push(await page.evaluate(() => performance.now()));
  }
  console.log(`first render (signed-in overview), reload: ${JSON.stringify(stats(signedIn))} ms`);

  // 3. Event → DOM: the Events page notes when each message appears; the bench notes when it was committed.
  await page.getByTestId('nav-events').click();
  await page.getByTestId('live-status').and(page.locator('[data-value="live"]')).waitFor({ timeout: 15_000 });
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const message = `bench event ${i} ${Date.now()}`;
    await page.evaluate((text) => {
      const w = window as unknown as { seenAt?: number };
      w.seenAt = undefined;
      new MutationObserver((_, observer) => {
        if (document.querySelector('[data-testid="events-table"]')?.textContent?.includes(text)) {
          w.seenAt = Date.now();
          observer.disconnect();
        }
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    }, message);
    await recordEvent(stack.db.prisma, { sessionId: null, kind: 'exchange_degraded', severity: 'warn', message });
    const committedAt = Date.now();
    await page.getByTestId('event-message').filter({ hasText: message }).waitFor({ timeout: 10_000 });
    const seenAt = await page.evaluate(() => (window as unknown as { seenAt?: number }).seenAt);
    latencies.push((seenAt ?? Date.now()) - committedAt);
  }
  console.log(`risk event committed -> in the DOM: ${JSON.stringify(stats(latencies))} ms over ${samples} events`);
  const load = loadavg().map((l) => Math.round(l * 100) / 100);
  console.log(`load average: ${load.join(' ')}`);
  console.log(
    JSON.stringify({
      bundleGzipKb: bundleKb,
      firstRenderColdMs: stats(cold),
      firstRenderSignedInMs: stats(signedIn),
      eventToDomMs: stats(latencies),
      samples,
      loadavg: load,
    }),
  );
} finally {
  await browser.close();
  await stack.stop();
}
