export * from './candles';
export * from './money';
export * from './quality';
export * from './ticks';
export * from './timeframes';
