import { describe, expect, it } from 'vitest';
import { coverageLabel, defaultsFromCoverage, type SeriesCoverage, timeframesWithData } from './backtest-defaults';

const at = (s: string) => Date.parse(`${s}Z`);
// What `npm start` loads from samples/candles.
const SAMPLE: SeriesCoverage[] = [
  {
    market: 'KRW-BTC',
    timeframe: 'minute60',
    first: at('2024-01-01T00:00'),
    last: at('2025-09-29T23:00'),
    count: 15290,
  },
  {
    market: 'KRW-ETH',
    timeframe: 'minute15',
    first: at('2023-12-31T22:00'),
    last: at('2024-12-30T23:45'),
    count: 34152,
  },
  {
    market: 'KRW-ETH',
    timeframe: 'minute60',
    first: at('2024-01-01T00:00'),
    last: at('2025-09-29T23:00'),
    count: 15289,
  },
  {
    market: 'KRW-XRP',
    timeframe: 'minute60',
    first: at('2024-01-01T00:00'),
    last: at('2025-09-29T23:00'),
    count: 15288,
  },
];

describe('backtest form defaults from stored candles', () => {
  it("suggests the longest series' timeframe, its markets and the last 180 days they all cover", () => {
    expect(defaultsFromCoverage(SAMPLE)).toEqual({
      markets: ['KRW-ETH'],
      timeframe: 'minute15',
      from: '2024-07-03',
      to: '2024-12-31',
    });
    const hourly = SAMPLE.filter((c) => c.timeframe === 'minute60');
    expect(defaultsFromCoverage(hourly)).toEqual({
      markets: ['KRW-BTC', 'KRW-ETH', 'KRW-XRP'],
      timeframe: 'minute60',
      from: '2025-04-02',
      to: '2025-09-30',
    });
  });

  it('keeps only markets whose spans overlap, and suggests nothing without candles', () => {
    const apart: SeriesCoverage[] = [
      { market: 'KRW-A', timeframe: 'day', first: at('2020-01-01T00:00'), last: at('2020-12-31T00:00'), count: 366 },
      { market: 'KRW-B', timeframe: 'day', first: at('2022-01-01T00:00'), last: at('2022-03-01T00:00'), count: 60 },
    ];
    expect(defaultsFromCoverage(apart)?.markets).toEqual(['KRW-A']);
    expect(defaultsFromCoverage([])).toBeUndefined();
    expect(defaultsFromCoverage([{ ...apart[0], timeframe: 'minute3' }])).toBeUndefined();
  });

  it('offers the timeframes that have data, all of them while nothing is stored', () => {
    expect(timeframesWithData(SAMPLE)).toEqual(['minute15', 'minute60']);
    expect(timeframesWithData([])).toHaveLength(6);
    expect(timeframesWithData(undefined)).toHaveLength(6);
    expect(coverageLabel(SAMPLE[1])).toBe('2023-12-31 → 2024-12-30, 34,152 candles');
  });
});
