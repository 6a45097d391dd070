// Risk events and the alerts they raise. An alert is never sent inline by the step that records
// something: it is queued in `alert_outbox` in the same transaction as the record, and the workers'
// alert sender (activities/alerts.ts) delivers it, retrying while a channel is down. So a dead
// webhook neither slows nor fails a trading step, and no alert is lost when one is.
import type { RiskEventKind } from '../../core/contract';
import type { Prisma, PrismaClient, Severity } from '../db';

export interface AlertMessage {
  sessionId: string | null;
  kind: string;
  severity: Severity;
  message: string;
}

export interface RiskEventInput extends AlertMessage {
  /** One of the contract's risk-event kinds (core/contract/events.ts). */
  kind: RiskEventKind;
  details?: Record<string, unknown>;
}

/** Writes a risk event and queues its alert, both or neither. */
export async function recordEvent(prisma: PrismaClient, event: RiskEventInput): Promise<void> {
  const { details, ...alert } = event;
  await prisma.$transaction([
    prisma.riskEvent.create({ data: { ...alert, details: (details ?? {}) as Prisma.InputJsonObject } }),
    queueAlert(prisma, alert),
  ]);
}

/**
 * Queues an alert that is no risk event (a fill, a closed position), to run in the transaction that
 * records it (`prisma.$transaction([..., queueAlert(prisma, ...)])`). With a `dedupeKey`, a retried
 * step queues it once.
 */
export function queueAlert(
  prisma: PrismaClient | Prisma.TransactionClient,
  alert: AlertMessage & { dedupeKey?: string },
): Prisma.PrismaPromise<Prisma.BatchPayload> {
  return prisma.alertOutbox.createMany({ data: [alert], skipDuplicates: true });
}
