// Re-tuning proposals (`retune_proposals`): what a session's scheduled re-tuning found, waiting for an
// admin (or `auto`) to apply it.
import type { Prisma, PrismaClient, RetuneProposal } from '../db';
import { appendConfigHistory } from './sessions';

export type ProposalDecision = 'applied' | 'rejected';

/** A proposal by id, or null. */
export function findProposal(prisma: PrismaClient, id: string): Promise<RetuneProposal | null> {
  return prisma.retuneProposal.findUnique({ where: { id } });
}

/** A proposal of the given session, or null when it has no such proposal. */
export function findSessionProposal(
  prisma: PrismaClient,
  sessionId: string,
  id: string,
): Promise<RetuneProposal | null> {
  return prisma.retuneProposal.findFirst({ where: { id, sessionId } });
}

/** A session's proposals, newest first, at most `take`. */
export function proposalsOf(prisma: PrismaClient, sessionId: string, take: number): Promise<RetuneProposal[]> {
  return prisma.retuneProposal.findMany({
    where: { sessionId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take,
  });
}

/**
 * Stores a new proposal, marks the session's waiting ones superseded (one waits at a time) and appends
 * the session's running config with the evidence to its history, all or nothing.
 */
export async function proposeRetune(
  prisma: PrismaClient,
  input: { id: string; sessionId: string; params: object; current: object; evidence: object; sessionConfig: object },
): Promise<void> {
  const { id, sessionId, params, current, evidence } = input;
  await prisma.$transaction([
    prisma.retuneProposal.updateMany({
      where: { sessionId, status: 'proposed' },
      data: { status: 'superseded', decidedAt: new Date() },
    }),
    prisma.retuneProposal.create({ data: { id, sessionId, status: 'proposed', params, current, evidence } }),
    appendConfigHistory(prisma, { sessionId, config: input.sessionConfig, reason: 'retune-proposed', evidence }),
  ]);
}

/** Records who applied or rejected a proposal, and when. */
export function decideProposal(
  prisma: PrismaClient,
  id: string,
  status: ProposalDecision,
  decidedBy: string,
): Prisma.PrismaPromise<RetuneProposal> {
  return prisma.retuneProposal.update({ where: { id }, data: { status, decidedAt: new Date(), decidedBy } });
}
