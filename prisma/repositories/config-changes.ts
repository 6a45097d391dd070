// A session's config history with who made each change: config_history rows and the audit events of the users
// who started the session or changed its config.
import type { Database } from '../db';

export async function configHistoryWithAudit(db: Database, sessionId: string) {
  const [history, audit] = await Promise.all([
    db.prisma.configHistory.findMany({
      where: { sessionId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: 500,
    }),
    db.prisma.auditEvent.findMany({
      where: { target: sessionId, action: { in: ['session.start', 'session.config'] } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: 1000,
    }),
  ]);
  return { history, audit };
}
