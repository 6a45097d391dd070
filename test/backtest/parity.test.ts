// Parity: a `sim` probe session trades a few minutes on the simulator; the 1-minute candles it traded on are
// downloaded from the simulator into the database; the backtest workflow replays them with the same strategy,
// parameters and risk settings. Entries must come from the same bars for the same reasons.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tickSize } from '../../core/market';
import { downloadCandles } from '../../exchange/marketdata/download';
import { loadCandles } from '../../exchange/marketdata/load';
import { eventually, type Stack, startStack } from '../stack';

let stack: Stack;
const MARKETS = ['KRW-XRP', 'KRW-ETH', 'KRW-DOGE', 'KRW-ADA'];
const MINUTE = 60_000;
/** Real (= simulator) time the session trades. */
const TRADE_MS = 130_000;

async function api<T = Record<string, unknown>>(method: string, path: string, body?: unknown) {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

beforeAll(async () => {
  stack = await startStack();
  await stack.startWorkers();
});

afterAll(async () => {
  await stack?.stop();
});

interface BacktestTradeView {
  market: string;
  entryTs: number;
  exitTs: number;
  entryPrice: string;
  exitPrice: string;
  entryReason: string;
  exitReason: string;
}

describe('live session and backtest agree', () => {
  it('enters on the same bars for the same reasons, with live prices inside the bar the backtest buys at the open of', async () => {
    // Start early in a minute so the session's first evaluation (after its warm-up) judges the bar that closed
    // at the start of this minute, the first bar the backtest judges too.
    while (Date.now() % MINUTE > 15_000) await new Promise((r) => setTimeout(r, 1000));
    const startTs = Date.now();
    const params = { targetPct: 1 };
    const created = await api<{ id: string }>('POST', '/api/sessions', {
      name: 'parity',
      strategy: 'probe',
      config: {
        markets: MARKETS,
        strategyParams: params,
        loopIntervalSec: 2,
        order: { timeoutSec: 10, fallbackToMarket: true, maxSlippagePct: 5 },
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const sessionId = created.body.id;
    await new Promise((r) => setTimeout(r, TRADE_MS));
    const stop = await api('POST', `/api/sessions/${sessionId}/emergency-stop`, { mode: 'halt', confirm: sessionId });
    expect(stop.status).toBe(202);
    const endTs = Date.now();

    const decisions = await stack.db.prisma.decision.findMany({
      where: { sessionId, action: 'entry' },
      orderBy: { createdAt: 'asc' },
    });
    const positions = await stack.db.prisma.position.findMany({ where: { sessionId }, orderBy: { openedAt: 'asc' } });
    expect(decisions.length).toBeGreaterThan(0);

    // The candles the session traded on, from the simulator into the candles table (with warm-up history).
    const tradeFrom = Math.floor(startTs / MINUTE) * MINUTE;
    const to = Math.floor(endTs / MINUTE) * MINUTE;
    const from = tradeFrom - 120 * MINUTE;
    for (const market of MARKETS)
      await downloadCandles({
        client: stack.exchange('sim'),
        db: stack.db,
        market,
        timeframe: 'minute1',
        from,
        to,
        source: 'sim',
      });
    const bars = await loadCandles(stack.db, { markets: MARKETS, timeframe: 'minute1', from, to });
    const barAt = (market: string, ts: number) => bars[market].find((b) => b.ts === ts);

    const launched = await api<{ id: string }>('POST', '/api/backtests', {
      kind: 'backtest',
      strategy: 'probe',
      params,
      markets: MARKETS,
      timeframe: 'minute1',
      from: tradeFrom,
      to,
      capitalKrw: '10000000',
      // The session buys with a limit at the bid; the backtest's market fill is the next open, unslipped.
      slippageBps: 0,
    });
    expect(launched.status, JSON.stringify(launched.body)).toBe(202);
    const run = await eventually(
      async () => {
        const r = (
          await api<{ status: string; trades?: BacktestTradeView[] }>('GET', `/api/backtests/${launched.body.id}`)
        ).body;
        return r.status !== 'running' && r;
      },
      60_000,
      'the parity backtest',
    );
    expect(run.status).toBe('completed');
    const trades = run.trades ?? [];

    // Each live entry judged the last bar closed before it; where the backtest was flat in that market then, it
    // entered on the same bar (at that bar's close = the next bar's open) for the same reason.
    let compared = 0;
    const priceGaps: number[] = [];
    for (const d of decisions) {
      const barClose = Math.floor(d.createdAt.getTime() / MINUTE) * MINUTE;
      if (barClose >= to) continue;
      const reason = (d.reasons as string[])[0];
      const bar = barAt(d.market, barClose - MINUTE);
      expect(bar, `${d.market} bar ${new Date(barClose - MINUTE).toISOString()}`).toBeDefined();
      // The live reason quotes the bar's close and open: the downloaded candle is the one it saw.
      expect(reason).toBe(`probe: last 1m bar closed at ${bar?.close} >= open ${bar?.open}`);
      const holding = trades.some((t) => t.market === d.market && t.entryTs < barClose && t.exitTs > barClose);
      if (holding) continue;
      const twin = trades.find((t) => t.market === d.market && t.entryTs === barClose);
      expect(twin, `backtest entry on ${d.market} at ${new Date(barClose).toISOString()}`).toBeDefined();
      expect(twin?.entryReason).toContain(reason);
      const live = positions.find((p) => p.market === d.market && p.openedAt >= d.createdAt);
      const entryBar = barAt(d.market, barClose);
      if (live?.entryPrice && twin && entryBar) {
        // The live buy filled during the bar the backtest buys at the open of.
        expect(live.entryPrice.toNumber()).toBeGreaterThanOrEqual(entryBar.low);
        expect(live.entryPrice.toNumber()).toBeLessThanOrEqual(entryBar.high);
        const gap =
          Math.abs(live.entryPrice.toNumber() - Number(twin.entryPrice)) / tickSize('KRW', twin.entryPrice).toNumber();
        priceGaps.push(gap);
      }
      compared += 1;
    }
    expect(compared).toBeGreaterThan(0);
    // And the other way: every backtest entry made while the session was flat in that market, the session made too.
    for (const t of trades) {
      if (t.entryTs > to - MINUTE) continue;
      const liveHolding = positions.some(
        (p) =>
          p.market === t.market &&
          p.openedAt.getTime() < t.entryTs &&
          (!p.closedAt || p.closedAt.getTime() > t.entryTs),
      );
      if (liveHolding) continue;
      const twin = decisions.find(
        (d) => d.market === t.market && Math.floor(d.createdAt.getTime() / MINUTE) * MINUTE === t.entryTs,
      );
      expect(twin, `live entry on ${t.market} at ${new Date(t.entryTs).toISOString()}`).toBeDefined();
    }
    // Where prices cannot match exactly: the session buys with a limit order at the best bid a few seconds after
    // the bar closed (sometimes partly filled, then topped up at market after its timeout, so its average may sit
    // between ticks); the backtest buys at market at the next bar's open. Both lie inside the entry bar (checked
    // above); the gap is the spread plus the move during the session's latency: measured 0 to 2.5 ticks over four
    // runs, so it is printed, not held to one tick. Exits are not compared: with the probe's 1 % target no
    // position closes within the few minutes a test can trade, and the backtest sells what it holds at its end.
    console.log(`parity: ${compared} entries on the same bars; entry price gaps in ticks ${JSON.stringify(priceGaps)}`);
  }, 300_000);
});
