// The one workflowsPath bundle: every workflow function the workers register.
export { accountSnapshotWorkflow } from './account-snapshots';
export { backtestWorkflow } from './backtest';
export { candleCollectorWorkflow } from './candles';
export { orderWorkflow } from './order';
export { positionWorkflow } from './position';
export { retuneWorkflow } from './retune';
export { tradingSession } from './session';
export { universeWorkflow } from './universe';
