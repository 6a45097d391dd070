// AES-256-GCM with a key derived from the master key for one purpose; each value bound to where it
// belongs (additional data), so a blob moved elsewhere fails to open. Layout: iv(12) | tag(16) | body.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deriveKey } from './master-key';

export class SecretBox {
  private readonly key: Buffer;
  constructor(masterKey: Buffer, purpose: string) {
    this.key = deriveKey(masterKey, purpose);
  }

  seal(plain: string, aad: string): Uint8Array<ArrayBuffer> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(aad));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return new Uint8Array(Buffer.concat([iv, cipher.getAuthTag(), body]));
  }

  /** Throws when the blob was sealed with another key or for another place. */
  open(blob: Uint8Array, aad: string): string {
    const buf = Buffer.from(blob);
    const decipher = createDecipheriv('aes-256-gcm', this.key, buf.subarray(0, 12));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(buf.subarray(12, 28));
    return Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()]).toString('utf8');
  }
}
