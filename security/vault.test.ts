import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../prisma/db';
import { fingerprintOf, KeyVault } from './vault';

let db: Database;
const master = randomBytes(32);
const KEYS = { accessKey: 'access-key-for-the-vault-A1B2', secretKey: 'secret-key-for-the-vault-Z9Y8' };
beforeAll(async () => {
  db = await openDatabase({ databaseUrl: 'memory://' });
});
afterAll(async () => {
  await db?.close();
});

describe('key vault', () => {
  it('round trip; at rest only ciphertext; shown by last 4 and fingerprint; audited', async () => {
    const vault = new KeyVault(db, master);
    const view = await vault.store('live', KEYS, 'alice');
    expect(view).toEqual({
      label: 'live',
      accessKeyLast4: 'A1B2',
      fingerprint: fingerprintOf(KEYS.accessKey),
      storedAt: expect.any(Date),
    });
    expect(await vault.read('live')).toEqual(KEYS);
    const row = await db.prisma.exchangeKey.findUniqueOrThrow({ where: { label: 'live' } });
    expect(Buffer.from(row.secretKeyEnc).toString('latin1')).not.toContain('secret-key');
    expect(Buffer.from(row.accessKeyEnc).toString('latin1')).not.toContain('access-key');
    expect(await vault.list()).toEqual([view]);
    const audit = await db.prisma.auditEvent.findMany();
    expect(audit.map((a) => `${a.actor} ${a.action} ${a.target}`)).toEqual(['alice key.store live']);
    expect(JSON.stringify(audit)).not.toContain(KEYS.secretKey);
  });

  it('another master key, or a blob moved to another field, does not decrypt', async () => {
    await expect(new KeyVault(db, randomBytes(32)).read('live')).rejects.toThrow(/MASTER_KEY/);
    const row = await db.prisma.exchangeKey.findUniqueOrThrow({ where: { label: 'live' } });
    await db.prisma.exchangeKey.update({ where: { label: 'live' }, data: { secretKeyEnc: row.accessKeyEnc } });
    await expect(new KeyVault(db, master).read('live')).rejects.toThrow(/cannot be decrypted/);
  });

  it('rotation replaces the key; removal leaves none', async () => {
    const vault = new KeyVault(db, master);
    const next = { accessKey: 'next-access-key-000000-C3D4', secretKey: 'next-secret-key-000000-X7W6' };
    await vault.store('live', next, 'alice');
    expect(await vault.read('live')).toEqual(next);
    expect(await vault.remove('live', 'alice')).toBe(true);
    expect(await vault.read('live')).toBeNull();
  });
});
