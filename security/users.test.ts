import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../prisma/db';
import { verifyPassword } from './passwords';
import { addUser, ensureFirstAdmin, setRole } from './users';

let db: Database;
beforeAll(async () => {
  db = await openDatabase({ databaseUrl: 'memory://' });
});
afterAll(async () => {
  await db?.close();
});

describe('users', () => {
  it('the first start makes one admin with a generated password; later starts make none', async () => {
    const first = await ensureFirstAdmin(db, undefined);
    expect(first?.username).toBe('admin');
    const admin = await db.prisma.user.findUniqueOrThrow({ where: { username: 'admin' } });
    expect(admin.role).toBe('admin');
    expect(await verifyPassword(first?.generatedPassword ?? '', admin.passwordHash)).toBe(true);
    expect(await ensureFirstAdmin(db, 'another-password')).toBeNull();
    expect(await db.prisma.user.count()).toBe(1);
  });

  it('refuses short passwords, bad names and roles, duplicates, and demoting the last admin', async () => {
    await expect(addUser(db, 't', { username: 'bob', role: 'viewer', password: 'short' })).rejects.toThrow(/password/);
    await expect(
      addUser(db, 't', { username: 'bob smith', role: 'viewer', password: 'long-enough-1' }),
    ).rejects.toThrow(/username/);
    await expect(addUser(db, 't', { username: 'bob', role: 'root', password: 'long-enough-1' })).rejects.toThrow(
      /role/,
    );
    await addUser(db, 't', { username: 'bob', role: 'viewer', password: 'long-enough-1' });
    await expect(addUser(db, 't', { username: 'bob', role: 'viewer', password: 'long-enough-1' })).rejects.toThrow(
      /exists/,
    );
    await expect(setRole(db, 't', 'admin', 'viewer')).rejects.toThrow(/last admin/);
    await setRole(db, 't', 'bob', 'admin');
    await setRole(db, 't', 'admin', 'viewer');
    const actions = (await db.prisma.auditEvent.findMany({ orderBy: { createdAt: 'asc' } })).map(
      (e) => `${e.actor} ${e.action} ${e.target}`,
    );
    expect(actions).toEqual(['first-start user.add admin', 't user.add bob', 't user.role bob', 't user.role admin']);
  });
});
