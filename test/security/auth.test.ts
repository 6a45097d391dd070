// Who may call what: every route of the OpenAPI spec is walked, so a new route without a guard fails
// here. No token, a forged, expired or refresh token -> 401; a viewer -> 403 on everything that
// signals, starts, stops, configures or stores, and nothing changes; logins are rate-limited.
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/server';
import { deriveKey } from '../../security/master-key';
import { type Stack, startStack } from '../stack';

let stack: Stack;
let viewerToken: string;
const VIEWER = { username: 'watcher', password: 'viewer-password-1' };
// Routes anyone may call: the health summary and getting a token.
const PUBLIC = ['GET /api/health', 'POST /api/auth/login', 'POST /api/auth/refresh'];
// Reads only an admin may make.
const ADMIN_READS = ['GET /api/users'];

interface Operation {
  method: string;
  path: string;
  url: string;
  secured: boolean;
}
let operations: Operation[];

beforeAll(async () => {
  stack = await startStack();
  const created = await call('POST', '/api/users', { ...VIEWER, role: 'viewer' }, await adminToken());
  expect(created.status).toBe(201);
  viewerToken = await stack.login(VIEWER.username, VIEWER.password);
  const doc = (await (await fetch(`${stack.apiUrl}/api/docs/json`)).json()) as {
    paths: Record<string, Record<string, { security?: unknown[] }>>;
  };
  operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        url: path.replace(/\{id\}/g, 'abc0').replace(/\{username\}/g, 'nobody'),
        secured: Array.isArray(op.security) && op.security.length > 0,
      })),
  );
});
afterAll(async () => {
  await stack?.stop();
});

async function adminToken() {
  return (await stack.authHeaders()).authorization.slice('Bearer '.length);
}

