// Exchange keys at rest: AES-256-GCM under a key derived from the master key, each field bound to its
// row and name (additional data), so a blob moved to another row or field fails to decrypt. Read at
// call time by the exchange provider: storing a new key takes effect on the next exchange call, in
// every process that shares the database and master key. Keys never leave here except to sign.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Database } from '../prisma/db';
import { recordAudit } from './audit';
import { deriveKey } from './master-key';

export interface ExchangeKeys {
  accessKey: string;
  secretKey: string;
}

/** What may be shown of a stored key. */
export interface StoredKeyView {
  label: string;
  accessKeyLast4: string;
  fingerprint: string;
  storedAt: Date;
}

export function fingerprintOf(accessKey: string): string {
  return createHash('sha256').update(accessKey).digest('hex').slice(0, 16);
}

export class KeyVault {
  private readonly key: Buffer;
  constructor(
    private readonly db: Database,
    masterKey: Buffer,
  ) {
    this.key = deriveKey(masterKey, 'vault');
  }

  private encrypt(plain: string, aad: string): Uint8Array<ArrayBuffer> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(aad));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return new Uint8Array(Buffer.concat([iv, cipher.getAuthTag(), body]));
  }

  private decrypt(blob: Uint8Array, aad: string): string {
    const buf = Buffer.from(blob);
    const decipher = createDecipheriv('aes-256-gcm', this.key, buf.subarray(0, 12));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(buf.subarray(12, 28));
    return Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()]).toString('utf8');
  }

  async store(label: string, keys: ExchangeKeys, actor: string): Promise<StoredKeyView> {
    const data = {
      accessKeyEnc: this.encrypt(keys.accessKey, `${label}:access`),
      secretKeyEnc: this.encrypt(keys.secretKey, `${label}:secret`),
      accessKeyLast4: keys.accessKey.slice(-4),
      fingerprint: fingerprintOf(keys.accessKey),
      storedAt: new Date(),
    };
    const row = await this.db.prisma.exchangeKey.upsert({
      where: { label },
      create: { label, ...data },
      update: data,
    });
    await recordAudit(this.db, {
      actor,
      action: 'key.store',
      target: label,
      details: { fingerprint: row.fingerprint, accessKeyLast4: row.accessKeyLast4 },
    });
    return view(row);
  }

  async remove(label: string, actor: string): Promise<boolean> {
    const { count } = await this.db.prisma.exchangeKey.deleteMany({ where: { label } });
    if (count) await recordAudit(this.db, { actor, action: 'key.remove', target: label });
    return count > 0;
  }

  async list(): Promise<StoredKeyView[]> {
    return (await this.db.prisma.exchangeKey.findMany({ orderBy: { label: 'asc' } })).map(view);
  }

  /** The decrypted keys of `label`, or null when none are stored. */
  async read(label: string): Promise<ExchangeKeys | null> {
    const row = await this.db.prisma.exchangeKey.findUnique({ where: { label } });
    if (!row) return null;
    try {
      return {
        accessKey: this.decrypt(row.accessKeyEnc, `${label}:access`),
        secretKey: this.decrypt(row.secretKeyEnc, `${label}:secret`),
      };
    } catch {
      throw new Error(
        `the stored "${label}" key cannot be decrypted: is MASTER_KEY (or DATA_DIR/master.key) the one it was stored with?`,
      );
    }
  }
}

const view = (row: StoredKeyView): StoredKeyView => ({
  label: row.label,
  accessKeyLast4: row.accessKeyLast4,
  fingerprint: row.fingerprint,
  storedAt: row.storedAt,
});
