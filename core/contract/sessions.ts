// What crosses the boundary of a trading Session workflow: its status (the API's session view) and its decisions.
import type { SessionConfig } from '../session/config';

export type SessionRunStatus = 'starting' | 'running' | 'paused' | 'halted' | 'stopped';
export type EmergencyMode = 'halt' | 'flatten';

export interface DecisionView {
  market: string;
  action: 'entry' | 'exit' | 'skip';
  score: number | null;
  reasons: string[];
  ts: number;
}

export interface SessionStatus {
  sessionId: string;
  status: SessionRunStatus;
  paused: boolean;
  halted: boolean;
  emergency: EmergencyMode | null;
  openPositions: { positionId: string; market: string }[];
  closedPositions: number;
  lastDecisions: DecisionView[];
  risk: unknown;
  evaluations: number;
  lastEvaluationTs: number | null;
  config: SessionConfig;
  runsSoFar: number;
}

/** Why a config update was made, when a job (not a person) made it: stored with the config history row. */
export interface ConfigChangeNote {
  /** e.g. 'retune-applied'; default 'updateConfig'. */
  reason: string;
  evidence?: Record<string, unknown>;
}
