// Exchange keys (`exchange_keys`), stored only sealed: security/vault.ts seals and opens them; this
// file moves the sealed rows.
import type { ExchangeKey, PrismaClient } from '../db';

export interface SealedKey {
  accessKeyEnc: Uint8Array<ArrayBuffer>;
  secretKeyEnc: Uint8Array<ArrayBuffer>;
  accessKeyLast4: string;
  fingerprint: string;
  storedAt: Date;
}

/** Stores the sealed key under `label`, replacing the one stored there. */
export function saveKey(prisma: PrismaClient, label: string, key: SealedKey): Promise<ExchangeKey> {
  return prisma.exchangeKey.upsert({ where: { label }, create: { label, ...key }, update: key });
}

/** Removes the key of `label`; false when none was stored. */
export async function removeKey(prisma: PrismaClient, label: string): Promise<boolean> {
  return (await prisma.exchangeKey.deleteMany({ where: { label } })).count > 0;
}

/** Every stored key, by label. */
export function listKeys(prisma: PrismaClient): Promise<ExchangeKey[]> {
  return prisma.exchangeKey.findMany({ orderBy: { label: 'asc' } });
}

/** The stored key of `label`, or null. */
export function findKey(prisma: PrismaClient, label: string): Promise<ExchangeKey | null> {
  return prisma.exchangeKey.findUnique({ where: { label } });
}
