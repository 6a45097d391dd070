import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, verifyPassword } from './passwords';

describe('password hashes', () => {
  it('verify the right password only; the hash holds no trace of it and differs per salt', async () => {
    const password = 'correct horse battery staple';
    const a = await hashPassword(password);
    const b = await hashPassword(password);
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toEqual(b);
    expect(a).not.toContain(password);
    expect(await verifyPassword(password, a)).toBe(true);
    expect(await verifyPassword(password, b)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', a)).toBe(false);
    expect(await verifyPassword(password, 'plain-text')).toBe(false);
    expect(await verifyPassword(password, '$argon2id$v=19$m=65536,t=3,p=4$abc$def')).toBe(false);
  });

  it('generated passwords are long and random', () => {
    const a = generatePassword();
    expect(a).toHaveLength(24);
    expect(generatePassword()).not.toEqual(a);
  });
});
