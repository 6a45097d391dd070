// The session's entry decision for one evaluation, without Temporal: the risk-state update from the BTC
// price, then core/decision's decideEntries with the session's carried state and position ids. The
// workflow calls it and only applies the result (starts Position children, records decisions); the
// parity test (workflows/session-decision.test.ts) runs it against the backtester. Pure.
import {
  type AccountView,
  type DecisionState,
  decideEntries,
  type EntryDecision,
  type EntryEvaluation,
} from '../core/decision';
import { onBtcPrice } from '../core/risk/limits';
import type { RiskConfig } from '../core/risk/types';
import { positionWorkflowId } from './ids';

/** The part of the evaluation activity's result the entry decision reads. */
export interface SessionEvaluation {
  candidates: EntryEvaluation[];
  bars?: Record<string, number>;
  account: AccountView;
  /** Last KRW-BTC price, for the volatility halt. */
  btcPrice?: number | null;
}

export function decideSessionEntries(
  sessionId: string,
  state: DecisionState,
  ev: SessionEvaluation,
  riskConfig: RiskConfig,
  now: number,
): EntryDecision {
  const risk = ev.btcPrice ? onBtcPrice(state.risk, ev.btcPrice, now, riskConfig) : state.risk;
  return decideEntries(
    { ...state, risk },
    { candidates: ev.candidates, bars: ev.bars ?? {} },
    ev.account,
    { risk: riskConfig, positionIdOf: (market, n) => positionWorkflowId(sessionId, market, n) },
    now,
  );
}
