import { describe, expect, it } from 'vitest';
import { DEFAULT_CANDLE_HISTORY_DAYS, readCandleHistoryDays } from './candles';

describe('CANDLE_HISTORY_DAYS', () => {
  it('defaults to 180 days and reads a number of days', () => {
    expect(readCandleHistoryDays({})).toBe(DEFAULT_CANDLE_HISTORY_DAYS);
    expect(readCandleHistoryDays({ CANDLE_HISTORY_DAYS: '365' })).toBe(365);
    expect(readCandleHistoryDays({ CANDLE_HISTORY_DAYS: '0.5' })).toBe(0.5);
  });

  it('refuses what is not a positive number of days, naming the variable', () => {
    for (const bad of ['0', '-3', 'abc', '100000'])
      expect(() => readCandleHistoryDays({ CANDLE_HISTORY_DAYS: bad })).toThrow(/CANDLE_HISTORY_DAYS/);
  });
});
