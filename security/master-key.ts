// The master key everything secret at rest hangs from: MASTER_KEY (64 hex characters or base64 of 32
// bytes), else <DATA_DIR>/master.key, created 0600 on first start. Sub-keys for the token signer and
// the vault are derived from it (HKDF), so one key file is all an operator must keep safe.
import { hkdfSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MASTER_KEY_FILE = 'master.key';

export function parseMasterKey(text: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32) throw new Error('MASTER_KEY must be 32 bytes: 64 hex characters or base64');
  return key;
}

/** The master key from the environment, or the key file under `dataDir` (made on first use). */
export function loadMasterKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  if (env.MASTER_KEY) return parseMasterKey(env.MASTER_KEY);
  const file = join(dataDir, MASTER_KEY_FILE);
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) throw new Error(`${file} is readable by others (mode ${mode.toString(8)}); chmod 600 it`);
  return parseMasterKey(readFileSync(file, 'utf8'));
}

/** A 32-byte key for one purpose ('token-signing', 'vault'), derived from the master key. */
export function deriveKey(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `upbit-trader ${purpose}`, 32));
}
