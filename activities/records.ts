// Database writes of the trading workflows: each is an upsert or an append keyed so that a retried
// activity leaves the same rows.

import type { DecisionView, RiskEventRecord, SessionRunStatus } from '../core/contract';
import type { SessionConfig } from '../core/session/config';
import { appendDecisions } from '../prisma/repositories/decisions';
import { recordEvent } from '../prisma/repositories/events';
import { positionStatus, savePosition } from '../prisma/repositories/positions';
import { setSessionConfig, setSessionStatus } from '../prisma/repositories/sessions';
import type { ActivityDeps } from './deps';

export interface PositionRecord {
  positionId: string;
  sessionId: string;
  market: string;
  status: 'entering' | 'open' | 'closing' | 'closed';
  entryPrice?: string;
  volume?: string;
  remainingVolume?: string;
  realizedPnl?: string;
  fees?: string;
  /** Average price of what the exits sold so far. */
  avgExitPrice?: string;
  exitPlan?: unknown;
  exitReason?: string;
  closed?: boolean;
}

export type { RiskEventRecord } from '../core/contract';

export function createRecordActivities({ db }: ActivityDeps) {
  return {
    async recordPosition(p: PositionRecord): Promise<void> {
      // The close and its alert in one transaction; alerted once per position (a retried activity
      // finds the status already written, and the queue takes one alert per key). Only a close reads the status
      // first: the entry's row is written on the way to its order.
      const closing = p.status === 'closed' && (await positionStatus(db.prisma, p.positionId)) !== 'closed';
      await savePosition(
        db.prisma,
        { id: p.positionId, sessionId: p.sessionId, market: p.market },
        {
          status: p.status,
          entryPrice: p.entryPrice,
          volume: p.volume,
          remainingVolume: p.remainingVolume,
          realizedPnl: p.realizedPnl,
          fees: p.fees,
          avgExitPrice: p.avgExitPrice,
          exitPlan: p.exitPlan as object | undefined,
          exitReason: p.exitReason,
          closedAt: p.closed ? new Date() : undefined,
        },
        closing
          ? {
              sessionId: p.sessionId,
              kind: 'position_closed',
              severity: /stop|trailing/.test(p.exitReason ?? '') ? 'warn' : 'info',
              message: `${p.market} closed: ${p.exitReason ?? ''}; realised PnL ${p.realizedPnl ?? '0'} KRW after fees`,
              dedupeKey: `position_closed:${p.positionId}`,
            }
          : undefined,
      );
    },

    async recordSessionStatus(input: { sessionId: string; status: SessionRunStatus }): Promise<void> {
      await setSessionStatus(
        db.prisma,
        input.sessionId,
        input.status,
        input.status === 'stopped' ? new Date() : undefined,
      );
    },

    async recordSessionConfig(input: {
      sessionId: string;
      config: SessionConfig;
      reason: string;
      evidence?: Record<string, unknown>;
    }): Promise<void> {
      await setSessionConfig(db.prisma, input);
    },

    async recordRiskEvent(e: RiskEventRecord): Promise<void> {
      await recordEvent(db.prisma, e);
    },

    async recordDecisions(input: {
      sessionId: string;
      decisions: DecisionView[];
      inputs: Record<string, unknown>;
    }): Promise<void> {
      await appendDecisions(db.prisma, input);
    },
  };
}
