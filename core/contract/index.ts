// The contract module: every shape that crosses a process or package boundary (workflow inputs, results,
// statuses, failure type names, risk-event kinds, ids, backtest requests). Types and constants only, no I/O:
// workflows, activities, the API, scripts and the dashboard (types only) all import it from here. The API's
// response shapes (./api.ts, which name the database's row types) are imported from their own file, so the
// workflow bundle never sees them.
export * from './backtest';
export * from './events';
export * from './ids';
export * from './orders';
export * from './positions';
export * from './sessions';
