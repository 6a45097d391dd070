/** The bar lengths the engine works on; names follow Upbit's candle units. */
export type Timeframe = 'minute1' | 'minute5' | 'minute15' | 'minute60' | 'minute240' | 'day';

export const TIMEFRAMES: readonly Timeframe[] = ['minute1', 'minute5', 'minute15', 'minute60', 'minute240', 'day'];
