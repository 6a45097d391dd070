// Decisions (`decisions`): what a session decided for each market at each evaluation, with the inputs
// and scores behind it.
import type { DecisionView } from '../../core/contract';
import type { Decision, PrismaClient } from '../db';

/** Appends a session's decisions; each stores the inputs of its market (`{}` when none were given). */
export async function appendDecisions(
  prisma: PrismaClient,
  input: { sessionId: string; decisions: DecisionView[]; inputs: Record<string, unknown> },
): Promise<void> {
  await prisma.decision.createMany({
    data: input.decisions.map((d) => ({
      sessionId: input.sessionId,
      market: d.market,
      action: d.action,
      score: d.score,
      reasons: d.reasons,
      snapshot: (input.inputs[d.market] ?? {}) as object,
      createdAt: new Date(d.ts),
    })),
  });
}

/** Decisions, newest first; of one session when given. `reasons` is the list of sentences recorded. */
export async function listDecisions(
  prisma: PrismaClient,
  query: { sessionId?: string; limit: number },
): Promise<(Omit<Decision, 'reasons'> & { reasons: string[] })[]> {
  const rows = await prisma.decision.findMany({
    where: query.sessionId ? { sessionId: query.sessionId } : {},
    orderBy: { createdAt: 'desc' },
    take: query.limit,
  });
  return rows.map((d) => ({ ...d, reasons: d.reasons as string[] }));
}
