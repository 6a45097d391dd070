// Audit records: who changed money-relevant state, and when.
import type { Database } from '../prisma/db';
import { appendAudit } from '../prisma/repositories/users';

export interface AuditEntry {
  /** The user name, or "cli" for the shell tool. */
  actor: string;
  action: string;
  target?: string | null;
  details?: Record<string, unknown>;
}

export async function recordAudit(db: Database, entry: AuditEntry): Promise<void> {
  await appendAudit(db.prisma, {
    actor: entry.actor,
    action: entry.action,
    target: entry.target ?? null,
    details: entry.details ?? {},
  });
}