async function call(method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: {
      ...(token && { authorization: `Bearer ${token}` }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown>, text };
}

const key = (op: Operation) => `${op.method} ${op.path}`;
const mutating = (op: Operation) => op.method !== 'GET';

async function stateCounts() {
  const p = stack.db.prisma;
  return {
    sessions: await p.session.count(),
    alertChannels: await p.alertChannel.count(),
    users: await p.user.count(),
    backtests: await p.backtestRun.count(),
    configChanges: await p.configHistory.count(),
  };
}

describe('access control', () => {
  it('the spec lists the routes, and every one but the public few needs a token', () => {
    expect(operations.length).toBeGreaterThan(20);
    for (const route of ['POST /api/sessions', 'PATCH /api/sessions/{id}/config', 'POST /api/alert-channels'])
      expect(operations.map(key)).toContain(route);
    expect(operations.filter((op) => !op.secured).map(key)).toEqual(expect.arrayContaining(PUBLIC));
    expect(operations.filter((op) => !op.secured).map(key)).toHaveLength(PUBLIC.length);
  });

  it('no token, a forged, an expired or a refresh token -> 401 on every secured route', async () => {
    const before = await stateCounts();
    const adminId = (await stack.db.prisma.user.findUniqueOrThrow({ where: { username: 'admin' } })).id;
    const signer = deriveKey(stack.masterKey, 'token-signing');
    const forged = jwt.sign({ typ: 'access' }, 'some-other-secret', { subject: adminId, expiresIn: 600 });
    const expired = jwt.sign({ typ: 'access', iat: Math.floor(Date.now() / 1000) - 3600 }, signer, {
      subject: adminId,
      expiresIn: 60,
    });
    const refresh = jwt.sign({ typ: 'refresh' }, signer, { subject: adminId, expiresIn: 600 });
    const none = jwt.sign({ typ: 'access' }, '', { subject: adminId, algorithm: 'none' });
    for (const op of operations.filter((o) => o.secured)) {
      for (const [label, token] of [
        ['none', undefined],
        ['forged', forged],
        ['expired', expired],
        ['refresh', refresh],
        ['alg none', none],
        ['garbage', 'x.y.z'],
      ] as const) {
        const r = await call(op.method, op.url, mutating(op) ? {} : undefined, token);
        expect(r.status, `${key(op)} with ${label} token: ${r.text}`).toBe(401);
      }
    }
    expect(await stateCounts()).toEqual(before);
  });

  it('a viewer gets 403 from every route that changes anything, and nothing changes', async () => {
    const before = await stateCounts();
    const changing = operations.filter((op) => op.secured && mutating(op));
    expect(changing.length).toBeGreaterThan(10);
    for (const op of changing) {
      const r = await call(op.method, op.url, {}, viewerToken);
      expect(r.status, `${key(op)} as viewer: ${r.text}`).toBe(403);
      expect(r.body.message).toContain('admin');
    }
    expect(await stateCounts()).toEqual(before);
  });

  it('a viewer reads everything but the user list', async () => {
    for (const path of [
      '/api/sessions',
      '/api/orders',
      '/api/positions',
      '/api/strategies',
      '/api/audit',
      '/api/overview',
      '/api/holdings',
      '/api/fills',
    ])
      expect((await call('GET', path, undefined, viewerToken)).status, path).toBe(200);
    for (const op of operations.filter((o) => ADMIN_READS.includes(key(o))))
      expect((await call(op.method, op.url, undefined, viewerToken)).status).toBe(403);
    expect((await call('GET', '/api/auth/me', undefined, viewerToken)).body).toEqual({
      username: VIEWER.username,
      role: 'viewer',
    });
  });

  it('health without a token says only whether all is well', async () => {
    const open = await call('GET', '/api/health');
    expect(open.status).toBe(200);
    expect(Object.keys(open.body)).toEqual(['status']);
    const signedIn = await call('GET', '/api/health', undefined, viewerToken);
    expect(signedIn.body).toMatchObject({ temporal: 'ok', db: 'ok', exchange: 'ok', mode: 'sim' });
  });

  it('refresh gives a new access token; a password change ends every earlier token', async () => {
    const login = await call('POST', '/api/auth/login', VIEWER);
    expect(login.status).toBe(200);
    const refreshed = await call('POST', '/api/auth/refresh', { refreshToken: login.body.refreshToken });
    expect(refreshed.status).toBe(200);
    expect((await call('GET', '/api/sessions', undefined, refreshed.body.token as string)).status).toBe(200);
    // An access token is no refresh token.
    expect((await call('POST', '/api/auth/refresh', { refreshToken: login.body.token })).status).toBe(401);

    // Tokens carry whole seconds: step past the second the old ones were issued in.
    await new Promise((r) => setTimeout(r, 1100));
    const changed = await call(
      'PATCH',
      `/api/users/${VIEWER.username}`,
      { password: 'a-new-viewer-password' },
      await adminToken(),
    );
    expect(changed.status).toBe(200);
    expect(JSON.stringify(changed.body)).not.toContain('a-new-viewer-password');
    expect((await call('GET', '/api/sessions', undefined, viewerToken)).status).toBe(401);
    expect((await call('POST', '/api/auth/refresh', { refreshToken: login.body.refreshToken })).status).toBe(401);
    expect((await call('POST', '/api/auth/login', VIEWER)).status).toBe(401);
    VIEWER.password = 'a-new-viewer-password';
    viewerToken = await stack.login(VIEWER.username, VIEWER.password);
    expect((await call('GET', '/api/sessions', undefined, viewerToken)).status).toBe(200);
  });

  it('the last admin cannot be demoted; user changes are audited, passwords stored only hashed', async () => {
    const r = await call('PATCH', '/api/users/admin', { role: 'viewer' }, await adminToken());
    expect(r.status).toBe(409);
    const audit = (await call('GET', '/api/audit', undefined, viewerToken)).body as unknown as {
      actor: string;
      action: string;
      target: string;
    }[];
    expect(audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actor: 'admin', action: 'user.add', target: VIEWER.username }),
        expect.objectContaining({ actor: 'admin', action: 'user.passwd', target: VIEWER.username }),
      ]),
    );
    const users = await stack.db.prisma.user.findMany();
    for (const u of users) expect(u.passwordHash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(users)).not.toContain(VIEWER.password);
    const list = await call('GET', '/api/users', undefined, await adminToken());
    expect(JSON.stringify(list.body)).not.toContain('scrypt');
  });

  it('a page of another origin may not call the API; answers carry security headers', async () => {
    const headers = { authorization: `Bearer ${viewerToken}` };
    const cross = await fetch(`${stack.apiUrl}/api/sessions`, {
      headers: { ...headers, origin: 'http://evil.example' },
    });
    expect(cross.status).toBe(403);
    const login = await fetch(`${stack.apiUrl}/api/auth/login`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify(stack.admin),
    });
    expect(login.status).toBe(403);
    const same = await fetch(`${stack.apiUrl}/api/sessions`, { headers: { ...headers, origin: stack.apiUrl } });
    expect(same.status).toBe(200);
    expect(same.headers.get('x-content-type-options')).toBe('nosniff');
    expect(same.headers.get('x-frame-options')).toBe('DENY');
    expect(same.headers.get('cache-control')).toBe('no-store');
    const page = await fetch(`${stack.apiUrl}/`);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('with API_HOSTS set, another Host header is refused', async () => {
    const api = await buildApi(
      {
        db: stack.db,
        temporal: stack.client,
        exchange: stack.exchange,
        defaultMode: 'sim',
        namespace: 'default',
        masterKey: stack.masterKey,
      },
      { allowedHosts: ['trader.example.com'] },
    );
    try {
      const other = await api.inject({ method: 'GET', url: '/api/health', headers: { host: 'rebound.example' } });
      expect(other.statusCode).toBe(403);
      const ok = await api.inject({ method: 'GET', url: '/api/health', headers: { host: 'trader.example.com' } });
      expect(ok.statusCode).toBe(200);
    } finally {
      await api.close();
    }
  });

  // Last: it leaves this address with failed logins on the clock.
  it('login is rate-limited: after five failures for a user even the right password waits', async () => {
    const target = { username: 'target', password: 'target-password-1' };
    expect((await call('POST', '/api/users', { ...target, role: 'viewer' }, await adminToken())).status).toBe(201);
    for (let i = 0; i < 5; i++) {
      const r = await call('POST', '/api/auth/login', { username: target.username, password: `wrong-${i}` });
      expect(r.status).toBe(401);
      expect(r.body.message).toBe('wrong username or password');
    }
    const blocked = await fetch(`${stack.apiUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(target),
    });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Other users are not locked out by it.
    expect((await call('POST', '/api/auth/login', stack.admin)).status).toBe(200);
  });
});
