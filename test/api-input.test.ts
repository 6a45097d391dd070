// Bad input at the API: a clear 4xx naming the field, nothing created, nothing crashes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './stack';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function send(method: string, path: string, body?: string, contentType = 'application/json') {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { ...(await stack.authHeaders()), ...(body === undefined ? {} : { 'content-type': contentType }) },
    body,
  });
  return { status: res.status, body: (await res.json()) as { error?: string; message?: string } };
}

describe('API bad input', () => {
  it('unknown route -> 404 with the route named', async () => {
    const r = await send('GET', '/api/nope');
    expect(r.status).toBe(404);
    expect(r.body.message).toContain('/api/nope');
  });

  it('malformed JSON -> 400', async () => {
    const r = await send('POST', '/api/sessions', '{"name": "demo",');
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('Bad Request');
  });

  it('missing name -> 400 naming the field', async () => {
    const r = await send('POST', '/api/sessions', '{}');
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('name');
  });

  it('wrong types and unknown fields in the config -> 400 naming each field', async () => {
    const r = await send(
      'POST',
      '/api/sessions',
      JSON.stringify({ name: 'x', config: { loopIntervalSec: 'fast', markets: ['BTC'], nonsense: 1 } }),
    );
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('loopIntervalSec');
    expect(r.body.message).toContain('markets');
    expect(r.body.message).toContain('nonsense');
  });

  it('unknown strategy and bad risk settings -> 400', async () => {
    const r = await send('POST', '/api/sessions', JSON.stringify({ name: 'x', strategy: 'moonshot' }));
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('moonshot');
    const r2 = await send(
      'POST',
      '/api/sessions',
      JSON.stringify({ name: 'x', config: { risk: { riskPerTradePct: -5 } } }),
    );
    expect(r2.status).toBe(400);
    expect(r2.body.message).toContain('riskPerTradePct');
  });

  it('live mode without the double-confirmed opt-in -> 400', async () => {
    const r = await send('POST', '/api/sessions', JSON.stringify({ name: 'x', mode: 'live' }));
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('liveConfirmed');
  });

  it('emergency stop needs the confirmation and a known session', async () => {
    const missing = await send(
      'POST',
      '/api/sessions/abc/emergency-stop',
      JSON.stringify({ mode: 'halt', confirm: 'abc' }),
    );
    expect(missing.status).toBe(404);
    const badMode = await send('POST', '/api/emergency-stop', JSON.stringify({ mode: 'panic', confirm: 'STOP ALL' }));
    expect(badMode.status).toBe(400);
    expect(badMode.body.message).toContain('mode');
    const unconfirmed = await send('POST', '/api/emergency-stop', JSON.stringify({ mode: 'halt', confirm: 'yes' }));
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body.message).toContain('confirm');
  });

  it('the demo preset in live mode -> 400, before any live gate is asked', async () => {
    for (const path of ['/api/sessions', '/api/sessions/live-confirmation']) {
      const r = await send('POST', path, JSON.stringify({ name: 'x', preset: 'demo', mode: 'live' }));
      expect(r.status).toBe(400);
      expect(r.body.message).toBe('preset: the demo preset cannot run in live mode');
    }
  });

  it('markets the exchange does not list -> 400 naming them', async () => {
    const r = await send(
      'POST',
      '/api/sessions',
      JSON.stringify({ name: 'x', config: { markets: ['KRW-BTC', 'KRW-NOPE'] } }),
    );
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/^markets: KRW-NOPE is not listed on the sim exchange/);
  });

  it('nothing was created by the bad requests', async () => {
    expect(await stack.db.prisma.session.count()).toBe(0);
  });

  it('a config change to markets the exchange does not list -> 400, before the workflow is asked', async () => {
    await stack.db.prisma.session.create({
      data: { id: 'cfgcheck01', name: 'x', mode: 'sim', strategy: 'probe', status: 'running', config: {} },
    });
    const r = await send('PATCH', '/api/sessions/cfgcheck01/config', JSON.stringify({ markets: ['KRW-NOPE'] }));
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('KRW-NOPE');
    await stack.db.prisma.session.delete({ where: { id: 'cfgcheck01' } });
  });

  it('health reports every part', async () => {
    const r = await fetch(`${stack.apiUrl}/api/health`, { headers: await stack.authHeaders() });
    const body = (await r.json()) as Record<string, string>;
    expect(body).toMatchObject({ status: 'ok', temporal: 'ok', db: 'ok', exchange: 'ok', mode: 'sim' });
  });

  it('serves OpenAPI docs', async () => {
    const r = await fetch(`${stack.apiUrl}/api/docs/json`);
    expect(r.status).toBe(200);
    const doc = (await r.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain('/api/sessions');
  });
});
