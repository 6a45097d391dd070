// Trading sessions (`sessions`), the configs they ran with (`config_history`) and the admin's
// confirmations of live starts (`live_confirmations`).
import type { SessionRunStatus } from '../../core/contract';
import type { SessionConfig } from '../../core/session/config';
import type { ConfigHistory, LiveConfirmation, Prisma, PrismaClient, Session, SessionMode } from '../db';

/** A session by id, or null. */
export function findSession(prisma: PrismaClient, id: string): Promise<Session | null> {
  return prisma.session.findUnique({ where: { id } });
}

/** The newest sessions first, at most `take`. */
export function listSessions(prisma: PrismaClient, take: number): Promise<Session[]> {
  return prisma.session.findMany({ orderBy: { createdAt: 'desc' }, take });
}

/** Sessions whose status is neither stopped nor failed. */
export function unfinishedSessions(prisma: PrismaClient): Promise<Session[]> {
  return prisma.session.findMany({ where: { status: { notIn: ['stopped', 'failed'] } } });
}

/** A mode's sessions that are starting, running, paused or halted, oldest first. */
export function activeSessionsOf(
  prisma: PrismaClient,
  mode: SessionMode,
): Promise<{ id: string; name: string; status: string }[]> {
  return prisma.session.findMany({
    where: { mode, status: { in: ['starting', 'running', 'paused', 'halted'] } },
    orderBy: { createdAt: 'asc' },
    select: { id: true, name: true, status: true },
  });
}

/** The stored config of a session (as written: older rows may lack newer fields), or null. */
export async function sessionConfigOf(prisma: PrismaClient, id: string): Promise<Prisma.JsonValue | null> {
  const row = await prisma.session.findUnique({ where: { id }, select: { config: true } });
  return row?.config ?? null;
}

export interface NewSession {
  id: string;
  config: SessionConfig;
  /** A live start's confirmation: its token starts one session only. */
  confirmation?: { tokenId: string; configHash: string; confirmedBy: string };
}

/**
 * Creates a session in status `starting` with its first config history row (and its live confirmation),
 * all or nothing. Null, writing nothing, when the confirmation's token was used already.
 */
export function createSession(prisma: PrismaClient, input: NewSession): Promise<Session | null> {
  const { id, config, confirmation } = input;
  return prisma.$transaction(async (tx) => {
    if (confirmation) {
      const used = await tx.liveConfirmation.findUnique({ where: { tokenId: confirmation.tokenId } });
      if (used) return null;
      await tx.liveConfirmation.create({ data: { sessionId: id, ...confirmation } });
    }
    const created = await tx.session.create({
      data: {
        id,
        name: config.name,
        mode: config.mode,
        strategy: config.strategy,
        status: 'starting',
        config: config as object,
      },
    });
    await tx.configHistory.create({ data: { sessionId: id, config: config as object, reason: 'created' } });
    return created;
  });
}

/** Sets a session's status (and when it stopped, if given). */
export function setSessionStatus(
  prisma: PrismaClient,
  id: string,
  status: SessionRunStatus | 'failed',
  stoppedAt?: Date,
): Promise<Session> {
  return prisma.session.update({ where: { id }, data: { status, ...(stoppedAt && { stoppedAt }) } });
}

/** Replaces a session's config and appends it to its history, both or neither. */
export async function setSessionConfig(
  prisma: PrismaClient,
  input: { sessionId: string; config: SessionConfig; reason: string; evidence?: Record<string, unknown> },
): Promise<void> {
  await prisma.$transaction([
    prisma.session.update({ where: { id: input.sessionId }, data: { config: input.config as object } }),
    appendConfigHistory(prisma, input),
  ]);
}

/** Appends a config to a session's history (to run alone or inside a caller's transaction). */
export function appendConfigHistory(
  prisma: PrismaClient | Prisma.TransactionClient,
  input: { sessionId: string; config: object; reason: string; evidence?: object },
): Prisma.PrismaPromise<ConfigHistory> {
  return prisma.configHistory.create({
    data: {
      sessionId: input.sessionId,
      config: input.config,
      reason: input.reason,
      ...(input.evidence && { evidence: input.evidence }),
    },
  });
}

/** A session's configs, newest first, at most `take`. */
export function configHistoryOf(prisma: PrismaClient, sessionId: string, take: number): Promise<ConfigHistory[]> {
  return prisma.configHistory.findMany({
    where: { sessionId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take,
  });
}

/** The admin's confirmation of a live session, or null when it was never confirmed. */
export function liveConfirmationOf(prisma: PrismaClient, sessionId: string): Promise<LiveConfirmation | null> {
  return prisma.liveConfirmation.findUnique({ where: { sessionId } });
}
