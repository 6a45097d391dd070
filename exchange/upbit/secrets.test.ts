// The client's errors never carry the keys or the signed Authorization header (they end up in logs,
// activity failures and workflow history).
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { UpbitClient } from './client';

const KEYS = { accessKey: 'AK-distinctive-access-7Q2X', secretKey: 'SK-distinctive-secret-9Z4W' };

function leaks(err: unknown): string[] {
  const text = `${inspect(err, { depth: 20, showHidden: true })}${JSON.stringify(err)}`;
  return ['Authorization', 'Bearer', KEYS.accessKey, KEYS.secretKey].filter((s) => text.includes(s));
}

describe('UpbitClient errors', () => {
  it('a refused connection: the error names the call, not the credentials', async () => {
    const client = new UpbitClient({ baseUrl: 'http://127.0.0.1:9', keys: async () => KEYS, maxRetries: 0 });
    const err = await client.accounts().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain('/v1/accounts');
    expect(leaks(err)).toEqual([]);
  });

  it('a timeout: likewise', async () => {
    // A server that accepts and never answers.
    const server = createServer(() => {});
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const client = new UpbitClient({
        baseUrl: `http://127.0.0.1:${port}`,
        keys: async () => KEYS,
        maxRetries: 0,
        timeoutMs: 300,
      });
      const err = await client.accounts().catch((e: unknown) => e);
      expect((err as Error).name).toBe('Timeout');
      expect(leaks(err)).toEqual([]);
    } finally {
      server.close();
    }
  });
});
