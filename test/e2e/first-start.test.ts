// What a newcomer does right after `npm start`: the sample candles are in the database (loaded once), the
// dashboard's backtest form gets its defaults from GET /api/candles/coverage and its first backtest runs and
// trades; a session for a market the exchange does not list is refused with a clear 400.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSessionConfig } from '../../core/session/config';
import { loadSampleCandles } from '../../exchange/marketdata/sample';
import { defaultsFromCoverage, type SeriesCoverage } from '../../web/src/backtest-defaults';
import { sessionWorkflowId, TASK_QUEUE_TRADING } from '../../workflows/ids';
import { eventually, type Stack, startStack } from '../stack';

let stack: Stack;
const stderr: string[] = [];

async function api<T = Record<string, unknown>>(method: string, path: string, body?: unknown) {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { ...(await stack.authHeaders()), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

beforeAll(async () => {
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    stderr.push(String(chunk));
    return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  stack = await startStack();
  await stack.startWorkers();
});

afterAll(async () => {
  await stack?.stop();
});

describe('first start', () => {
  it('loads the sample candles into an empty database once, and the coverage route lists them', async () => {
    expect(await api<SeriesCoverage[]>('GET', '/api/candles/coverage')).toEqual({ status: 200, body: [] });
    const loaded = await loadSampleCandles(stack.db);
    expect(loaded.map((l) => `${l.market} ${l.timeframe}`)).toEqual([
      'KRW-BTC minute60',
      'KRW-ETH minute15',
      'KRW-ETH minute60',
      'KRW-XRP minute60',
    ]);
    expect(loaded.every((l) => l.inserted > 15_000)).toBe(true);
    expect(await loadSampleCandles(stack.db)).toEqual([]); // a second start loads nothing
    const coverage = await api<SeriesCoverage[]>('GET', '/api/candles/coverage');
    expect(coverage.status).toBe(200);
    expect(coverage.body.map((c) => [c.market, c.timeframe, c.count])).toEqual(
      loaded.map((l) => [l.market, l.timeframe, l.inserted]),
    );
    const eth15 = coverage.body.find((c) => c.market === 'KRW-ETH' && c.timeframe === 'minute15');
    expect(new Date(eth15?.first ?? 0).toISOString()).toBe('2023-12-31T22:00:00.000Z');
    expect(new Date(eth15?.last ?? 0).toISOString()).toBe('2024-12-30T23:45:00.000Z');
  });

  it("runs the backtest form's defaults with the default strategy, without a kind, and it trades", async () => {
    const coverage = await api<SeriesCoverage[]>('GET', '/api/candles/coverage');
    const d = defaultsFromCoverage(coverage.body);
    expect(d).toBeDefined();
    if (!d) return;
    const res = await api<{ id: string }>('POST', '/api/backtests', {
      strategy: 'pullback',
      markets: d.markets,
      timeframe: d.timeframe,
      from: d.from,
      to: d.to,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const run = await eventually(
      async () => {
        const { body } = await api<{ status: string; kind: string; metrics?: { trades: number }; error?: string }>(
          'GET',
          `/api/backtests/${res.body.id}`,
        );
        return body.status !== 'running' && body;
      },
      180_000,
      'the backtest to finish',
    );
    expect(run.error).toBeUndefined();
    expect(run).toMatchObject({ status: 'completed', kind: 'backtest' });
    expect(run.metrics?.trades).toBeGreaterThan(0);
  });

  it('refuses a session for a market the exchange does not list, naming it, and starts nothing', async () => {
    const before = await stack.db.prisma.session.count();
    const res = await api<{ message: string }>('POST', '/api/sessions', {
      name: 'typo',
      config: { markets: ['KRW-BTC', 'KRW-NOPE'] },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/KRW-NOPE/);
    expect(res.body.message).not.toMatch(/KRW-BTC/);
    expect(await stack.db.prisma.session.count()).toBe(before);
  });

  it('logs a failing evaluation in one line per attempt, without a stack trace', async () => {
    // The API refuses such a session now; one started behind its back (or a market delisted later) still fails
    // each evaluation, and that must read as one line, not a stack trace every few seconds.
    const id = 'nomarket1';
    const config = { ...defaultSessionConfig('no market', 'probe'), mode: 'sim' as const, markets: ['KRW-NOPE'] };
    await stack.db.prisma.session.create({
      data: {
        id,
        name: config.name,
        mode: 'sim',
        strategy: config.strategy,
        status: 'starting',
        config: config as object,
      },
    });
    const from = stderr.length;
    const handle = await stack.client.workflow.start('tradingSession', {
      workflowId: sessionWorkflowId(id),
      taskQueue: TASK_QUEUE_TRADING,
      args: [{ sessionId: id, config }],
    });
    const lines = await eventually(
      async () => {
        const out = stderr.slice(from).join('').split('\n');
        return out.filter((l) => l.includes('KRW-NOPE')).length >= 2 && out;
      },
      40_000,
      'failed evaluations to be logged',
    );
    await handle.terminate('test over');
    const failures = lines.filter((l) => l.includes('KRW-NOPE'));
    expect(failures[0]).toMatch(/ WARN .*workflowId=session-nomarket1/);
    expect(lines.filter((l) => /^\s+at /.test(l))).toEqual([]);
  });
});
