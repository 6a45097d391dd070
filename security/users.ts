// Users and roles, shared by the API, the launcher's first start and `npm run user`.
import type { Database, UserRole } from '../prisma/db';
import {
  countUsers,
  createUser,
  findUserByName,
  listUserRows,
  updateUserCredentials,
} from '../prisma/repositories/users';
import { recordAudit } from './audit';
import { checkNewPassword, generatePassword, hashPassword } from './passwords';

export const USER_ROLES: readonly UserRole[] = ['admin', 'viewer'];
export const USERNAME_PATTERN = '^[a-zA-Z0-9_.-]{1,64}$';

export interface UserView {
  username: string;
  role: UserRole;
  createdAt: Date;
}

export class UserError extends Error {
  constructor(
    readonly statusCode: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

function checkUsername(username: string) {
  if (!new RegExp(USERNAME_PATTERN).test(username))
    throw new UserError(400, 'username: 1-64 letters, digits, "_", "." or "-"');
}

function checkRole(role: string): asserts role is UserRole {
  if (!USER_ROLES.includes(role as UserRole)) throw new UserError(400, `role: must be one of ${USER_ROLES.join(', ')}`);
}

const view = (u: { username: string; role: UserRole; createdAt: Date }): UserView => ({
  username: u.username,
  role: u.role,
  createdAt: u.createdAt,
});

export async function listUsers(db: Database): Promise<UserView[]> {
  return (await listUserRows(db.prisma)).map(view);
}

export async function addUser(
  db: Database,
  actor: string,
  input: { username: string; role: string; password: string },
): Promise<UserView> {
  checkUsername(input.username);
  checkRole(input.role);
  const bad = checkNewPassword(input.password);
  if (bad) throw new UserError(400, bad);
  if (await findUserByName(db.prisma, input.username)) throw new UserError(409, `user ${input.username} exists`);
  const user = await createUser(db.prisma, {
    username: input.username,
    role: input.role,
    passwordHash: await hashPassword(input.password),
  });
  await recordAudit(db, { actor, action: 'user.add', target: user.username, details: { role: user.role } });
  return view(user);
}

async function findUser(db: Database, username: string) {
  const user = await findUserByName(db.prisma, username);
  if (!user) throw new UserError(404, `no user ${username}`);
  return user;
}

/** A new password; tokens issued before it stop working. */
export async function setPassword(db: Database, actor: string, username: string, password: string): Promise<void> {
  const bad = checkNewPassword(password);
  if (bad) throw new UserError(400, bad);
  await findUser(db, username);
  await updateUserCredentials(db.prisma, username, { passwordHash: await hashPassword(password) });
  await recordAudit(db, { actor, action: 'user.passwd', target: username });
}

/** A new role (never leaving no admin); tokens issued before it stop working. */
export async function setRole(db: Database, actor: string, username: string, role: string): Promise<UserView> {
  checkRole(role);
  const user = await findUser(db, username);
  if (user.role === 'admin' && role !== 'admin' && (await countUsers(db.prisma, 'admin')) <= 1)
    throw new UserError(409, `${username} is the last admin`);
  const updated = await updateUserCredentials(db.prisma, username, { role });
  await recordAudit(db, { actor, action: 'user.role', target: username, details: { from: user.role, to: role } });
  return view(updated);
}

/**
 * On the first start (no user at all) an admin named "admin" is created, with ADMIN_PASSWORD or a
 * generated password that is returned so the caller can show it once. Later starts do nothing.
 */
export async function ensureFirstAdmin(
  db: Database,
  adminPassword: string | undefined,
): Promise<{ username: string; generatedPassword?: string } | null> {
  if ((await countUsers(db.prisma)) > 0) return null;
  const password = adminPassword || generatePassword();
  await addUser(db, 'first-start', { username: 'admin', role: 'admin', password });
  return { username: 'admin', ...(!adminPassword && { generatedPassword: password }) };
}
