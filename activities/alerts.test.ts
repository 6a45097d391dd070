import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../prisma/db';
import { alertHostPolicy, checkAlertUrl, sealAlertTarget, shownAlertTarget } from '../security/alert-targets';
import { SecretBox } from '../security/secret-box';
import { Alerter, formatAlert, validateAlertTarget } from './alerts';

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

describe('Alerter', () => {
  it('posts each channel kind in its own format, filtered by severity', async () => {
    arrivals.length = 0;
    const alerter = new Alerter(db);
    await alerter.send({ sessionId: 's1', kind: 'daily_loss_limit', severity: 'warn', message: 'entries halted' });
    const text = formatAlert({
      sessionId: 's1',
      kind: 'daily_loss_limit',
      severity: 'warn',
      message: 'entries halted',
    });
    expect(arrivals).toHaveLength(2); // discord wants critical only
    expect(arrivals).toContainEqual({ path: '/botT0K/sendMessage', body: { chat_id: '42', text } });
    expect(arrivals).toContainEqual({ path: '/slack', body: { text } });
    await alerter.send({ sessionId: null, kind: 'fill', severity: 'info', message: 'bought' });
    expect(arrivals).toHaveLength(2);
    await alerter.send({ sessionId: null, kind: 'emergency_flatten', severity: 'critical', message: 'stop' });
    expect(arrivals).toHaveLength(5);
    expect(arrivals.find((a) => a.path === '/discord')?.body.content).toContain('emergency_flatten');
  });

  it('rate-limits a storm per channel and reports what it held back', async () => {
    arrivals.length = 0;
    let now = 1_000_000;
    const alerter = new Alerter(db, { burst: 3, perMinute: 6, now: () => now });
    for (let i = 0; i < 40; i++) {
      await alerter.send({ sessionId: null, kind: 'reconnect', severity: 'warn', message: `storm ${i}` });
    }
    const slack = () => arrivals.filter((a) => a.path === '/slack');
    expect(slack()).toHaveLength(3);
    now += 60_000; // a minute refills 6 tokens
    await alerter.send({ sessionId: null, kind: 'reconnect', severity: 'warn', message: 'after the storm' });
    expect(slack()).toHaveLength(4);
    expect(String(slack()[3].body.text)).toContain('+37 earlier alerts held back');
    // An emergency stop in the middle of a storm is not held back.
    for (let i = 0; i < 10; i++)
      await alerter.send({ sessionId: null, kind: 'reconnect', severity: 'warn', message: 'x' });
    await alerter.send({ sessionId: null, kind: 'emergency_flatten', severity: 'critical', message: 'stop' });
    expect(String(slack().at(-1)?.body.text)).toContain('emergency_flatten');
  });

  it('a failing webhook does not throw and is counted', async () => {
    failNext = 2;
    const alerter = new Alerter(db);
    await expect(alerter.send({ sessionId: null, kind: 'x', severity: 'warn', message: 'y' })).resolves.toBeUndefined();
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
      await alerter.send({ sessionId: null, kind: 'x', severity: 'critical', message: 'via redirect' });
      expect(alerter.failed).toBe(1);
      expect(arrivals).toEqual([]);
      delete process.env.ALERT_ALLOW_HOSTS;
      await db.prisma.alertChannel.update({
        where: { id: redirect.id },
        data: { target: { webhookUrl: `${base}/slack` } },
      });
      await alerter.send({ sessionId: null, kind: 'x', severity: 'critical', message: 'to loopback' });
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
      await new Alerter(db, { box }).send({ sessionId: null, kind: 'x', severity: 'info', message: 'sealed' });
      expect(arrivals.map((a) => a.path)).toEqual(['/bot123456:SECRET-bot-token-WXYZ/sendMessage']);
      const withoutKey = new Alerter(db);
      await withoutKey.send({ sessionId: null, kind: 'x', severity: 'info', message: 'sealed' });
      expect(withoutKey.failed).toBe(1);
    } finally {
      await db.prisma.alertChannel.delete({ where: { id: row.id } });
      for (const c of others)
        await db.prisma.alertChannel.update({ where: { id: c.id }, data: { enabled: c.enabled } });
    }
  });
});
