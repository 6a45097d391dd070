// Live mode behind real gates, and the key vault. The simulator stands in for Upbit (the stack's
// `live` clients talk to it, with the key stored in the vault), so a live order that got through
// would be seen there. Refused: without ALLOW_LIVE, without a key, without the confirmation token
// (or with a forged, expired, reused or other-config one) or the typed name; and a live session
// workflow started straight on Temporal places nothing. A key rotated while a session trades is used
// by the next exchange call; no key, password or token shows in a response, log line or history.
import { PassThrough } from 'node:stream';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/server';
import { DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY } from '../../exchange/sim/server';
import { deriveKey } from '../../security/master-key';
import { sessionWorkflowId, TASK_QUEUE_TRADING } from '../../workflows/ids';
import { callApi, openRisk, simOrders } from '../reliability/harness';
import { eventually, type Stack, startStack } from '../stack';

let stack: Stack;
// Two accounts on the simulator standing in for an old and a new Upbit key (the simulator has one key
// per account); the second is told apart by its seeded holdings.
const KEY_A = { accessKey: 'AKEY-alpha-distinct-5N8R2', secretKey: 'SKEY-alpha-distinct-3H7M1Q' };
const KEY_B = { accessKey: 'AKEY-bravo-distinct-6P9T4', secretKey: 'SKEY-bravo-distinct-8J2K5W' };
const apiLog: string[] = [];
const ordersOf = (accessKey: string, prefix: string) =>
  [...(stack.sim.engine.accounts.get(accessKey)?.orders.values() ?? [])].filter((o) =>
    o.identifier?.startsWith(prefix),
  );
// A probe session that enters at once and holds: live orders follow within seconds if allowed.
const startBody = (name: string, markets = ['KRW-XRP', 'KRW-DOGE']) => ({
  name,
  mode: 'live',
  strategy: 'probe',
  config: {
    liveConfirmed: true,
    markets,
    loopIntervalSec: 2,
    order: { timeoutSec: 4, fallbackToMarket: true, maxSlippagePct: 5, entryTicksAboveBid: 0 },
    risk: openRisk({
      riskPerTradePct: 0.2,
      maxOpenPositions: 2,
      exit: {
        stopMode: 'pct',
        stopPct: 25,
        takeProfit: [{ atPct: 50, fraction: 1 }],
        trailingAtrMultiple: 0,
        blowOffRsi: 0,
        timeExitBars: 0,
      },
    }),
  },
});

beforeAll(async () => {
  const log = new PassThrough();
  log.on('data', (chunk: Buffer) => apiLog.push(chunk.toString()));
  stack = await startStack({
    live: true,
    apiLog: log,
    sim: {
      accounts: [
        { accessKey: DEFAULT_ACCESS_KEY, secretKey: DEFAULT_SECRET_KEY },
        KEY_A,
        { ...KEY_B, holdings: { XRP: '100000' } },
      ],
    },
  });
  // The worker's side of the gate; the key comes from the vault only.
  process.env.ALLOW_LIVE = '1';
  delete process.env.UPBIT_ACCESS_KEY;
  delete process.env.UPBIT_SECRET_KEY;
  await stack.startWorkers();
});
afterAll(async () => {
  await stack?.stop();
});

// Probe enters a market whose latest minute bar closed at or above its open: lift the markets 1 % so it
// does at once (left to the random walk, two markets can both close down for minutes on end).
function liftPrices(markets: string[]) {
  for (const market of markets) {
    const m = stack.sim.markets.get(market);
    if (!m) throw new Error(`the simulator has no ${market}`);
    stack.sim.setPrice(market, m.last * 1.01);
  }
}

const confirm = (name: string) =>
  callApi<{ confirmationToken: string; config: { mode: string; name: string } }>(
    stack,
    'POST',
    '/api/sessions/live-confirmation',
    (({ mode: _, ...rest }) => rest)(startBody(name)),
  );

