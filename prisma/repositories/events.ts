// Risk events and the alerts they raise. An alert is never sent inline by the step that records
// something: it is queued in `alert_outbox` in the same transaction as the record, and the workers'
// alert sender (activities/alerts.ts) delivers it, retrying while a channel is down. So a dead
// webhook neither slows nor fails a trading step, and no alert is lost when one is.
import type { RiskEventKind } from '../../core/contract';
import type { TradingMode } from '../../core/session/config';
import type { AlertChannel, AlertKind, AlertOutbox, Prisma, PrismaClient, RiskEvent, Severity } from '../db';

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

/** Whether the session has a risk event of this kind whose details name this currency. */
export async function hasCurrencyEvent(
  prisma: PrismaClient,
  sessionId: string,
  kind: RiskEventKind,
  currency: string,
): Promise<boolean> {
  const row = await prisma.riskEvent.findFirst({
    where: { sessionId, kind, details: { path: ['currency'], equals: currency } },
    select: { id: true },
  });
  return row !== null;
}

/** Events of a kind since `since` of other sessions of these modes than `sessionId`, oldest first. */
export function othersEventsSince(
  prisma: PrismaClient,
  query: { kind: RiskEventKind; since: Date; sessionId: string; modes: TradingMode[] },
): Promise<Pick<RiskEvent, 'sessionId' | 'details'>[]> {
  return prisma.riskEvent.findMany({
    where: {
      kind: query.kind,
      createdAt: { gte: query.since },
      sessionId: { not: query.sessionId },
      session: { mode: { in: query.modes } },
    },
    orderBy: { createdAt: 'asc' },
    select: { sessionId: true, details: true },
  });
}

/** Risk events, newest first; filtered by session, severity and kind when given. */
export function listRiskEvents(
  prisma: PrismaClient,
  query: { sessionId?: string; severity?: Severity; kind?: RiskEventKind; limit: number },
): Promise<RiskEvent[]> {
  return prisma.riskEvent.findMany({
    where: {
      ...(query.sessionId && { sessionId: query.sessionId }),
      ...(query.severity && { severity: query.severity }),
      ...(query.kind && { kind: query.kind }),
    },
    orderBy: { createdAt: 'desc' },
    take: query.limit,
  });
}

// ---- delivery: the alert sender's reads and writes of the queue and the channels.

/** Queued alerts that are due, oldest first, at most `take`. */
export function dueAlerts(prisma: PrismaClient, take: number): Promise<AlertOutbox[]> {
  return prisma.alertOutbox.findMany({
    where: { doneAt: null, nextAttemptAt: { lte: new Date() } },
    orderBy: { createdAt: 'asc' },
    take,
  });
}

/**
 * Claims a due alert until `until` by moving its time on; false when another sender changed it since it
 * was read (that sender has it).
 */
export async function claimAlert(prisma: PrismaClient, row: AlertOutbox, until: Date): Promise<boolean> {
  const claimed = await prisma.alertOutbox.updateMany({
    where: { id: row.id, doneAt: null, nextAttemptAt: row.nextAttemptAt },
    data: { nextAttemptAt: until },
  });
  return claimed.count === 1;
}

/** Records a delivery attempt: the channels that have the alert, and when it is finished or next due. */
export async function recordAlertAttempt(
  prisma: PrismaClient,
  id: string,
  attempt: {
    doneChannels: string[];
    attempts: number;
    lastError: string | null;
    doneAt: Date | null;
    nextAttemptAt: Date;
  },
): Promise<void> {
  await prisma.alertOutbox.update({ where: { id }, data: attempt });
}

/** Alert channels, oldest first; only the enabled ones when asked. */
export function alertChannels(prisma: PrismaClient, only?: { enabled: true }): Promise<AlertChannel[]> {
  return prisma.alertChannel.findMany({ where: only ?? {}, orderBy: { createdAt: 'asc' } });
}

/** Adds an alert channel (its target sealed by the caller). */
export function addAlertChannel(
  prisma: PrismaClient,
  channel: { kind: AlertKind; target: object; minSeverity: Severity; enabled: boolean },
): Promise<AlertChannel> {
  return prisma.alertChannel.create({ data: channel });
}

/** Removes an alert channel; false when there was none with this id. */
export async function removeAlertChannel(prisma: PrismaClient, id: string): Promise<boolean> {
  return (await prisma.alertChannel.deleteMany({ where: { id } })).count > 0;
}
