// The New session form's server side against the real API, database and simulator: the defaults it
// starts from, whether live is possible, and the preview of the money a config may put at risk.
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionPreviewBody, SessionSetupBody } from '../core/contract/api';
import { type Stack, startStack } from './stack';

let stack: Stack;
let viewer: Record<string, string>;

beforeAll(async () => {
  stack = await startStack();
  const created = await fetch(`${stack.apiUrl}/api/users`, {
    method: 'POST',
    headers: { ...(await stack.authHeaders()), 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'watcher', password: 'viewer-password-1', role: 'viewer' }),
  });
  expect(created.status).toBe(201);
  viewer = { authorization: `Bearer ${await stack.login('watcher', 'viewer-password-1')}` };
});
afterAll(async () => {
  await stack?.stop();
});

async function call<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>) {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: {
      ...(headers ?? (await stack.authHeaders())),
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T & { message?: string } };
}

describe('session setup', () => {
  it("gives the strategy's defaults and says why live is not possible", async () => {
    const r = await call<SessionSetupBody>('GET', '/api/session-setup?strategy=probe');
    expect(r.status).toBe(200);
    expect(r.body.defaultMode).toBe('sim');
    expect(r.body.liveAllowed).toBe(false);
    expect(r.body.liveBlocked).toBe('live-off');
    expect(r.body.liveBlockedReason).toContain('ALLOW_LIVE');
    expect(r.body.defaults.risk.riskPerTradePct).toBeGreaterThan(0);
    expect(r.body.defaults.order.timeoutSec).toBeGreaterThan(0);
    // The time exit counts the strategy's own bars (probe decides on 1-minute bars).
    expect(r.body.defaults.risk.exit.barMs).toBe(60_000);
    const unknown = await call('GET', '/api/session-setup?strategy=moonshot');
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain('moonshot');
  });

  it('previews the money at risk from the account now and the limits asked for', async () => {
    const body = {
      name: 'preview',
      strategy: 'probe',
      config: {
        markets: ['KRW-BTC', 'KRW-ETH'],
        risk: { riskPerTradePct: 0.5, maxOpenPositions: 3, maxTotalExposurePct: 50, maxCapitalKrw: 2_000_000 },
      },
    };
    const r = await call<SessionPreviewBody>('POST', '/api/sessions/preview', body);
    expect(r.status).toBe(200);
    expect(r.body.config.markets).toEqual(['KRW-BTC', 'KRW-ETH']);
    expect(r.body.accountError).toBeNull();
    const equity = new Decimal(r.body.equityKrw ?? 'NaN');
    expect(equity.gt(0)).toBe(true);
    const perTrade = equity.mul(0.5).div(100).floor();
    expect(r.body.riskPerTradeKrw).toBe(perTrade.toFixed());
    expect(r.body.riskAllStopsKrw).toBe(perTrade.mul(3).toFixed());
    expect(r.body.maxExposureKrw).toBe(Decimal.min(equity.mul(0.5).floor(), 2_000_000).toFixed());
    expect(r.body.maxOpenPositions).toBe(3);
    // Nothing was started.
    expect(await stack.db.prisma.session.count({ where: { name: 'preview' } })).toBe(0);
  });

  it('refuses a config the start would refuse, naming the field', async () => {
    const r = await call('POST', '/api/sessions/preview', { name: 'x', config: { risk: { riskPerTradePct: -1 } } });
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('riskPerTradePct');
  });

  it('lets a viewer read the defaults but neither preview nor start', async () => {
    expect((await call('GET', '/api/session-setup', undefined, viewer)).status).toBe(200);
    const preview = await call('POST', '/api/sessions/preview', { name: 'v', strategy: 'probe' }, viewer);
    expect(preview.status).toBe(403);
    const start = await call('POST', '/api/sessions', { name: 'v', strategy: 'probe' }, viewer);
    expect(start.status).toBe(403);
  });
});
