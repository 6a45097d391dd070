// The live-update stream against the real API and database: a risk event recorded by the same code the
// workers use reaches a signed-in listener within a second; without a token there is no stream; the
// server's close ends open streams instead of waiting for them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../api/routes/live';
import { recordEvent } from '../prisma/repositories/events';
import { type Stack, startStack } from './stack';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

interface Received {
  type: string;
  data: LiveEvent;
  at: number;
}

/** Opens the stream and collects its events until `abort`. */
async function listen(headers: Record<string, string>, signal: AbortSignal) {
  const res = await fetch(`${stack.apiUrl}/api/events/stream`, { headers, signal });
  const events: Received[] = [];
  let raw = '';
  const done = (async () => {
    if (!res.ok || !res.body) return;
    const decoder = new TextDecoder();
    try {
      const reader = res.body.getReader();
      for (;;) {
        const { value, done: ended } = await reader.read();
        if (ended) break;
        raw += decoder.decode(value, { stream: true });
        let end = raw.indexOf('\n\n');
        while (end >= 0) {
          const block = raw.slice(0, end);
          raw = raw.slice(end + 2);
          const type = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (type && data) events.push({ type, data: JSON.parse(data) as LiveEvent, at: Date.now() });
          end = raw.indexOf('\n\n');
        }
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  })();
  return { res, events, done };
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('live updates', () => {
  it('pushes a new risk event to a signed-in listener within a second', async () => {
    const abort = new AbortController();
    const { res, events, done } = await listen(await stack.authHeaders(), abort.signal);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    // The security headers hold for the stream too.
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    // Let the poller take its first look, so the event is news to it.
    await new Promise((r) => setTimeout(r, 500));

    const before = Date.now();
    await recordEvent(stack.db.prisma, {
      sessionId: null,
      kind: 'stream_reconnect',
      severity: 'warn',
      message: 'live stream test',
    });
    const written = await stack.db.prisma.riskEvent.findFirstOrThrow({ where: { message: 'live stream test' } });
    const got = await waitFor(
      () => events.find((e) => e.type === 'risk_event' && e.data.ids.includes(written.id)),
      3_000,
    );
    expect(got, 'the risk event reached the stream').toBeDefined();
    const latency = (got?.at ?? Infinity) - before;
    console.log(`risk event -> stream: ${latency} ms`);
    expect(latency).toBeLessThan(1_000);
    // Reported once, not again on the next rounds.
    await new Promise((r) => setTimeout(r, 700));
    expect(events.filter((e) => e.data.ids.includes(written.id))).toHaveLength(1);
    abort.abort();
    await done;
  });

  it('tells of a changed order and a session, naming their session', async () => {
    const abort = new AbortController();
    const { events, done } = await listen(await stack.authHeaders(), abort.signal);
    await new Promise((r) => setTimeout(r, 500));
    const session = await stack.db.prisma.session.create({
      data: { id: 'live000001', name: 'live', mode: 'sim', strategy: 'probe', status: 'running', config: {} },
    });
    const order = await stack.db.prisma.order.create({
      data: {
        id: 'order-live-1',
        sessionId: session.id,
        market: 'KRW-BTC',
        side: 'bid',
        ordType: 'limit',
        price: '100000000',
        volume: '0.001',
        identifier: 'live-test-1',
        state: 'wait',
      },
    });
    const first = await waitFor(() => events.find((e) => e.type === 'order' && e.data.ids.includes(order.id)), 2_000);
    expect(first?.data.sessionIds).toEqual([session.id]);
    expect(await waitFor(() => events.find((e) => e.type === 'session'), 2_000)).toBeDefined();
    // The same order changing again is news again.
    await stack.db.prisma.order.update({ where: { id: order.id }, data: { state: 'done' } });
    expect(
      await waitFor(() => {
        const seen = events.filter((e) => e.type === 'order' && e.data.ids.includes(order.id));
        return seen.length >= 2 ? seen : undefined;
      }, 2_000),
    ).toBeDefined();
    abort.abort();
    await done;
  });

  it('refuses a listener without a token', async () => {
    const res = await fetch(`${stack.apiUrl}/api/events/stream`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    const bad = await fetch(`${stack.apiUrl}/api/events/stream`, { headers: { authorization: 'Bearer nonsense' } });
    expect(bad.status).toBe(401);
  });

  // Last: it closes the API.
  it('ends open streams when the server closes, instead of waiting for them', async () => {
    const { res, done } = await listen(await stack.authHeaders(), new AbortController().signal);
    expect(res.status).toBe(200);
    const started = Date.now();
    await stack.api.close();
    await done; // the body ended
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
