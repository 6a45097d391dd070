import { describe, expect, it } from 'vitest';
import type { FeatureSnapshot } from '../../indicators';
import { evaluateMarket } from '../evaluate';
import { context, snapshot } from '../test-snapshot';
import { dualMomentum } from './dual-momentum';

const TS = Date.UTC(2026, 2, 10, 4);
/** 21 daily closes moving linearly from `from` to `to`. */
const line = (from: number, to: number) => Array.from({ length: 21 }, (_, i) => from + ((to - from) * i) / 20);
const snap = (market: string, closes: number[]) => snapshot(market, TS, { day: { closes, close: closes[20] } });
const btc = snap('KRW-BTC', line(100, 110)); // +10 %

function run(s: FeatureSnapshot, benchmark: FeatureSnapshot | null = btc, position?: object) {
  return evaluateMarket({
    strategy: dualMomentum,
    params: dualMomentum.defaults,
    snapshot: s,
    benchmark: benchmark ?? undefined,
    context: context(TS),
    ts: TS,
    position: position as never,
  });
}

describe('dual momentum', () => {
  it('buys a positive 20-day return that beats BTC by the margin', () => {
    const r = run(snap('KRW-X', line(100, 130)));
    expect(r.intents).toHaveLength(1);
    expect(r.intents[0].factors).toMatchObject({ returnPct: 30, relativePct: 20 });
    expect(run(snap('KRW-X', line(100, 111.9))).intents).toEqual([]); // beats BTC by 1.9 < 2 points
    expect(run(snap('KRW-X', line(100, 112))).intents).toHaveLength(1);
  });

  it('needs absolute momentum and a benchmark', () => {
    const falling = snap('KRW-X', line(100, 95));
    expect(run(falling, snap('KRW-BTC', line(100, 80))).intents).toEqual([]); // beats BTC but below cash
    expect(run(snap('KRW-X', line(100, 130)), null).intents).toEqual([]);
    expect(run(btc, btc).intents).toHaveLength(1); // the benchmark itself needs only absolute momentum
  });

  it('leaves when it trails BTC or turns negative', () => {
    const position = { market: 'KRW-X', entryPrice: 100, openedTs: TS - 86_400_000 };
    expect(run(snap('KRW-X', line(100, 105)), btc, position).intents).toMatchObject([{ kind: 'exit' }]);
    expect(run(snap('KRW-X', line(100, 120)), btc, position).intents).toEqual([]);
    expect(run(snap('KRW-X', line(100, 99)), snap('KRW-BTC', line(100, 90)), position).intents[0].reasons[0]).toMatch(
      /20-day return -1.00% < 0%/,
    );
  });
});
