import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../exchange/sim/server';
import { UpbitClient } from '../exchange/upbit/client';
import { type Database, openDatabase } from '../prisma/db';
import { queueAlert, recordEvent } from '../prisma/repositories/events';
import {
  alertHostPolicy,
  checkAlertUrl,
  sealAlertTarget,
  shownAlertTarget,
  validateAlertTarget,
} from '../security/alert-targets';
import { SecretBox } from '../security/secret-box';
import { type Alert, Alerter, formatAlert } from './alerts';
import { recordExchangeOrder } from './order-records';

interface Arrival {
  path: string;
  body: Record<string, unknown>;
}

let db: Database;
let server: Server;
let base: string;
const arrivals: Arrival[] = [];
let failNext = 0;

async function readBody(req: IncomingMessage): Promise<string> {
  let data = '';
  for await (const chunk of req) data += chunk;
  return data;
}

beforeAll(async () => {
  // The local test server stands in for the webhook hosts.
  process.env.ALERT_ALLOW_HOSTS = '127.0.0.1';
  db = await openDatabase({ databaseUrl: 'memory://' });
  server = createServer(async (req, res) => {
    const body = JSON.parse(await readBody(req));
    if (req.url === '/redirect') {
      res.writeHead(302, { location: `${base}/slack` }).end();
      return;
    }
    if (failNext > 0) {
      failNext -= 1;
      res.writeHead(500).end();
      return;
    }
    arrivals.push({ path: req.url ?? '', body });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  await db.prisma.alertChannel.createMany({
    data: [
      { kind: 'telegram', target: { botToken: 'T0K', chatId: '42', apiBase: base }, minSeverity: 'warn' },
      { kind: 'slack', target: { webhookUrl: `${base}/slack` }, minSeverity: 'warn' },
      { kind: 'discord', target: { webhookUrl: `${base}/discord` }, minSeverity: 'critical' },
    ],
  });
});

afterAll(async () => {
  server?.close();
  await db?.close();
});
// An alert a test left waiting for a retry must not arrive in the next test.
afterEach(async () => {
  await db.prisma.alertOutbox.deleteMany();
});

/** Queues an alert as every recording step does, and lets the sender take the queue once. */
async function sendVia(alerter: Alerter, alert: Alert) {
  await queueAlert(db.prisma, alert);
  await alerter.drain();
}

describe('Alerter', () => {
  it('posts each channel kind in its own format, filtered by severity', async () => {
    arrivals.length = 0;
    const alerter = new Alerter(db);
    await sendVia(alerter, { sessionId: 's1', kind: 'daily_loss_limit', severity: 'warn', message: 'entries halted' });
    const text = formatAlert({
      sessionId: 's1',
      kind: 'daily_loss_limit',
      severity: 'warn',
      message: 'entries halted',
    });
    expect(arrivals).toHaveLength(2); // discord wants critical only
    expect(arrivals).toContainEqual({ path: '/botT0K/sendMessage', body: { chat_id: '42', text } });
    expect(arrivals).toContainEqual({ path: '/slack', body: { text } });
    await sendVia(alerter, { sessionId: null, kind: 'fill', severity: 'info', message: 'bought' });
    expect(arrivals).toHaveLength(2);
    await sendVia(alerter, { sessionId: null, kind: 'emergency_flatten', severity: 'critical', message: 'stop' });
    expect(arrivals).toHaveLength(5);
    expect(arrivals.find((a) => a.path === '/discord')?.body.content).toContain('emergency_flatten');
  });

  it('rate-limits a storm per channel and reports what it held back', async () => {
    arrivals.length = 0;
    let now = 1_000_000;
    const alerter = new Alerter(db, { burst: 3, perMinute: 6, now: () => now });
    for (let i = 0; i < 40; i++) {
      await sendVia(alerter, { sessionId: null, kind: 'reconnect', severity: 'warn', message: `storm ${i}` });
    }
    const slack = () => arrivals.filter((a) => a.path === '/slack');
    expect(slack()).toHaveLength(3);
    now += 60_000; // a minute refills 6 tokens
    await sendVia(alerter, { sessionId: null, kind: 'reconnect', severity: 'warn', message: 'after the storm' });
    expect(slack()).toHaveLength(4);
    expect(String(slack()[3].body.text)).toContain('+37 earlier alerts held back');
    // An emergency stop in the middle of a storm is not held back.
    for (let i = 0; i < 10; i++)
      await sendVia(alerter, { sessionId: null, kind: 'reconnect', severity: 'warn', message: 'x' });
    await sendVia(alerter, { sessionId: null, kind: 'emergency_flatten', severity: 'critical', message: 'stop' });
    expect(String(slack().at(-1)?.body.text)).toContain('emergency_flatten');
  });

  it('a failing webhook does not throw and is counted', async () => {
    failNext = 2;
    const alerter = new Alerter(db);
    await expect(
      sendVia(alerter, { sessionId: null, kind: 'x', severity: 'warn', message: 'y' }),
    ).resolves.toBeUndefined();
    expect(alerter.failed).toBe(2);
  });

  it('validates channel targets field by field', () => {
    expect(validateAlertTarget('slack', { webhookUrl: 'ftp://x' })).toEqual([
      'target.webhookUrl: must be an http(s) URL',
    ]);
    expect(validateAlertTarget('telegram', {})).toEqual(['target.botToken: required', 'target.chatId: required']);
    expect(validateAlertTarget('pager', {})).toEqual(['kind: must be telegram, slack or discord']);
    expect(validateAlertTarget('discord', { webhookUrl: 'https://example.test/hook' })).toEqual([]);
  });

  it('refuses hosts off the allow-list and built-in hosts that resolve inside', async () => {
    const none = { builtIn: ['hooks.slack.com'], trusted: [] };
    for (const url of [
      'http://127.0.0.1:9/hook',
      'http://169.254.169.254/latest/meta-data',
      'https://localhost/hook',
      'http://[::1]/hook',
      'https://hooks.slack.com.evil.example/x',
      'https://user:pw@hooks.slack.com/x',
      'file:///etc/passwd',
    ])
      expect(await checkAlertUrl(url, 'target.webhookUrl', none), url).toMatch(/^target\.webhookUrl: /);
    // A built-in host whose DNS answer is loopback (localhost stands in for a rebound name).
    const rebound = { builtIn: ['localhost'], trusted: [] };
    expect(await checkAlertUrl('https://localhost/hook', 'target.webhookUrl', rebound)).toMatch(/private, loopback/);
    expect(await checkAlertUrl('http://localhost/hook', 'target.webhookUrl', rebound)).toMatch(/https/);
    expect(alertHostPolicy({ ALERT_ALLOW_HOSTS: ' 127.0.0.1 , Example.org ' }).trusted).toEqual([
      '127.0.0.1',
      'example.org',
    ]);
  });

  it('sends nothing to a host that left the allow-list, and follows no redirect', async () => {
    const channels = await db.prisma.alertChannel.findMany();
    await db.prisma.alertChannel.updateMany({ data: { enabled: false } });
    const redirect = await db.prisma.alertChannel.create({
      data: { kind: 'slack', target: { webhookUrl: `${base}/redirect` }, minSeverity: 'info' },
    });
    try {
      arrivals.length = 0;
      const alerter = new Alerter(db);
      await sendVia(alerter, { sessionId: null, kind: 'x', severity: 'critical', message: 'via redirect' });
      expect(alerter.failed).toBe(1);
      expect(arrivals).toEqual([]);
      delete process.env.ALERT_ALLOW_HOSTS;
      await db.prisma.alertChannel.update({
        where: { id: redirect.id },
        data: { target: { webhookUrl: `${base}/slack` } },
      });
      await sendVia(alerter, { sessionId: null, kind: 'x', severity: 'critical', message: 'to loopback' });
      expect(alerter.failed).toBe(2);
      expect(arrivals).toEqual([]);
    } finally {
      process.env.ALERT_ALLOW_HOSTS = '127.0.0.1';
      await db.prisma.alertChannel.delete({ where: { id: redirect.id } });
      for (const c of channels)
        await db.prisma.alertChannel.update({ where: { id: c.id }, data: { enabled: c.enabled } });
    }
  });

  it('a sealed target is sent with the master key, and shown redacted', async () => {
    const box = new SecretBox(Buffer.alloc(32, 3), 'alert-targets');
    const target = { botToken: '123456:SECRET-bot-token-WXYZ', chatId: '77', apiBase: base };
    const stored = sealAlertTarget(box, 'telegram', target);
    expect(JSON.stringify(stored)).not.toContain('SECRET-bot-token');
    expect(shownAlertTarget('telegram', stored)).toEqual({ chatId: '77', botToken: '…WXYZ', apiBase: base });
    expect(shownAlertTarget('slack', { webhookUrl: 'https://hooks.slack.com/services/T0/B0/secret' })).toEqual({
      webhookUrl: 'https://hooks.slack.com/…',
    });
    const others = await db.prisma.alertChannel.findMany();
    await db.prisma.alertChannel.updateMany({ data: { enabled: false } });
    const row = await db.prisma.alertChannel.create({
      data: { kind: 'telegram', target: stored, minSeverity: 'info' },
    });
    try {
      arrivals.length = 0;
      await sendVia(new Alerter(db, { box }), { sessionId: null, kind: 'x', severity: 'info', message: 'sealed' });
      expect(arrivals.map((a) => a.path)).toEqual(['/bot123456:SECRET-bot-token-WXYZ/sendMessage']);
      const withoutKey = new Alerter(db);
      await sendVia(withoutKey, { sessionId: null, kind: 'x', severity: 'info', message: 'sealed' });
      expect(withoutKey.failed).toBe(1);
    } finally {
      await db.prisma.alertChannel.delete({ where: { id: row.id } });
      for (const c of others)
        await db.prisma.alertChannel.update({ where: { id: c.id }, data: { enabled: c.enabled } });
    }
  });
});

describe('alert queue', () => {
  /** A webhook on a fixed loopback port that can be taken down and brought back. */
  function webhook(port = 0) {
    const got: string[] = [];
    let srv: Server | undefined;
    return {
      got,
      get url() {
        return `http://127.0.0.1:${port}/hook`;
      },
      async up() {
        srv = createServer(async (req, res) => {
          got.push(String(JSON.parse(await readBody(req)).text));
          res.writeHead(200).end('ok');
        });
        await new Promise<void>((r) => srv?.listen(port, '127.0.0.1', r));
        port = (srv.address() as { port: number }).port;
      },
      async down() {
        await new Promise((r) => srv?.close(r));
      },
    };
  }

  async function onlyChannels(...urls: string[]) {
    await db.prisma.alertChannel.updateMany({ data: { enabled: false } });
    const ids: string[] = [];
    for (const url of urls)
      ids.push(
        (
          await db.prisma.alertChannel.create({
            data: { kind: 'slack', target: { webhookUrl: url }, minSeverity: 'info' },
          })
        ).id,
      );
    return async () => {
      await db.prisma.alertChannel.deleteMany({ where: { id: { in: ids } } });
      await db.prisma.alertChannel.updateMany({ data: { enabled: true } });
    };
  }

  it('an event recorded while its webhook is down loses nothing: it goes out once the webhook is back', async () => {
    const down = webhook();
    const up = webhook();
    await down.up();
    await up.up();
    await down.down();
    const restore = await onlyChannels(down.url, up.url);
    const alerter = new Alerter(db, { retryBaseMs: 200, retryMaxMs: 400 });
    try {
      await recordEvent(db.prisma, {
        sessionId: null,
        kind: 'entry_refused',
        severity: 'warn',
        message: 'queued while down',
        details: { why: 'test' },
      });
      expect(await db.prisma.riskEvent.count({ where: { message: 'queued while down' } })).toBe(1);
      alerter.start(50);
      // The live channel has it; the dead one is retried, with the failure noted without the URL.
      const waiting = await eventually(async () => {
        const row = await db.prisma.alertOutbox.findFirst({ where: { message: 'queued while down' } });
        return row && row.attempts >= 2 ? row : undefined;
      });
      expect(waiting.doneAt).toBeNull();
      expect(waiting.lastError).toMatch(/ECONNREFUSED/);
      expect(waiting.lastError).not.toContain('127.0.0.1');
      expect(up.got.filter((t) => t.includes('queued while down'))).toHaveLength(1);

      await down.up();
      await eventually(async () => down.got.some((t) => t.includes('queued while down')));
      const done = await eventually(() =>
        db.prisma.alertOutbox.findFirst({ where: { message: 'queued while down', doneAt: { not: null } } }),
      );
      expect(done.lastError).toBeNull();
      await new Promise((r) => setTimeout(r, 300));
      // Each channel got it exactly once.
      expect(down.got.filter((t) => t.includes('queued while down'))).toHaveLength(1);
      expect(up.got.filter((t) => t.includes('queued while down'))).toHaveLength(1);
    } finally {
      await alerter.stop();
      await down.down();
      await up.down();
      await restore();
    }
  });

  it('a fill is recorded without waiting on its alert, and a retried recording queues it once', async () => {
    // A webhook that never answers: an inline send would hold the recording for the sender's timeout.
    const hanging = createServer(() => undefined);
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    const restore = await onlyChannels(`http://127.0.0.1:${(hanging.address() as { port: number }).port}/hook`);
    const sim = await startSimulator({ port: 0, seed: 3, tickMs: 3_600_000, historyMinutes: 60 });
    try {
      const keys = { accessKey: 'alerts-test-access', secretKey: 'alerts-test-secret' };
      const admin = await fetch(`${sim.baseUrl.replace(/\/v1$/, '')}/admin/keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...keys, krw: '1000000', holdings: {} }),
      });
      expect(admin.status).toBeLessThan(300);
      const client = new UpbitClient({ baseUrl: sim.baseUrl, keys: async () => keys, maxRetries: 1 });
      const placed = await client.createOrder({
        market: 'KRW-BTC',
        side: 'bid',
        ord_type: 'price',
        price: '10000',
        identifier: 'alerts-fill-1',
      });
      const order = await eventually(async () => {
        const o = await client.getOrder({ uuid: placed.uuid });
        return o.trades.length > 0 ? o : undefined;
      });
      await db.prisma.session.create({
        data: { id: 's-fill', name: 's-fill', mode: 'sim', strategy: 'probe', status: 'running', config: {} },
      });
      const input = { orderId: 'alerts-fill-1', sessionId: 's-fill', positionId: null };
      const started = Date.now();
      await recordExchangeOrder({ db }, input, order);
      expect(Date.now() - started).toBeLessThan(2_000);
      // A retried activity records the same order again: no second alert.
      await recordExchangeOrder({ db }, input, order);
      const fills = await db.prisma.fill.count({ where: { orderId: 'alerts-fill-1' } });
      expect(fills).toBe(order.trades.length);
      const queued = await db.prisma.alertOutbox.findMany({ where: { kind: 'fill', sessionId: 's-fill' } });
      expect(queued.map((q) => q.dedupeKey).sort()).toEqual(order.trades.map((t) => `fill:${t.uuid}`).sort());
      expect(queued.every((q) => q.doneAt === null)).toBe(true);
    } finally {
      await sim.close();
      hanging.closeAllConnections();
      hanging.close();
      await restore();
    }
  }, 60_000);
});

async function eventually<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
