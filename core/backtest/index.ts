// The backtester: engine, fill model, metrics and research (search, walk-forward, Monte Carlo).
export * from './compact';
export * from './engine';
export * from './fill';
export * from './metrics';
export * from './montecarlo';
export * from './random';
export * from './research';
export type * from './result';
export * from './search';
export * from './synthetic';
export * from './walkforward';
