// Exchange keys at rest: AES-256-GCM under a key derived from the master key, each field bound to its
// row and name (additional data), so a blob moved to another row or field fails to decrypt. Read at
// call time by the exchange provider: storing a new key takes effect on the next exchange call, in
// every process that shares the database and master key. Keys never leave here except to sign.
import { createHash } from 'node:crypto';
import type { Database } from '../prisma/db';
import { findKey, listKeys, removeKey, saveKey } from '../prisma/repositories/keys';
import { recordAudit } from './audit';
import { SecretBox } from './secret-box';

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
  private readonly box: SecretBox;
  constructor(
    private readonly db: Database,
    masterKey: Buffer,
  ) {
    this.box = new SecretBox(masterKey, 'vault');
  }

  async store(label: string, keys: ExchangeKeys, actor: string): Promise<StoredKeyView> {
    const data = {
      accessKeyEnc: this.box.seal(keys.accessKey, `${label}:access`),
      secretKeyEnc: this.box.seal(keys.secretKey, `${label}:secret`),
      accessKeyLast4: keys.accessKey.slice(-4),
      fingerprint: fingerprintOf(keys.accessKey),
      storedAt: new Date(),
    };
    const row = await saveKey(this.db.prisma, label, data);
    await recordAudit(this.db, {
      actor,
      action: 'key.store',
      target: label,
      details: { fingerprint: row.fingerprint, accessKeyLast4: row.accessKeyLast4 },
    });
    return view(row);
  }

  async remove(label: string, actor: string): Promise<boolean> {
    const removed = await removeKey(this.db.prisma, label);
    if (removed) await recordAudit(this.db, { actor, action: 'key.remove', target: label });
    return removed;
  }

  async list(): Promise<StoredKeyView[]> {
    return (await listKeys(this.db.prisma)).map(view);
  }

  /** The decrypted keys of `label`, or null when none are stored. */
  async read(label: string): Promise<ExchangeKeys | null> {
    const row = await findKey(this.db.prisma, label);
    if (!row) return null;
    try {
      return {
        accessKey: this.box.open(row.accessKeyEnc, `${label}:access`),
        secretKey: this.box.open(row.secretKeyEnc, `${label}:secret`),
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
