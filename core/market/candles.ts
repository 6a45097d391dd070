/** One OHLCV bar. `ts` is the bar's open time in UTC milliseconds; `value` is traded KRW when known. */
export type Candle = {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  value?: number;
};
