import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, apiPath, apiRequest } from './client';

// A real HTTP server on 127.0.0.1 answering the way the API (or a proxy in front of it) can.
let server: Server;
let base: string;
let lastBody = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      lastBody = body;
      if (req.url === '/api/ok') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
      } else if (req.url === '/api/accepted') {
        res.writeHead(202).end();
      } else if (req.url === '/api/invalid') {
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: 'invalid_config', message: 'maxPositions must be ≤ 20' }));
      } else if (req.url === '/api/proxy-down') {
        res.writeHead(502, { 'content-type': 'text/plain' }).end('upstream connect error');
      } else if (req.url === '/api/html') {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html></html>');
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (err: unknown) => err as ApiError,
  );

describe('apiRequest', () => {
  it('returns the JSON body and sends JSON', async () => {
    expect(await apiRequest('POST', `${base}/api/ok`, { name: 'demo' })).toEqual({ status: 'ok' });
    expect(JSON.parse(lastBody)).toEqual({ name: 'demo' });
  });

  it('returns undefined for an empty 202', async () => {
    expect(await apiRequest('POST', `${base}/api/accepted`)).toBeUndefined();
  });

  it("carries the server's error code and message", async () => {
    const err = await failure(apiRequest('PATCH', `${base}/api/invalid`, { maxPositions: 99 }));
    expect(err).toBeInstanceOf(ApiError);
    expect([err.status, err.code, err.message]).toEqual([400, 'invalid_config', 'maxPositions must be ≤ 20']);
  });

  it('reports a non-JSON error body as text', async () => {
    const err = await failure(apiRequest('GET', `${base}/api/proxy-down`));
    expect([err.status, err.message]).toEqual([502, 'upstream connect error']);
  });

  it('rejects a successful answer that is not JSON', async () => {
    const err = await failure(apiRequest('GET', `${base}/api/html`));
    expect(err.code).toBe('bad_response');
  });

  it('reports an unreachable server with status 0', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await failure(apiRequest('GET', `http://127.0.0.1:${port}/api/health`));
    expect([err.status, err.code]).toEqual([0, 'unreachable']);
  });
});

describe('apiPath', () => {
  it('leaves out empty query values and encodes the rest', () => {
    expect(apiPath('/api/orders', { sessionId: 'a&b', limit: 50, status: undefined, market: '' })).toBe(
      '/api/orders?sessionId=a%26b&limit=50',
    );
    expect(apiPath('/api/sessions')).toBe('/api/sessions');
  });
});
