export * from './money';
export * from './ticks';
