import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../prisma/db';
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
  db = await openDatabase({ databaseUrl: 'memory://' });
  server = createServer(async (req, res) => {
    const body = JSON.parse(await readBody(req));
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
});