describe('live gates', () => {
  it('a server without ALLOW_LIVE, or without a key, refuses both steps', async () => {
    const headers = { ...(await stack.authHeaders()), 'content-type': 'application/json' };
    const base = { db: stack.db, temporal: stack.client, exchange: stack.exchange, defaultMode: 'sim' as const };
    for (const [label, gates, status, message] of [
      ['no ALLOW_LIVE', { allowLive: false }, 403, 'ALLOW_LIVE=1'],
      ['no key', { allowLive: true, liveKeyAvailable: async () => false }, 409, 'Upbit key'],
    ] as const) {
      const api = await buildApi({ ...base, namespace: 'default', masterKey: stack.masterKey, ...gates });
      const first = await api.inject({
        method: 'POST',
        url: '/api/sessions/live-confirmation',
        headers,
        payload: { name: 'x', strategy: 'probe', config: startBody('x').config },
      });
      expect(first.statusCode, label).toBe(status);
      expect(first.json().message, label).toContain(message);
      const start = await api.inject({ method: 'POST', url: '/api/sessions', headers, payload: startBody('x') });
      expect(start.statusCode, label).toBe(status);
      await api.close();
    }
    expect(await stack.db.prisma.session.count()).toBe(0);
  });

  it('the key is stored encrypted and shown only by its last 4 characters and fingerprint', async () => {
    const stored = await callApi<Record<string, string>>(stack, 'PUT', '/api/exchange-keys/live', KEY_A);
    expect(stored.status).toBe(200);
    expect(stored.body.accessKeyLast4).toBe(KEY_A.accessKey.slice(-4));
    expect(JSON.stringify(stored.body)).not.toContain(KEY_A.secretKey);
    expect(JSON.stringify(stored.body)).not.toContain(KEY_A.accessKey);
    const row = await stack.db.prisma.exchangeKey.findUniqueOrThrow({ where: { label: 'live' } });
    for (const blob of [row.accessKeyEnc, row.secretKeyEnc]) {
      const bytes = Buffer.from(blob).toString('latin1');
      expect(bytes).not.toContain('distinct');
    }
    expect(await stack.vault.read('live')).toEqual(KEY_A);
  });

  it('the start needs a valid confirmation token for this config and the typed name', async () => {
    const noToken = await callApi<{ message: string }>(stack, 'POST', '/api/sessions', startBody('alpha'));
    expect(noToken.status).toBe(403);
    expect(noToken.body.message).toContain('confirmationToken');

    const { body: confirmed } = await confirm('alpha');
    expect(confirmed.config.mode).toBe('live');
    const withToken = (extra: Record<string, unknown>, name = 'alpha') => ({
      ...startBody(name),
      confirmName: name,
      confirmationToken: confirmed.confirmationToken,
      ...extra,
    });
    const wrongName = await callApi<{ message: string }>(
      stack,
      'POST',
      '/api/sessions',
      withToken({ confirmName: 'alpah' }),
    );
    expect(wrongName.status).toBe(400);
    expect(wrongName.body.message).toContain('confirmName');

    // A token confirms one config: a bigger risk or another name is not what was confirmed.
    const riskier = withToken({});
    (riskier.config.risk as Record<string, unknown>).riskPerTradePct = 2;
    expect((await callApi(stack, 'POST', '/api/sessions', riskier)).status).toBe(403);
    expect((await callApi(stack, 'POST', '/api/sessions', withToken({}, 'beta'))).status).toBe(403);

    const user = await stack.db.prisma.user.findUniqueOrThrow({ where: { username: 'admin' } });
    const claims = jwt.decode(confirmed.confirmationToken) as Record<string, unknown>;
    const key = deriveKey(stack.masterKey, 'live-confirmation');
    const expired = jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 1 }, key);
    const forged = jwt.sign({ ...claims }, 'another-key');
    for (const token of [expired, forged, 'x.y.z']) {
      const r = await callApi(stack, 'POST', '/api/sessions', withToken({ confirmationToken: token }));
      expect(r.status).toBe(403);
    }
    expect(claims.sub).toBe(user.id);
    expect(await stack.db.prisma.session.count()).toBe(0);
    expect(simOrders(stack, 'ord-').length).toBe(0);
  });

  it('a live session started straight on Temporal places no order', async () => {
    const id = 'direct0001';
    // Other markets than the confirmed session's: its holdings must not be what keeps this one out.
    const cfg = { ...startBody('direct', ['KRW-SOL', 'KRW-ADA']).config, name: 'direct', mode: 'live' };
    const { body: template } = await confirm('direct');
    // Whatever a Temporal client can reach, it has no live confirmation: the session row is even there.
    await stack.db.prisma.session.create({
      data: { id, name: 'direct', mode: 'live', strategy: 'probe', status: 'starting', config: template.config },
    });
    await stack.client.workflow.start('tradingSession', {
      workflowId: sessionWorkflowId(id),
      taskQueue: TASK_QUEUE_TRADING,
      args: [{ sessionId: id, config: { ...template.config, ...cfg } }],
    });
    liftPrices(['KRW-SOL', 'KRW-ADA']);
    // The entries (placed by the positions themselves) are refused by the submit activity with the gate's
    // reason, and end rejected (they do not fail: the position closes with nothing bought).
    const refused = await eventually(
      async () => {
        for await (const wf of stack.client.workflow.list({ query: `WorkflowType = 'positionWorkflow'` })) {
          if (!wf.workflowId.startsWith(`pos-${id}-`)) continue;
          const history = JSON.stringify(await stack.client.workflow.getHandle(wf.workflowId).fetchHistory());
          if (history.includes('was not confirmed by an admin') && wf.status.name === 'COMPLETED') return wf.workflowId;
        }
        return undefined;
      },
      150_000,
      'an order of the direct session refused by the live gate',
    );
    expect(refused).toContain(id);
    expect(simOrders(stack, `ord-pos-${id}-`)).toEqual([]);
    await stack.client.workflow.getHandle(sessionWorkflowId(id)).terminate('test over');
  }, 240_000);

  let gamma = '';
  it('a confirmed live session trades with the stored key; its token starts nothing else', async () => {
    const { body: confirmed } = await confirm('gamma');
    const body = { ...startBody('gamma'), confirmName: 'gamma', confirmationToken: confirmed.confirmationToken };
    const started = await callApi<{ id: string }>(stack, 'POST', '/api/sessions', body);
    expect(started.status).toBe(201);
    gamma = started.body.id;
    expect((await callApi(stack, 'POST', '/api/sessions', body)).status).toBe(409);
    const row = await stack.db.prisma.liveConfirmation.findUniqueOrThrow({ where: { sessionId: gamma } });
    expect(row.confirmedBy).toBe('admin');
    liftPrices(['KRW-XRP', 'KRW-DOGE']);
    await eventually(
      async () => ordersOf(KEY_A.accessKey, `ord-pos-${gamma}-`).length >= 1,
      200_000,
      'an entry of gamma with key A',
    );
    const audit = await stack.db.prisma.auditEvent.findMany({ where: { action: { startsWith: 'session.' } } });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['session.live_confirmation', 'session.start']));
  }, 260_000);

  it('a key rotated while the session trades is used by the next exchange call', async () => {
    // The workers' own client: it read key A until now (account A holds gamma's coins).
    const client = stack.exchange('live');
    expect((await client.accounts()).find((a) => a.currency === 'XRP')?.balance).not.toBe('100000');
    const rotated = await callApi<Record<string, string>>(stack, 'PUT', '/api/exchange-keys/live', KEY_B);
    expect(rotated.body.accessKeyLast4).toBe(KEY_B.accessKey.slice(-4));
    // No restart: the very next call is signed with key B (account B's seeded holdings answer).
    const afterRotation = await client.accounts();
    const xrp = afterRotation.find((a) => a.currency === 'XRP');
    expect(xrp?.balance).toBe('100000');
    // The session goes on: a halt is signalled and recorded.
    const stop = await callApi(stack, 'POST', `/api/sessions/${gamma}/emergency-stop`, {
      mode: 'halt',
      confirm: gamma,
    });
    expect(stop.status).toBe(202);
    const audit = await stack.db.prisma.auditEvent.findMany({ where: { action: 'key.store' } });
    expect(audit.map((a) => (a.details as { accessKeyLast4: string }).accessKeyLast4)).toEqual([
      KEY_A.accessKey.slice(-4),
      KEY_B.accessKey.slice(-4),
    ]);
  });

  it('no key, password or token in any API response, log line or workflow history', async () => {
    const token = (await stack.authHeaders()).authorization.slice('Bearer '.length);
    const botToken = '5550001:BOT-secret-distinct-QRST';
    const hook = 'http://127.0.0.1:9/hooks/T0/B0/WEBHOOK-secret-distinct-path';
    process.env.ALERT_ALLOW_HOSTS = '127.0.0.1';
    const channels = [
      { kind: 'telegram', target: { botToken, chatId: '1', apiBase: 'http://127.0.0.1:9' } },
      { kind: 'slack', target: { webhookUrl: hook } },
    ];
    const secrets = [
      ...[KEY_A.accessKey, KEY_A.secretKey, KEY_B.accessKey, KEY_B.secretKey],
      ...[stack.admin.password, token, botToken, 'WEBHOOK-secret-distinct-path'],
    ];
    const found = (where: string, text: string) =>
      secrets.filter((x) => text.includes(x)).map((x) => `${where}: ${x.slice(0, 12)}…`);
    const leaks: string[] = [];
    for (const channel of channels) {
      const created = await callApi(stack, 'POST', '/api/alert-channels', channel);
      expect(created.status).toBe(201);
      leaks.push(...found('POST /api/alert-channels', JSON.stringify(created.body)));
    }
    leaks.push(...found('alert_channels table', JSON.stringify(await stack.db.prisma.alertChannel.findMany())));
    const doc = (await (await fetch(`${stack.apiUrl}/api/docs/json`)).json()) as { paths: Record<string, object> };
    const sessions = await stack.db.prisma.session.findMany();
    for (const [path, ops] of Object.entries(doc.paths)) {
      // The event stream never ends; it carries only ids (test/live-events.test.ts).
      if (!('get' in ops) || path.startsWith('/api/docs') || path === '/api/events/stream') continue;
      for (const id of path.includes('{id}') ? sessions.map((x) => x.id) : ['']) {
        const url = path.replace('{id}', id);
        const res = await callApi<unknown>(stack, 'GET', url);
        leaks.push(...found(`GET ${url}`, JSON.stringify(res.body)));
      }
    }
    leaks.push(...found('API log', apiLog.join('')));
    for await (const wf of stack.client.workflow.list()) {
      const history = await stack.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      leaks.push(...found(`history of ${wf.workflowId}`, JSON.stringify(history)));
    }
    leaks.push(...found('audit', JSON.stringify(await stack.db.prisma.auditEvent.findMany())));
    expect(apiLog.length).toBeGreaterThan(0);
    expect(leaks).toEqual([]);
  }, 240_000);
});
