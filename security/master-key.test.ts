import { chmodSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveKey, loadMasterKey } from './master-key';

describe('master key', () => {
  it('is created 0600 under the data directory on first use and read back after', () => {
    const dir = mkdtempSync(join(tmpdir(), 'master-key-'));
    const first = loadMasterKey(dir, {});
    expect(first).toHaveLength(32);
    expect(statSync(join(dir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'master.key'), 'utf8').trim()).toBe(first.toString('hex'));
    expect(loadMasterKey(dir, {})).toEqual(first);
  });

  it('MASTER_KEY wins over the file; a short key or a file others can read is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'master-key-'));
    const hex = 'ab'.repeat(32);
    expect(loadMasterKey(dir, { MASTER_KEY: hex })).toEqual(Buffer.from(hex, 'hex'));
    expect(loadMasterKey(dir, { MASTER_KEY: Buffer.alloc(32, 7).toString('base64') })).toEqual(Buffer.alloc(32, 7));
    expect(() => loadMasterKey(dir, { MASTER_KEY: 'short' })).toThrow(/32 bytes/);
    loadMasterKey(dir, {});
    chmodSync(join(dir, 'master.key'), 0o644);
    expect(() => loadMasterKey(dir, {})).toThrow(/chmod 600/);
  });

  it('derives a different key per purpose', () => {
    const master = Buffer.alloc(32, 1);
    expect(deriveKey(master, 'vault')).toHaveLength(32);
    expect(deriveKey(master, 'vault')).toEqual(deriveKey(master, 'vault'));
    expect(deriveKey(master, 'vault')).not.toEqual(deriveKey(master, 'token-signing'));
  });
});
