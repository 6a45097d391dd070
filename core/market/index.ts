export * from './candles';
export * from './money';
export * from './ticks';
export * from './timeframes';
