// The operator console's routes against the real API, Temporal, workers, database and simulator: the
// account-snapshot schedule and the overview's figures, equity curve and loss headroom; holdings and fills with their
// decisions; the settings' config preview and history. A viewer reads them all and changes nothing.
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ConfigChangeBody,
  ConfigPreviewBody,
  FillWithDecisionBody,
  HoldingBody,
  OverviewBody,
  Wire,
} from '../core/contract/api';
import { accountSnapshotScheduleId } from '../workflows/ids';
import { eventually, type Stack, startStack } from './stack';

let stack: Stack;
let viewer: Record<string, string>;

beforeAll(async () => {
  stack = await startStack();
  await stack.startWorkers();
  const created = await fetch(`${stack.apiUrl}/api/users`, {
    method: 'POST',
    headers: { ...(await stack.authHeaders()), 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'watcher', password: 'viewer-password-1', role: 'viewer' }),
  });
  expect(created.status).toBe(201);
  viewer = { authorization: `Bearer ${await stack.login('watcher', 'viewer-password-1')}` };
}, 180_000);
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

describe('console reads', () => {
  it('records the account every minute on a Temporal Schedule and serves its figures and curve', async () => {
    const schedule = await stack.client.schedule.getHandle(accountSnapshotScheduleId('sim')).describe();
    expect(schedule.spec.intervals?.[0]?.every).toBe(60_000);
    // The schedule runs once at once; the figures are the simulator account's, valued at its prices.
    const first = await eventually(
      async () => {
        const r = await call<OverviewBody>('GET', '/api/overview', undefined, viewer);
        return r.status === 200 && r.body.figures ? r.body : null;
      },
      60_000,
      'the first account snapshot',
    );
    expect(first.mode).toBe('sim');
    const accounts = await stack.exchange('sim').accounts();
    const krw = accounts.find((a) => a.currency === 'KRW');
    expect(first.figures?.freeKrw).toBe(new Decimal(krw?.balance ?? 'NaN').toFixed());
    expect(new Decimal(first.figures?.equityKrw ?? 'NaN').gte(first.figures?.freeKrw ?? 'NaN')).toBe(true);
    expect(first.figures?.todayRealizedPnlKrw).toBe('0');
    expect(first.curve.at(-1)).toEqual({ ts: first.figures?.takenAt, equityKrw: first.figures?.equityKrw });

    // Another run (as the next minute would start) adds a point to the curve.
    const count = first.curve.length;
    await stack.client.schedule.getHandle(accountSnapshotScheduleId('sim')).trigger();
    const next = await eventually(
      async () => {
        const r = await call<OverviewBody>('GET', '/api/overview?hours=1');
        return r.body.curve.length > count ? r.body : null;
      },
      60_000,
      'a second snapshot',
    );
    const times = next.curve.map((p) => p.ts);
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    const bad = await call('GET', '/api/overview?mode=moon');
    expect(bad.status).toBe(400);
    const unauthenticated = await fetch(`${stack.apiUrl}/api/overview`);
    expect(unauthenticated.status).toBe(401);
  }, 180_000);

  it("lists a running session's daily loss limit and headroom", async () => {
    const started = await call<{ id: string }>('POST', '/api/sessions', {
      name: 'headroom',
      preset: 'demo',
      config: { risk: { dailyLossLimitPct: 2 } },
    });
    expect(started.status).toBe(201);
    const row = await eventually(
      async () => {
        const r = await call<OverviewBody>('GET', '/api/overview', undefined, viewer);
        const s = r.body.sessions.find((x) => x.id === started.body.id);
        return s?.lossHeadroomKrw ? s : null;
      },
      90_000,
      "the session's loss headroom",
    );
    expect(row.error).toBeNull();
    expect(row.name).toBe('headroom');
    // 2 % of the equity the day opened with; no loss yet, so all of it is left.
    expect(new Decimal(row.dailyLossLimitKrw ?? 'NaN').gt(0)).toBe(true);
    expect(row.lossHeadroomKrw).toBe(row.dailyLossLimitKrw);

    // The demo session buys within a minute or two: the fill comes with the decision that made the order, and the
    // position is listed as a holding valued at the market's last price.
    const id = started.body.id;
    const fill = await eventually(
      async () => {
        const r = await call<Wire<FillWithDecisionBody>[]>('GET', `/api/fills?sessionId=${id}`, undefined, viewer);
        return r.body.find((f) => f.order.side === 'bid' && f.decision);
      },
      150_000,
      'a buy fill with its decision',
    );
    expect(fill.order.sessionId).toBe(id);
    expect(fill.decision?.action).toBe('entry');
    expect(fill.decision?.market).toBe(fill.order.market);
    expect(Date.parse(fill.decision?.createdAt ?? '')).toBeLessThanOrEqual(Date.parse(fill.order.createdAt));
    // The evaluation's inputs as recorded with the decision (the probe strategy scores no factors).
    const recorded = await stack.db.prisma.decision.findUnique({ where: { id: fill.decision?.id ?? '' } });
    expect(fill.decision?.snapshot).toEqual(recorded?.snapshot);
    expect(fill.decision?.snapshot).toHaveProperty('factors');
    const order = await stack.db.prisma.order.findUnique({ where: { id: fill.order.id } });
    expect(order?.positionId).toBe(fill.order.positionId);

    // Listed once its entry is recorded (the fill may come first), until it closes (the demo's time exit).
    const holdings = await eventually(
      async () => {
        const r = await call<Wire<HoldingBody>[]>('GET', `/api/holdings?sessionId=${id}`, undefined, viewer);
        const h = r.body.find((x) => x.id === fill.order.positionId);
        if (h?.entryPrice && h.currentPrice) return { body: r.body, held: h };
        const position = await stack.db.prisma.position.findUnique({ where: { id: fill.order.positionId ?? '' } });
        return position?.status === 'closed' && !h ? { body: r.body, held: null } : null;
      },
      60_000,
      'the position listed as a holding, or closed',
    );
    const held = holdings.held;
    if (held?.entryPrice && held.currentPrice) {
      expect(held.sessionName).toBe('headroom');
      expect(held.priceError).toBeNull();
      const price = new Decimal(held.currentPrice);
      expect(held.unrealizedPnlKrw).toBe(price.minus(held.entryPrice).mul(held.remainingVolume).toFixed(0));
      expect(held.unrealizedPnlPct).toBe(price.div(held.entryPrice).minus(1).mul(100).toFixed(2));
    }
    expect(holdings.body.every((h) => h.status !== 'closed')).toBe(true);

    await call('POST', `/api/sessions/${id}/emergency-stop`, { mode: 'halt', confirm: id });
  }, 300_000);

  it('previews a config change with when each field takes effect, applies it, and tells who changed what', async () => {
    const started = await call<{ id: string }>('POST', '/api/sessions', { name: 'settings', preset: 'demo' });
    expect(started.status).toBe(201);
    const id = started.body.id;
    const change = { risk: { dailyLossLimitPct: 2.5, exit: { stopMode: 'pct', stopPct: 3 } } };
    const preview = await eventually(
      async () => {
        const r = await call<ConfigPreviewBody>('POST', `/api/sessions/${id}/config/preview`, change);
        return r.status === 200 ? r.body : null;
      },
      60_000,
      'a preview of the running session',
    );
    const byField = Object.fromEntries(preview.changes.map((c) => [c.field, c]));
    expect(byField['risk.dailyLossLimitPct']).toMatchObject({ after: 2.5, takesEffect: 'live' });
    expect(byField['risk.exit.stopPct']).toMatchObject({ after: 3, takesEffect: 'newPositions' });
    expect(preview.config.risk).toMatchObject({ dailyLossLimitPct: 2.5 });
    // Nothing applied by the preview.
    const history = async () =>
      (await call<ConfigChangeBody[]>('GET', `/api/sessions/${id}/config-changes`, undefined, viewer)).body;
    expect((await history()).map((h) => h.reason)).toEqual(['created']);

    // Refused as the update would refuse it, naming the field.
    const mode = await call('POST', `/api/sessions/${id}/config/preview`, { mode: 'paper' });
    expect(mode.status).toBe(400);
    expect(mode.body.message).toContain('mode');
    const bad = await call('POST', `/api/sessions/${id}/config/preview`, { risk: { dailyLossLimitPct: -1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('dailyLossLimitPct');
    // A viewer neither previews nor applies.
    expect((await call('POST', `/api/sessions/${id}/config/preview`, change, viewer)).status).toBe(403);
    expect((await call('PATCH', `/api/sessions/${id}/config`, change, viewer)).status).toBe(403);

    const applied = await call('PATCH', `/api/sessions/${id}/config`, { risk: { dailyLossLimitPct: 2.5 } });
    expect(applied.status).toBe(200);
    const rows = await history();
    expect(rows.map((h) => [h.reason, h.actor])).toEqual([
      ['updateConfig', 'admin'],
      ['created', 'admin'],
    ]);
    expect(rows[0].changes).toEqual([
      {
        field: 'risk.dailyLossLimitPct',
        before: byField['risk.dailyLossLimitPct'].before,
        after: 2.5,
        takesEffect: 'live',
      },
    ]);
    // The limit as it applied before: the strategy's default, not a blank.
    expect(typeof byField['risk.dailyLossLimitPct'].before).toBe('number');
    expect((await call('GET', '/api/sessions/nosuch/config-changes')).status).toBe(404);
    await call('POST', `/api/sessions/${id}/emergency-stop`, { mode: 'halt', confirm: id });
  }, 180_000);
});
