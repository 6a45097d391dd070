// The TradingSession workflow's state shared by its steps (session-positions.ts, session-evaluate.ts,
// session-emergency.ts): the carry that continue-as-new hands on, the config (replaced by an update), an emergency
// stop not yet applied; and the activity proxies.
import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { DEFAULT_RISK_CONFIG } from '../core/risk';
import type { RiskConfig, RiskState } from '../core/risk/types';
import { type SessionConfig, sessionRiskConfig } from '../core/session/config';
import type { DecisionView, EmergencyMode, SessionRunStatus } from './definitions';
import { SA_SESSION_STATUS } from './search-attributes';

// Records and reconciliation retry until the exchange and the database answer again.
export const acts = proxyActivities<Activities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

export interface SessionCarry {
  status: SessionRunStatus;
  paused: boolean;
  emergency: EmergencyMode | null;
  open: Record<string, { market: string }>;
  positionSeq: Record<string, number>;
  closedPositions: number;
  lastDecisions: DecisionView[];
  risk: RiskState;
  evaluations: number;
  lastEvaluationTs: number | null;
  runsSoFar: number;
  /** Per market: open time of the newest entry-timeframe bar an evaluation judged (each bar decides once). */
  judgedBars?: Record<string, number>;
}

export interface SessionInput {
  sessionId: string;
  config: SessionConfig;
  carry?: SessionCarry;
}

export interface SessionContext {
  sessionId: string;
  /** The session's config; an accepted updateConfig replaces it. */
  config: SessionConfig;
  /** What continue-as-new carries into the next run. */
  state: SessionCarry;
  /** An emergency stop signalled and not yet applied. */
  pendingEmergency: EmergencyMode | null;
  /** When the open positions were last checked (see WATCH_POSITIONS). */
  lastWatchTs: number;
}

export function riskConfigOf(config: SessionConfig): RiskConfig {
  const parsed = sessionRiskConfig(config);
  return parsed.ok ? parsed.value : DEFAULT_RISK_CONFIG;
}

export async function setStatus(ctx: SessionContext, status: SessionRunStatus) {
  if (ctx.state.status === status) return;
  ctx.state.status = status;
  upsertSearchAttributes([{ key: SA_SESSION_STATUS, value: status }]);
  await acts.recordSessionStatus({ sessionId: ctx.sessionId, status });
}
