// Users (`users`) and the audit trail (`audit_events`). The rules (names, roles, passwords, the last
// admin) are security/users.ts's; this file reads and writes the rows.
import type { AuditEvent, PrismaClient, User, UserRole } from '../db';

/** Every user, oldest first. */
export function listUserRows(prisma: PrismaClient): Promise<User[]> {
  return prisma.user.findMany({ orderBy: { createdAt: 'asc' } });
}

/** A user by name, or null. */
export function findUserByName(prisma: PrismaClient, username: string): Promise<User | null> {
  return prisma.user.findUnique({ where: { username } });
}

/** A user by id, or null. */
export function findUserById(prisma: PrismaClient, id: string): Promise<User | null> {
  return prisma.user.findUnique({ where: { id } });
}

export function createUser(
  prisma: PrismaClient,
  user: { username: string; role: UserRole; passwordHash: string },
): Promise<User> {
  return prisma.user.create({ data: user });
}

/**
 * Changes a user's password hash or role; tokens issued before now stop working (`tokensValidAfter`).
 */
export function updateUserCredentials(
  prisma: PrismaClient,
  username: string,
  change: { passwordHash: string } | { role: UserRole },
): Promise<User> {
  return prisma.user.update({ where: { username }, data: { ...change, tokensValidAfter: new Date() } });
}

/** How many users there are, of one role when given. */
export function countUsers(prisma: PrismaClient, role?: UserRole): Promise<number> {
  return prisma.user.count({ where: role ? { role } : {} });
}

/** Appends an audit record. */
export async function appendAudit(
  prisma: PrismaClient,
  entry: { actor: string; action: string; target: string | null; details: object },
): Promise<void> {
  await prisma.auditEvent.create({ data: entry });
}

/** The newest audit records, at most `take`. */
export function recentAudit(prisma: PrismaClient, take: number): Promise<AuditEvent[]> {
  return prisma.auditEvent.findMany({ orderBy: { createdAt: 'desc' }, take });
}
